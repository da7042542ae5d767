import { CascadeAgent, type CascadeAgentOptions } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type ModelScript, startTestServer } from '@cascadeflow/testing';

export async function setup(models: Record<string, ModelScript>, options: Partial<CascadeAgentOptions> = {}) {
  const server = await startTestServer({ models });
  const agent = new CascadeAgent({
    providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL, batchApi: true }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
    retry: { maxRetries: 0 },
    ...options,
  });
  return { server, agent };
}

/** The drafter is sure of questions containing "easy", unsure otherwise. */
export const drafter: ModelScript = ({ body }) => {
  const q = JSON.stringify(body.messages);
  return q.includes('easy')
    ? { content: `draft: ${q.length}`, logprobs: -0.01, usage: { inputTokens: 100, outputTokens: 10 } }
    : { content: 'not sure', logprobs: -2, usage: { inputTokens: 100, outputTokens: 10 } };
};
export const verifier: ModelScript = { content: 'verified', usage: { inputTokens: 100, outputTokens: 10 } };

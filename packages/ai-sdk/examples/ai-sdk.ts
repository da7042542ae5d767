/**
 * Runs offline: the cascade as a Vercel AI SDK model (`generateText`, `streamText`), against the loopback
 * test server. `pnpm example` runs it, CI too.
 */
import { cascadeModel } from '@cascadeflow/ai-sdk';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer } from '@cascadeflow/testing';
import { generateText, streamText } from 'ai';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': ({ body }) =>
      JSON.stringify(body.messages).includes('France')
        ? { content: 'Paris.', logprobs: -0.02, usage: { inputTokens: 20, outputTokens: 2 } }
        : { content: 'Maybe 1912?', logprobs: -1.5, usage: { inputTokens: 20, outputTokens: 4 } },
    'gpt-4o': { content: 'The Titanic sank on 15 April 1912.', usage: { inputTokens: 20, outputTokens: 12 } },
  },
});
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
});
try {
  const a = await generateText({ model: cascadeModel(agent), prompt: 'What is the capital of France?' });
  const info = a.providerMetadata?.cascadeflow as { tiersTried: string[]; savingUsd: number };
  console.log(
    `generateText: ${a.text} [tiers tried: ${info.tiersTried.join(' → ')}; saving $${info.savingUsd.toFixed(6)}]`,
  );
  const b = streamText({ model: cascadeModel(agent), prompt: 'When did the Titanic sink?' });
  let text = '';
  for await (const chunk of b.textStream) text += chunk;
  const meta = (await b.providerMetadata)?.cascadeflow as { tiersTried: string[] };
  console.log(`streamText: ${text} [tiers tried: ${meta.tiersTried.join(' → ')}]`);
} finally {
  await server.close();
}

import { CascadeAgent, type CascadeAgentOptions, type TierOptions } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type ModelScript, startTestServer, type TestServer } from '@cascadeflow/testing';
import { AnthropicProvider } from '../src/index.js';

/** The loopback server with an OpenAI drafter and an Anthropic provider, both through their real SDKs. */
export async function setup(models: Record<string, ModelScript>) {
  const server = await startTestServer({ models });
  const providers = {
    openai: new OpenAIProvider({ apiKey: 'test', baseURL: server.openaiBaseURL }),
    anthropic: new AnthropicProvider({ apiKey: 'test', baseURL: server.anthropicBaseURL }),
  };
  const agent = (ladder: TierOptions[], options: Partial<CascadeAgentOptions> = {}) =>
    new CascadeAgent({ providers, ladder, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
  return { server, providers, agent };
}

export type Setup = Awaited<ReturnType<typeof setup>> & { server: TestServer };

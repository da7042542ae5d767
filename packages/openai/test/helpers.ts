import { CascadeAgent, type CascadeAgentOptions, type TierOptions } from '@cascadeflow/core';
import { type ModelScript, startTestServer, type TestServer } from '@cascadeflow/testing';
import { OpenAIProvider, threadedOpenAIProvider } from '../src/index.js';

/** Confident and unsure answers, as log-probs per token. */
export const CONFIDENT = -0.01; // p ≈ 0.99
export const UNSURE = -1.5; // p ≈ 0.22

/** The ladder most tests use: a drafter that needs 0.8, and the verifier. */
export const twoTier = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
  { model: 'gpt-4o', provider: 'openai' },
];

/**
 * The loopback server with these models, and agents on it through an `OpenAIProvider` (with this `fetch`), or
 * with `'thread'`, through `threadedOpenAIProvider()` with every call in its worker thread (on `pooledFetch`).
 */
export async function setup(models: Record<string, ModelScript>, fetch?: typeof globalThis.fetch | 'thread') {
  const server = await startTestServer({ models });
  const options = { apiKey: 'test', baseURL: server.openaiBaseURL };
  const providers = {
    openai:
      fetch === 'thread'
        ? threadedOpenAIProvider({ ...options, inline: false })
        : new OpenAIProvider({ ...options, ...(fetch ? { fetch } : {}) }),
  };
  const agent = (ladder: TierOptions[], options: Partial<CascadeAgentOptions> = {}) =>
    new CascadeAgent({ providers, ladder, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
  return { server, providers, agent };
}

export type Setup = Awaited<ReturnType<typeof setup>> & { server: TestServer };

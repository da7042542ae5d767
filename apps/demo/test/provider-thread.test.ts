import { ThreadedProvider } from '@cascadeflow/core/thread';
import { OpenAIProvider } from '@cascadeflow/openai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startLiveDemo } from './helpers.js';

// Live mode gives the provider a worker thread by default (live.providerThread); the client sees the same
// answers wherever the SDK runs: the drafter's log-probs still decide, whole and streamed, and a 429 upstream
// is still retried after its retry-after.
describe('live.providerThread', () => {
  const models = {
    small: { content: 'Lyon', logprobs: -2 }, // unsure: escalates
    big: { content: 'Paris' },
  };
  const ask = async (url: string) => {
    const openai = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${url}/v1`, maxRetries: 0 });
    const whole = await openai.chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });
    let streamed = '';
    for await (const chunk of await openai.chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
    }))
      streamed += chunk.choices[0]?.delta.content ?? '';
    const { cascade } = whole as unknown as { cascade: { tiers_tried: string[] } };
    return { content: whole.choices[0]!.message.content, tiers: cascade.tiers_tried, streamed };
  };

  it.each([
    ['on (the default; calls on the main thread while it is idle, as here)', undefined, ThreadedProvider],
    ['always (every call in the worker)', 'always', ThreadedProvider],
    ['off', false, OpenAIProvider],
  ] as const)('%s: the same answers, escalations and retries', async (_name, providerThread, kind) => {
    const env = await startLiveDemo(models, providerThread === undefined ? {} : { providerThread });
    try {
      const provider = env.demo.engine.agent.provider('compat');
      expect(provider).toBeInstanceOf(kind);
      expect(await ask(env.demo.url)).toEqual({
        content: 'Paris',
        tiers: ['small', 'big'],
        streamed: 'Paris',
      });
      env.upstream.injectFault('small', { kind: 'status', status: 429, retryAfterSeconds: 0 });
      expect((await ask(env.demo.url)).tiers).toEqual(['small', 'big']);
      expect(env.upstream.requestsFor('small').map((q) => q.status)).toEqual([200, 200, 429, 200, 200]);
    } finally {
      await env.stop();
    }
  });
});

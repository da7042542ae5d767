import { AllTiersFailedError, CascadeAbortedError } from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamStallError, streamCascade, toAsyncIterable } from '../src/index.js';
import { all, CONFIDENT, setup, trace } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
afterEach(async () => env?.server.close());

const ladder = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
  { model: 'gpt-4o', provider: 'openai' },
];
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('cancellation and faults', () => {
  it('unsubscribing closes the upstream HTTP stream at once; the server produces no further tokens', async () => {
    env = await setup({
      'gpt-4o-mini': { content: words(100), logprobs: CONFIDENT, tokenDelayMs: 10 },
      'gpt-4o': { content: 'x' },
    });
    let seen = 0;
    await new Promise<void>((resolve) => {
      const sub = streamCascade(env.agent(ladder), 'q?', { mode: 'stream' }).subscribe((e) => {
        if (e.type === 'text' && ++seen === 5) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    const req = await env.server.waitFor((r) => r.model === 'gpt-4o-mini');
    expect(req.closedByClient).toBe(true);
    const atClose = req.chunksAtClose!;
    expect(atClose).toBeLessThan(req.chunksPlanned);
    await new Promise((r) => setTimeout(r, 100));
    expect(req.chunksSent).toBe(atClose);
  });

  it('breaking out of the async iterable aborts too; an AbortSignal ends it with CascadeAbortedError', async () => {
    env = await setup({
      'gpt-4o-mini': { content: words(100), logprobs: CONFIDENT, tokenDelayMs: 10 },
      'gpt-4o': { content: 'x' },
    });
    for await (const e of toAsyncIterable(streamCascade(env.agent(ladder), 'q?', { mode: 'stream' }))) {
      if (e.type === 'text') break;
    }
    expect((await env.server.waitFor((r) => r.model === 'gpt-4o-mini')).closedByClient).toBe(true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      all(streamCascade(env.agent(ladder), { query: 'q?', signal: controller.signal })),
    ).rejects.toBeInstanceOf(CascadeAbortedError);
  });

  it('a stream cut off midway is retried and says so, retracting what was shown', async () => {
    env = await setup({
      'gpt-4o-mini': { content: words(12), logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    env.server.injectFault('gpt-4o-mini', { kind: 'cut', afterChunks: 4 });
    const events = await all(streamCascade(env.agent(ladder), 'q?', { mode: 'stream' }));
    const t = trace(events);
    expect(t.indexOf('retract:gpt-4o-mini')).toBeGreaterThan(-1);
    expect(t.indexOf('retract:gpt-4o-mini')).toBeLessThan(t.indexOf('retry'));
    const retry = events.find((e) => e.type === 'retry');
    expect(retry?.type === 'retry' && retry.error).toMatch(/cut off midway/);
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.result.content).toBe(words(12));
  });

  it('malformed chunks end in a typed error once every tier has failed', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    env.server.injectFault('*', { kind: 'malformed' }, 6);
    const err = await all(streamCascade(env.agent(ladder), 'q?')).catch((e) => e);
    expect(err).toBeInstanceOf(AllTiersFailedError);
    expect(err.failures[0].error.message).toMatch(/not valid JSON|malformed|JSON/i);
  });

  it('never hangs: a stall timeout aborts a silent stream with StreamStallError', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    env.server.injectFault('gpt-4o-mini', { kind: 'hang' });
    const err = await all(streamCascade(env.agent(ladder), 'q?', { stallTimeoutMs: 150 })).catch((e) => e);
    expect(err).toBeInstanceOf(StreamStallError);
    expect(err).toMatchObject({ code: 'stream_stalled', stallTimeoutMs: 150, model: 'gpt-4o-mini' });
    expect((await env.server.waitFor((r) => r.model === 'gpt-4o-mini')).closedByClient).toBe(true);
  });

  it('streams a tool call through the cascade', async () => {
    const tools = [
      {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    env = await setup({
      'gpt-4o-mini': { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      'gpt-4o': { content: 'y' },
    });
    const events = await all(streamCascade(env.agent(ladder), { query: 'Weather in Paris?', tools }));
    const calls = events.filter((e) => e.type === 'tool_call');
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.map((e) => (e.type === 'tool_call' ? e.argumentsDelta : '')).join('')).toBe(
      '{"city":"Paris"}',
    );
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.result.toolCalls[0]?.name).toBe('get_weather');
  });

  it('runs 100 concurrent streams, each complete and in order', async () => {
    env = await setup({
      'gpt-4o-mini': { content: words(30), logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    const agent = env.agent(ladder);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => all(streamCascade(agent, 'q?', { mode: 'stream' }))),
    );
    for (const events of results) {
      const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
      expect(text).toBe(words(30));
      expect(events.at(-1)?.type).toBe('finish');
    }
  });
});

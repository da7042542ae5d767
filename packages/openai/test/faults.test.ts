import {
  AllTiersFailedError,
  CascadeAbortedError,
  type CascadeEvents,
  type StreamDelta,
} from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { pooledFetch } from '../src/index.js';
import { CONFIDENT, type Setup, setup as setupWith, twoTier } from './helpers.js';

let env: Setup;
afterEach(async () => {
  await env?.server.close();
  const provider = env?.providers.openai;
  if (provider && 'close' in provider) await provider.close();
});

// Every fault, through the SDK's own fetch, through pooledFetch (undici's pooled request API), and through
// the provider in a worker thread (threadedOpenAIProvider, on pooledFetch there).
describe.each([
  ['global fetch', undefined],
  ['pooledFetch', pooledFetch()],
  ['worker thread', 'thread'],
] as const)('faults (%s)', (_name, fetch) => {
  const setup = (models: Parameters<typeof setupWith>[0]) => setupWith(models, fetch);
  it('retries a 429 after the retry-after the server asked for', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'Paris', logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    env.server.injectFault('gpt-4o-mini', { kind: 'status', status: 429, retryAfterSeconds: 1 });
    const agent = env.agent(twoTier);
    const retries: CascadeEvents['attempt:retry'][] = [];
    agent.on('attempt:retry', (e) => retries.push(e));
    const started = Date.now();
    const r = await agent.run('Capital of France?');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(r.model).toBe('gpt-4o-mini');
    expect(r.attempts[0]?.retries).toBe(1);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.delayMs).toBe(1000);
    expect(env.server.requestsFor('gpt-4o-mini').map((q) => q.status)).toEqual([429, 200]);
  });

  it('falls through to the next tier when a tier keeps failing, and says so', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'never' }, 'gpt-4o': { content: 'Paris' } });
    env.server.injectFault('gpt-4o-mini', { kind: 'status', status: 500 }, 3);
    const r = await env.agent(twoTier).run('Capital of France?');
    expect(r.model).toBe('gpt-4o');
    expect(r.attempts[0]).toMatchObject({
      status: 'failed',
      retries: 2,
      error: { code: 'provider_error', status: 500 },
    });
    expect(r.attempts[0]?.reason).toMatch(/HTTP 500/);
    expect(env.server.requestsFor('gpt-4o-mini')).toHaveLength(3);
  });

  it('does not retry a 400 and does not wait for a retry-after beyond the cap', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'Paris' } });
    env.server.injectFault('gpt-4o-mini', { kind: 'status', status: 400 });
    const r = await env.agent(twoTier).run('q?');
    expect(r.attempts[0]?.retries).toBe(0);
    env.server.injectFault('gpt-4o-mini', { kind: 'status', status: 429, retryAfterSeconds: 3600 });
    const started = Date.now();
    const s = await env.agent(twoTier).run('q?');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.attempts[0]).toMatchObject({
      status: 'failed',
      error: { code: 'provider_rate_limited', status: 429 },
    });
  });

  it('aborts mid-call: the server sees the connection closed and no tier is tried after', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    // A warm provider (a worker thread takes longer than the wait below to start; aborted before it has,
    // the call is never sent).
    await env.providers.openai.complete({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    env.server.injectFault('gpt-4o-mini', { kind: 'hang' });
    const controller = new AbortController();
    const run = env.agent(twoTier).run({ query: 'q?', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    controller.abort(new Error('user left'));
    await expect(run).rejects.toBeInstanceOf(CascadeAbortedError);
    const seen = await env.server.waitFor((q) => q.model === 'gpt-4o-mini' && q.fault?.kind === 'hang');
    expect(seen.closedByClient).toBe(true);
    expect(env.server.requestsFor('gpt-4o-mini')).toHaveLength(2);
    expect(env.server.requestsFor('gpt-4o')).toHaveLength(0);
  });

  it('aborts a streamed attempt midway: the upstream stream closes and produces no more tokens', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    env = await setup({ 'gpt-4o-mini': { content: words, tokenDelayMs: 20 }, 'gpt-4o': { content: 'y' } });
    const controller = new AbortController();
    let seen = 0;
    const run = env.agent(twoTier).run({
      query: 'q?',
      signal: controller.signal,
      onDelta: (d) => {
        if (d.type === 'text' && ++seen === 5) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CascadeAbortedError);
    const req = await env.server.waitFor((q) => q.model === 'gpt-4o-mini');
    expect(req.closedByClient).toBe(true);
    expect(req.chunksAtClose).not.toBeNull();
    expect(req.chunksAtClose!).toBeLessThan(req.chunksPlanned);
    await new Promise((r) => setTimeout(r, 100));
    expect(req.chunksSent).toBe(req.chunksAtClose);
  });

  it('a timeout aborts the HTTP request itself, then the next tier answers', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'Paris' } });
    env.server.injectFault('gpt-4o-mini', { kind: 'hang' }, 3);
    const r = await env
      .agent([{ ...twoTier[0]!, timeoutMs: 100 }, twoTier[1]!], { retry: { maxRetries: 0 } })
      .run('q?');
    expect(r.model).toBe('gpt-4o');
    expect(r.attempts[0]?.error?.code).toBe('provider_timeout');
    const hung = await env.server.waitFor((q) => q.model === 'gpt-4o-mini');
    expect(hung.closedByClient).toBe(true);
  });

  it('treats malformed JSON as a provider fault and falls through', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'Paris' } });
    env.server.injectFault('gpt-4o-mini', { kind: 'malformed' }, 3);
    const r = await env.agent(twoTier).run('q?');
    expect(r.model).toBe('gpt-4o');
    expect(r.attempts[0]?.error?.code).toBe('provider_malformed_response');
  });

  it('retries a stream cut off midway and says so', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'one two three four five six', logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    env.server.injectFault('gpt-4o-mini', { kind: 'cut', afterChunks: 3 });
    const deltas: StreamDelta[] = [];
    const agent = env.agent(twoTier);
    const retries: CascadeEvents['attempt:retry'][] = [];
    agent.on('attempt:retry', (e) => retries.push(e));
    const r = await agent.run({ query: 'count', onDelta: (d) => deltas.push(d) });
    expect(r.content).toBe('one two three four five six');
    expect(r.attempts[0]?.retries).toBe(1);
    expect(retries[0]?.error.message).toMatch(/terminated|cut|ended|socket|closed/i);
  });

  it('throws AllTiersFailedError naming each tier when every tier fails', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    env.server.injectFault('*', { kind: 'status', status: 503 }, 6);
    const err = await env
      .agent(twoTier)
      .run('q?')
      .catch((e) => e);
    expect(err).toBeInstanceOf(AllTiersFailedError);
    expect(err.code).toBe('all_tiers_failed');
    expect(err.failures.map((f: { model: string }) => f.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });

  it('returns the rejected draft, marked degraded, when every higher tier fails', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'Lyon?', logprobs: -1 }, 'gpt-4o': { content: 'y' } });
    env.server.injectFault('gpt-4o', { kind: 'status', status: 500 }, 3);
    const agent = env.agent(twoTier);
    const warnings: string[] = [];
    agent.on('agent:warning', (w) => warnings.push(w.code));
    const r = await agent.run('q?');
    expect(r.degraded).toBe(true);
    expect(r.content).toBe('Lyon?');
    expect(warnings).toContain('degraded_result');
  });
});

import { limitsPlugin } from '@cascadeflow/limits';
import type { TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchProgress, runBatch, startBatch } from '../src/index.js';
import { drafter, setup, verifier } from './helpers.js';

let server: TestServer;
afterEach(async () => server?.close());

describe('concurrent strategy', () => {
  it('mixed success and failure, bad items failing alone, order preserved, totals', async () => {
    const env = await setup({
      // A script that throws makes the server answer 500: "hard" questions fail on both tiers.
      'gpt-4o-mini': (r) => {
        if (JSON.stringify(r.body.messages).includes('hard')) throw new Error('boom');
        return (drafter as (x: unknown) => never)(r);
      },
      'gpt-4o': ({ body }) => {
        if (JSON.stringify(body.messages).includes('hard')) throw new Error('boom');
        return { content: 'verified' };
      },
    });
    server = env.server;
    const r = await runBatch(
      env.agent,
      ['easy one', 'hard one', '', 42 as never, 'x'.repeat(200), 'easy two'],
      { maxParallel: 3, maxQueryChars: 100, retryFailed: false },
    );
    expect(r.items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.items.map((i) => i.ok)).toEqual([true, false, false, false, false, true]);
    expect(r.errors[2]).toMatch(/item 2: the query is empty/);
    expect(r.errors[3]).toMatch(/item 3: expected a query string or a request object, got number/);
    expect(r.errors[4]).toMatch(/item 4: the query has 200 characters, more than maxQueryChars \(100\)/);
    expect(r.errors[1]).toMatch(/Every tier failed/);
    expect(r).toMatchObject({ successCount: 2, failureCount: 4, strategyUsed: 'concurrent' });
    expect(r.successRate).toBeCloseTo(2 / 6, 9);
    expect(r.totalCost).toBeCloseTo(r.results[0]!.totalCost! + r.results[5]!.totalCost!, 15);
    expect(r.averageCost).toBeCloseTo(r.totalCost! / 6, 15);
  });

  it('a per-query timeout aborts that request; a retry recovers a failure', async () => {
    const env = await setup(
      { 'gpt-4o-mini': drafter, 'gpt-4o': verifier },
      { ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }] },
    );
    server = env.server;
    server.injectFault('gpt-4o-mini', { kind: 'hang' }, 2);
    const r = await runBatch(env.agent, ['easy a'], {
      timeoutPerQuery: 150,
      retryFailed: true,
      maxParallel: 1,
    });
    expect(r.items[0]).toMatchObject({ ok: false, runs: 2, error: { code: 'query_timeout' } });
    const hung = server.requests.filter((q) => q.fault?.kind === 'hang');
    expect(hung).toHaveLength(2);
    await new Promise((res) => setTimeout(res, 50));
    expect(hung.every((q) => q.closedByClient)).toBe(true);
    server.injectFault('gpt-4o-mini', { kind: 'status', status: 500 }, 1);
    const ok = await runBatch(env.agent, ['easy b'], { retryFailed: true });
    expect(ok.items[0]).toMatchObject({ ok: true, runs: 2 });
  });

  it('stopOnError stops launching and aborts what is in flight', async () => {
    const env = await setup(
      { 'gpt-4o-mini': { content: 'x', logprobs: -0.01, latencyMs: 30 }, 'gpt-4o': verifier },
      { ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }] },
    );
    server = env.server;
    server.injectFault('gpt-4o-mini', { kind: 'status', status: 400 });
    const r = await runBatch(
      env.agent,
      Array.from({ length: 10 }, (_, i) => `q${i}`),
      { stopOnError: true, maxParallel: 1, retryFailed: false },
    );
    expect(r.items[0]).toMatchObject({ ok: false });
    expect(r.items.slice(1).every((i) => !i.ok && i.error?.code === 'stopped_on_error')).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('a rate-limit plugin slows the batch instead of failing it', async () => {
    let inFlight = 0;
    let peak = 0;
    const env = await setup(
      {
        'gpt-4o-mini': async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 20));
          inFlight--;
          return { content: 'ok', logprobs: -0.01 };
        },
        'gpt-4o': verifier,
      },
      {
        ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }],
        plugins: [limitsPlugin({ limits: { concurrent: 1 } })],
      },
    );
    server = env.server;
    const progress: BatchProgress[] = [];
    const run = startBatch(
      env.agent,
      Array.from({ length: 8 }, (_, i) => ({ query: `q${i}`, userId: 'u' })),
      { maxParallel: 4 },
    );
    run.progress$.subscribe((p) => progress.push(p));
    const r = await run.result;
    expect(r.successCount).toBe(8);
    expect(peak).toBe(1);
    expect(progress.at(-1)).toMatchObject({ done: 8, failed: 0, total: 8, etaMs: 0 });
  });

  it('a total timeout aborts what is left', async () => {
    const env = await setup(
      { 'gpt-4o-mini': { content: 'x', logprobs: -0.01, latencyMs: 80 }, 'gpt-4o': verifier },
      { ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }] },
    );
    server = env.server;
    const r = await runBatch(
      env.agent,
      Array.from({ length: 10 }, (_, i) => `q${i}`),
      { totalTimeout: 200, maxParallel: 1 },
    );
    expect(r.successCount).toBeGreaterThan(0);
    expect(r.successCount).toBeLessThan(10);
    expect(r.items.filter((i) => !i.ok).every((i) => i.error?.code === 'total_timeout')).toBe(true);
  });
});

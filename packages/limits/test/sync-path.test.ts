import { Pricing, type ResolvedRequest, type RunContext, type RunOutcome } from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import { type LimitStore, limitsPlugin, MemoryLimitStore, RateLimitError } from '../src/index.js';

const context = (runId: string) =>
  ({
    runId,
    metadata: {},
    signal: new AbortController().signal,
    pricing: new Pricing({ 'claude-x': { input: 1, output: 2 } }),
    agentLadder: [],
  }) as unknown as RunContext;
const request = (limits: object): ResolvedRequest =>
  ({
    query: 'Capital of France?',
    messages: [{ role: 'user', content: 'Capital of France?' }],
    ladder: [
      { index: 0, name: 'claude-x', model: 'claude-x', provider: 'p', role: 'verifier', threshold: null },
    ],
    maxTokens: 100,
    userId: 'alice',
    handoffs: { limits },
    metadata: {},
  }) as unknown as ResolvedRequest;
const settled: RunOutcome = {
  status: 'accepted',
  attempts: [{ usage: { inputTokens: 10, outputTokens: 5 } }],
  spend: { usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 }, cost: 0.00002 },
} as unknown as RunOutcome;

describe('the limits plugin on the memory store', () => {
  it('reserves and settles without a promise once the token counter has loaded, and still counts', async () => {
    const store = new MemoryLimitStore();
    const plugin = limitsPlugin({ store });
    const limits = Object.freeze({ requestsPerMinute: 3, costPerDay: 10, concurrent: 5 });
    const run = (id: string) => {
      const state = plugin.createState!(context(id));
      const out = plugin.beforeRun!({ context: context(id), state, request: request(limits) });
      return { out, state };
    };
    // The first run loads the counter (a promise); the next ones do not wait for anything.
    const first = run('r1');
    expect(first.out).toBeInstanceOf(Promise);
    await first.out;
    const second = run('r2');
    expect(second.out).not.toBeInstanceOf(Promise);
    expect(
      plugin.onSettle!({ context: context('r2'), state: second.state, outcome: settled, request: undefined }),
    ).toBeUndefined();
    expect(await store.current('alice', [{ name: 'requests_per_minute', windowMs: 60_000 }])).toEqual({
      requests_per_minute: 2,
    });
    // The concurrency slot of the first run is still held; the second gave its back.
    expect(await store.current('alice', [{ name: 'concurrent', windowMs: 0 }])).toEqual({ concurrent: 1 });
    run('r3');
    expect(() => run('r4')).toThrow(RateLimitError);
    plugin.onSettle!({ context: context('r1'), state: first.state, outcome: settled, request: undefined });
  });

  it('waits for a store of its own, which may answer later', async () => {
    const memory = new MemoryLimitStore();
    const slow: LimitStore = {
      name: 'slow',
      reserve: async (r) => memory.reserve(r),
      settle: async (r, d) => memory.settle(r, d),
      renew: async (r) => memory.renew(r),
      current: (s, w) => memory.current(s, w),
    };
    const plugin = limitsPlugin({ store: slow });
    const state = plugin.createState!(context('r1'));
    const limits = { requestsPerMinute: 1 };
    const out = plugin.beforeRun!({ context: context('r1'), state, request: request(limits) });
    expect(out).toBeInstanceOf(Promise);
    await out;
    const settling = plugin.onSettle!({
      context: context('r1'),
      state,
      outcome: settled,
      request: undefined,
    });
    expect(settling).toBeInstanceOf(Promise);
    await settling;
    await expect(
      plugin.beforeRun!({
        context: context('r2'),
        state: plugin.createState!(context('r2')),
        request: request(limits),
      }),
    ).rejects.toBeInstanceOf(RateLimitError);
  });

  it('a frozen handoff is validated like any other: a bad one is refused by name', () => {
    const plugin = limitsPlugin();
    const bad = Object.freeze({ requestsPerMinute: -1 });
    const state = plugin.createState!(context('r1'));
    for (let i = 0; i < 2; i++)
      expect(() => plugin.beforeRun!({ context: context('r1'), state, request: request(bad) })).toThrow(
        /handoffs\.limits\.requestsPerMinute/,
      );
  });
});

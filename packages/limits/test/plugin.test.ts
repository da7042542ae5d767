import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  type LimitsEvents,
  limitsPlugin,
  MemoryLimitStore,
  RateLimitError,
} from '../src/index.js';

let server: TestServer;
afterEach(async () => server?.close());

async function agentWith(plugin: ReturnType<typeof limitsPlugin>) {
  server = await startTestServer({
    models: {
      'gpt-4o-mini': { content: 'Paris', logprobs: -0.01, usage: { inputTokens: 100, outputTokens: 10 } },
      'gpt-4o': { content: 'Paris.', usage: { inputTokens: 100, outputTokens: 10 } },
    },
  });
  return new CascadeAgent({
    providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
    retry: { maxRetries: 0 },
    plugins: [plugin],
  });
}

describe('limits plugin in a cascade run', () => {
  it('refuses the request over the rate limit with a typed error, per user', async () => {
    const plugin = limitsPlugin({ limits: { requestsPerMinute: 2 } });
    const rejected: LimitsEvents['limit:rejected'][] = [];
    plugin.on('limit:rejected', (e) => rejected.push(e));
    const agent = await agentWith(plugin);
    await agent.run({ query: 'q', userId: 'alice' });
    await agent.run({ query: 'q', userId: 'alice' });
    const err = await agent.run({ query: 'q', userId: 'alice' }).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({
      code: 'rate_limited',
      plugin: 'limits',
      limit: 'requests_per_minute',
      value: 2,
      current: 2,
      subject: 'alice',
    });
    expect(err.retryAfterMs).toBeGreaterThan(50_000);
    expect(err.message).toMatch(/Rate limit requests_per_minute of 2 reached for "alice".*retry in \d+ s/);
    expect(rejected).toHaveLength(1);
    await expect(agent.run({ query: 'q', userId: 'bob' })).resolves.toBeDefined();
    expect(server.requests).toHaveLength(3);
  });

  it('reserves the worst case, then settles to the real cost', async () => {
    const store = new MemoryLimitStore();
    const plugin = limitsPlugin({ store, limits: { costPerDay: 1, tokensPerMinute: 100_000 } });
    const agent = await agentWith(plugin);
    const r = await agent.run({ query: 'Capital of France?', userId: 'u', maxTokens: 500 });
    const now = await plugin.current('u', { costPerDay: 1, tokensPerMinute: 100_000 });
    expect(now.cost_per_day).toBeCloseTo(r.totalCost!, 12);
    expect(now.tokens_per_minute).toBeCloseTo(110, 6);
  });

  it('refuses a run whose worst case does not fit the budget', async () => {
    const plugin = limitsPlugin({ limits: { costPerDay: 0.001 } });
    const agent = await agentWith(plugin);
    // worst case: both tiers answer 4000 tokens: 4000 × ($0.60 + $10) / 1M ≈ $0.042 > $0.001
    const err = await agent.run({ query: 'q', userId: 'u', maxTokens: 4000 }).catch((e) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toMatchObject({
      code: 'budget_exceeded',
      limit: 'cost_per_day',
      value: 0.001,
      retryAfterMs: undefined,
    });
    expect(server.requests).toHaveLength(0);
  });

  it('a failed run releases its reservation, including its concurrency slot', async () => {
    const plugin = limitsPlugin({ limits: { requestsPerMinute: 1, concurrent: 1 } });
    const agent = await agentWith(plugin);
    server.injectFault('*', { kind: 'status', status: 500 }, 2);
    await expect(agent.run({ query: 'q', userId: 'u' })).rejects.toThrow(/Every tier failed/);
    expect(await plugin.current('u', { requestsPerMinute: 1, concurrent: 1 })).toEqual({
      requests_per_minute: 0,
      concurrent: 0,
    });
    await expect(agent.run({ query: 'q', userId: 'u' })).resolves.toBeDefined();
  });

  it('takes limits from the run metadata (as the profiles plugin hands them) and validates them', async () => {
    const plugin = limitsPlugin();
    const agent = await agentWith(plugin);
    await agent.run({
      query: 'q',
      userId: 'u',
      handoffs: { limits: { requestsPerMinute: 1 } },
    });
    await expect(
      agent.run({ query: 'q', userId: 'u', handoffs: { limits: { requestsPerMinute: 1 } } }),
    ).rejects.toBeInstanceOf(RateLimitError);
    await expect(
      agent.run({ query: 'q', userId: 'v', handoffs: { limits: { costPerDay: -1 } } }),
    ).rejects.toThrow(/handoffs\.limits\.costPerDay: must be ≥ 0/);
    expect(() => limitsPlugin({ limits: { requestsPerMinut: 5 } as never })).toThrow(
      /unknown limit requestsPerMinut/,
    );
  });

  it('concurrent runs never overshoot a budget: 200 runs at a $0.01 reservation against $1.00', async () => {
    const store = new MemoryLimitStore();
    const charge = { name: 'cost_per_day' as const, windowMs: 86_400_000, limit: 1, amount: 0.01 };
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.reserve({ id: `r${i}`, subject: 'u', charges: [charge] })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(100);
    expect((await store.current('u', [charge])).cost_per_day).toBeLessThanOrEqual(1 + 1e-9);
  });
});

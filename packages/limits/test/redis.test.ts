import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CascadeAgent } from '@cascadeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LimitStoreUnavailableError,
  type LimitsEvents,
  limitsPlugin,
  RedisLimitStore,
} from '../src/index.js';
import { client, privateRedis, ready, redisUrl } from './redis.js';
import { billingProvider, budgetUnderLoad, slotsAfterStall } from './scenarios.js';

const run = promisify(execFile);
const shared = client();
const store = new RedisLimitStore({ client: shared, prefix: `cf:test:${process.pid}` });
afterAll(async () => {
  const keys = await shared.keys(`cf:test:${process.pid}:*`);
  if (keys.length) await shared.del(...keys);
  shared.disconnect();
});

const rpm = (limit: number) => ({ name: 'requests_per_minute' as const, windowMs: 60_000, limit, amount: 1 });
const uniq = (s: string) => `${s}-${Math.random().toString(36).slice(2)}`;

/** A provider that answers at once, priced at exactly $0.01 a run. */
const cents = {
  name: 'cents',
  async complete(req: { model: string }) {
    return {
      content: 'ok',
      toolCalls: [],
      finishReason: 'stop' as const,
      usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
      model: req.model,
      cost: 0.01,
    };
  },
  stream(): never {
    throw new Error('unused');
  },
};

describe('Redis store (real Redis)', () => {
  it('reserves atomically, settles and releases, and every key has a TTL', async () => {
    await ready(shared);
    const subject = uniq('u');
    const a = await store.reserve({
      id: uniq('r'),
      subject,
      charges: [rpm(2), { name: 'cost_per_day', windowMs: 86_400_000, limit: 1, amount: 0.3 }],
      concurrent: { limit: 5, leaseMs: 60_000 },
    });
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(
      await store.current(subject, [
        { name: 'requests_per_minute', windowMs: 60_000 },
        { name: 'cost_per_day', windowMs: 86_400_000 },
        { name: 'concurrent', windowMs: 0 },
      ]),
    ).toEqual({
      requests_per_minute: 1,
      cost_per_day: expect.closeTo(0.3, 9),
      concurrent: 1,
    });
    // Two windows, the lease set and the open-reservations hash: every key expires on its own.
    const keys = await shared.keys(`cf:test:${process.pid}:{${subject}}:*`);
    expect(keys.length).toBe(4);
    for (const k of keys) expect(await shared.pttl(k)).toBeGreaterThan(0);
    await store.settle(a.reservation, { requests_per_minute: -1, cost_per_day: -0.2 });
    await store.settle(a.reservation, { requests_per_minute: -1, cost_per_day: -0.2 }); // idempotent
    expect(await store.current(subject, [{ name: 'cost_per_day', windowMs: 86_400_000 }])).toEqual({
      cost_per_day: expect.closeTo(0.1, 9),
    });
    expect(
      await store.current(subject, [
        { name: 'requests_per_minute', windowMs: 60_000 },
        { name: 'concurrent', windowMs: 0 },
      ]),
    ).toEqual({ requests_per_minute: 0, concurrent: 0 });
    const b = await store.reserve({ id: uniq('r'), subject, charges: [rpm(1)] });
    const c = await store.reserve({ id: uniq('r'), subject, charges: [rpm(1)] });
    expect(b.ok).toBe(true);
    expect(c).toMatchObject({ ok: false, name: 'requests_per_minute', limit: 1, current: 1, requested: 1 });
    expect(!c.ok && c.retryAfterMs).toBeGreaterThan(55_000);
  });

  it('four processes sending 1,000 concurrent requests against 100 per minute admit exactly 100', async () => {
    const subject = uniq('multi');
    const worker = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));
    const outs = await Promise.all(
      [0, 1, 2, 3].map(() =>
        run(process.execPath, [worker, redisUrl(), subject, '250'], { timeout: 60_000 }),
      ),
    );
    const admitted = outs.reduce((s, o) => s + Number(o.stdout), 0);
    expect(admitted).toBe(100);
  });

  it('200 concurrent runs against a $1.00 budget at $0.01 each never spend more than $1.00', async () => {
    const plugin = limitsPlugin({ store, limits: { costPerDay: 1 }, defaultMaxTokens: 1 });
    const agent = new CascadeAgent({
      providers: { cents },
      ladder: [{ model: 'penny', provider: 'cents' }],
      plugins: [plugin],
      pricing: { penny: { input: 5000, output: 5000 } },
    });
    // Reservation: the input's UTF-8 bytes plus a chat template's overhead, and 1 output token, at $5000/M
    // (worst case, about $0.16); each run then settles to $0.01.
    const subject = uniq('budget');
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => agent.run({ query: 'qqqqqqq', userId: subject })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const spent = (await plugin.current(subject, { costPerDay: 1 })).cost_per_day!;
    expect(spent).toBeLessThanOrEqual(1 + 1e-9);
    expect(ok).toBe(Math.round(spent / 0.01));
    expect(ok).toBeGreaterThan(0);
  });

  it('Redis stopped mid-test: fail-closed refuses, fail-open admits, fallback-memory limits in memory; each is announced', async () => {
    const redis = await privateRedis();
    const c = client(redis.url);
    await ready(c);
    const policies = ['fail-closed', 'fail-open', 'fallback-memory'] as const;
    const plugins = policies.map((onStoreError) =>
      limitsPlugin({
        store: new RedisLimitStore({ client: c, timeoutMs: 300 }),
        onStoreError,
        limits: { requestsPerMinute: 1 },
      }),
    );
    const events: LimitsEvents['store:unavailable'][] = [];
    for (const p of plugins) p.on('store:unavailable', (e) => events.push(e));
    const agents = plugins.map(
      (p) =>
        new CascadeAgent({
          providers: { cents },
          ladder: [{ model: 'penny', provider: 'cents' }],
          plugins: [p],
          pricing: { penny: { input: 0, output: 0 } },
        }),
    );
    for (const [i, a] of agents.entries()) await a.run({ query: 'q', userId: `x${i}` }); // Redis up: fine
    redis.stop();
    await new Promise((r) => setTimeout(r, 200));
    await expect(agents[0]!.run({ query: 'q', userId: 'y0' })).rejects.toBeInstanceOf(
      LimitStoreUnavailableError,
    );
    await expect(agents[1]!.run({ query: 'q', userId: 'y1' })).resolves.toBeDefined();
    await expect(agents[1]!.run({ query: 'q', userId: 'y1' })).resolves.toBeDefined(); // open: no limit at all
    await expect(agents[2]!.run({ query: 'q', userId: 'y2' })).resolves.toBeDefined();
    await expect(agents[2]!.run({ query: 'q', userId: 'y2' })).rejects.toThrow(/requests_per_minute of 1/); // memory fallback limits
    expect(new Set(events.map((e) => e.policy))).toEqual(new Set(policies));
    c.disconnect();
  });
});

describe('limits under real traffic (real Redis)', () => {
  it('200 concurrent multilingual runs (CJK, Arabic, emoji) against a $0.01 budget never spend more than it', async () => {
    const r = await budgetUnderLoad(redisUrl(), 0.01);
    expect(r.spent).toBeLessThanOrEqual(r.budget + 1e-9);
    // Runs were admitted and paid for; the rest were refused before spending anything.
    expect(r.spent).toBeGreaterThan(0);
    expect(r.admitted).toBeGreaterThan(0);
    expect(r.refused).toBeGreaterThan(0);
  }, 60_000);

  it('a 2.5 s Redis stall (SIGSTOP) mid-load: every slot is free again within one lease, and a new process gets them all', async () => {
    const redis = await privateRedis();
    try {
      const r = await slotsAfterStall(redis, 2500, 6000);
      expect(r.recoveredS).toBeLessThanOrEqual(r.leaseMs / 1000 + 1);
      expect(r.admittedAfter).toBe(5);
    } finally {
      redis.stop();
    }
  }, 60_000);

  it('an outage is announced once, its end once, and a settle lost to it is sent again', async () => {
    const redis = await privateRedis();
    const c = client(redis.url);
    await ready(c);
    try {
      const plugin = limitsPlugin({
        store: new RedisLimitStore({ client: c, timeoutMs: 200 }),
        limits: { costPerDay: 10 },
        onStoreError: 'fallback-memory',
      });
      const seen: string[] = [];
      plugin.on('store:unavailable', () => seen.push('down'));
      plugin.on('store:recovered', () => seen.push('up'));
      const agentWith = (delayMs: number) =>
        new CascadeAgent({
          providers: { billing: billingProvider(delayMs) },
          ladder: [{ model: 'gpt-4o-mini', provider: 'billing' }],
          plugins: [plugin],
        });
      const slow = agentWith(600);
      const fast = agentWith(0);
      // Admitted on Redis; Redis stalls while it runs, so its settle fails and waits.
      const first = slow.run({ query: 'hello', userId: 'u', maxTokens: 10 });
      await new Promise((r) => setTimeout(r, 100));
      const stall = redis.pause(3000);
      await first;
      // During the stall: each reserve times out (it runs on Redis later, and must then be cancelled) and the
      // run is limited by the in-memory fallback.
      for (let i = 0; i < 5; i++) await fast.run({ query: 'hello', userId: 'u', maxTokens: 10 });
      await stall;
      await fast.run({ query: 'hello', userId: 'u', maxTokens: 10 }); // Redis answers: recovered
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toEqual(['down', 'up']);
      // On Redis: the first run (its settle sent again after the outage) and the last one, at their real
      // cost; the five reserves that ran late were cancelled.
      const spent = (await plugin.current('u', { costPerDay: 10 })).cost_per_day!;
      const one = (await fast.run({ query: 'hello', userId: 'v', maxTokens: 10 })).totalCost!;
      expect(spent).toBeCloseTo(2 * one, 9);
    } finally {
      c.disconnect();
      redis.stop();
    }
  }, 30_000);
});

/**
 * Limits: cost of a reserve-and-settle in memory and in Redis (loopback), accuracy of the sliding window
 * against an exact one on a trace, and over-admission by four processes sharing one Redis.
 * Writes bench-results/limits.json at the repository root. Needs REDIS_URL (pnpm bench starts a Redis).
 */
import { execFile } from 'node:child_process';

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchResult, writeBenchResults } from '@cascadeflow/testing';
import { Redis } from 'ioredis';
import { type LimitStore, MemoryLimitStore, RedisLimitStore } from '../dist/index.js';
import { windowSum } from '../src/window.js';
import { privateRedis } from '../test/redis.js';
import { budgetUnderLoad, slotsAfterStall } from '../test/scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));
const url = process.env.REDIS_URL;
if (!url)
  throw new Error(
    'REDIS_URL is not set: run `pnpm bench` from the repository root (it starts a Redis) or set it.',
  );

const charges = [
  { name: 'requests_per_minute' as const, windowMs: 60_000, limit: 1e12, amount: 1 },
  { name: 'tokens_per_minute' as const, windowMs: 60_000, limit: 1e12, amount: 2000 },
  { name: 'cost_per_day' as const, windowMs: 86_400_000, limit: 1e12, amount: 0.02 },
];

async function p50(store: LimitStore, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const out = await store.reserve({ id: `b${process.pid}-${n}-${i}`, subject: `bench-${i % 50}`, charges });
    if (out.ok) await store.settle(out.reservation, { tokens_per_minute: -500, cost_per_day: -0.005 });
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function windowError(): number {
  let s = 7;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const events: number[] = [];
  for (let t = 0; t < 3_600_000; ) {
    t += rand() < 0.1 ? rand() * 50 : rand() * 400;
    events.push(t);
  }
  const buckets = new Map<number, number>();
  let i = 0;
  let err = 0;
  let total = 0;
  for (let now = 61_000; now < 3_600_000; now += 997) {
    while (i < events.length && events[i]! <= now) {
      const b = Math.floor(events[i]! / 600);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
      i++;
    }
    let exact = 0;
    for (const e of events) if (e > now - 60_000 && e <= now) exact++;
    err += Math.abs(windowSum(buckets, now, 60_000) - exact);
    total += exact;
  }
  return (err / total) * 100;
}

const memory = new MemoryLimitStore();
await p50(memory, 5000);
const memoryUs = await p50(memory, 20000);
const client = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
const redis = new RedisLimitStore({ client, prefix: `cf:bench:${process.pid}` });
await p50(redis, 500);
const redisUs = await p50(redis, 3000);
const worker = join(here, '../test/fixtures/worker.mjs');
const subject = `overadmit-${process.pid}-${Date.now()}`;
const outs = await Promise.all(
  [0, 1, 2, 3].map(() => promisify(execFile)(process.execPath, [worker, url, subject, '250'])),
);
const admitted = outs.reduce((s, o) => s + Number(o.stdout), 0);
const keys = await client.keys(`cf:bench:${process.pid}:*`);
if (keys.length) await client.del(...keys);
client.disconnect();

// Real traffic: 200 concurrent multilingual runs against a $0.01 budget; a 2.5 s stall of a private Redis.
const budget = await budgetUnderLoad(url, 0.01);
const redisToStall = await privateRedis();
const stall = await slotsAfterStall(redisToStall, 2500, 15_000).finally(() => redisToStall.stop());

const results: BenchResult[] = [
  {
    name: 'memory_check_us_p50',
    value: +memoryUs.toFixed(2),
    unit: 'µs per reserve + settle',
    target: 20,
    ratio: +(memoryUs / 20).toFixed(3),
  },
  {
    name: 'redis_check_us_p50',
    value: +redisUs.toFixed(1),
    unit: 'µs per reserve + settle, loopback',
    target: 500,
    ratio: +(redisUs / 500).toFixed(3),
  },
  {
    name: 'window_error_pct',
    value: +windowError().toFixed(3),
    unit: '% mean absolute error vs exact window',
    target: 1,
  },
  {
    name: 'multiprocess_overadmit_count',
    value: admitted - 100,
    unit: 'requests admitted over a limit of 100 (4 processes × 250)',
    target: 0,
  },
  {
    name: 'budget_overshoot_ratio',
    value: +(budget.spent / budget.budget).toFixed(4),
    unit: `spend / budget after 200 concurrent multilingual runs on Redis ($${budget.budget}/day; ${budget.admitted} admitted)`,
    target: 1,
  },
  {
    name: 'slots_recovered_after_stall_s',
    value: +stall.recoveredS.toFixed(2),
    unit: `s from the end of a 2.5 s Redis stall until every concurrency slot is free (lease ${stall.leaseMs / 1000} s)`,
    target: 30,
  },
];
const out = join(here, '../../../bench-results/limits.json');
writeBenchResults(out, results);

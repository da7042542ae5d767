import { describe, expect, it } from 'vitest';
import { MemoryLimitStore } from '../src/index.js';
import { windowSum } from '../src/window.js';

/** A recorded-style trace: bursts and quiet spells over 10 minutes (seeded). */
export function trace(seed = 7): number[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const out: number[] = [];
  let t = 0;
  while (t < 600_000) {
    const burst = rand() < 0.1;
    t += burst ? rand() * 50 : rand() * 400;
    out.push(t);
  }
  return out;
}

describe('sliding window accuracy', () => {
  it('stays within 1% of an exact sliding window on a trace', () => {
    const events = trace();
    const buckets = new Map<number, number>();
    const window = 60_000;
    let i = 0;
    let errSum = 0;
    let exactSum = 0;
    for (let now = 61_000; now < 600_000; now += 997) {
      while (i < events.length && events[i]! <= now) {
        const b = Math.floor(events[i]! / (window / 100));
        buckets.set(b, (buckets.get(b) ?? 0) + 1);
        i++;
      }
      const exact = events.filter((e) => e > now - window && e <= now).length;
      errSum += Math.abs(windowSum(buckets, now, window) - exact);
      exactSum += exact;
    }
    expect((errSum / exactSum) * 100).toBeLessThan(1);
  });

  it('memory store: reserve, refuse with retry-after, settle and release', async () => {
    let now = 1_000_000;
    const store = new MemoryLimitStore({ now: () => now });
    const charge = { name: 'requests_per_minute' as const, windowMs: 60_000, limit: 2, amount: 1 };
    const a = await store.reserve({ id: 'r1', subject: 'u', charges: [charge] });
    const b = await store.reserve({ id: 'r2', subject: 'u', charges: [charge] });
    const c = await store.reserve({ id: 'r3', subject: 'u', charges: [charge] });
    expect([a.ok, b.ok, c.ok]).toEqual([true, true, false]);
    expect(c).toMatchObject({ ok: false, name: 'requests_per_minute', limit: 2, current: 2, requested: 1 });
    expect(!c.ok && c.retryAfterMs).toBeGreaterThan(59_000);
    if (!a.ok) throw new Error('unreachable');
    await store.settle(a.reservation, { requests_per_minute: -1 });
    await store.settle(a.reservation, { requests_per_minute: -1 }); // a second settle changes nothing
    expect((await store.reserve({ id: 'r4', subject: 'u', charges: [charge] })).ok).toBe(true);
    now += 61_000;
    expect(await store.current('u', [{ name: 'requests_per_minute', windowMs: 60_000 }])).toEqual({
      requests_per_minute: 0,
    });
  });

  it('memory store: concurrency slots are taken and given back', async () => {
    const store = new MemoryLimitStore();
    const one = await store.reserve({
      id: 'r5',
      subject: 'u',
      charges: [],
      concurrent: { limit: 1, leaseMs: 1000 },
    });
    const two = await store.reserve({
      id: 'r6',
      subject: 'u',
      charges: [],
      concurrent: { limit: 1, leaseMs: 1000 },
    });
    expect(two).toMatchObject({ ok: false, name: 'concurrent', current: 1 });
    if (!one.ok) throw new Error('unreachable');
    await store.settle(one.reservation, {});
    expect(
      (await store.reserve({ id: 'r7', subject: 'u', charges: [], concurrent: { limit: 1, leaseMs: 1000 } }))
        .ok,
    ).toBe(true);
  });

  it('memory store: a concurrency slot is a lease that lapses unless renewed', async () => {
    let now = 0;
    const store = new MemoryLimitStore({ now: () => now });
    const slot = { limit: 1, leaseMs: 1000 };
    const one = await store.reserve({ id: 'a', subject: 'u', charges: [], concurrent: slot });
    if (!one.ok) throw new Error('unreachable');
    now = 900;
    await store.renew(one.reservation);
    now = 1500; // past the first lease, within the renewed one
    expect(await store.reserve({ id: 'b', subject: 'u', charges: [], concurrent: slot })).toMatchObject({
      ok: false,
      name: 'concurrent',
      retryAfterMs: 1000,
    });
    now = 2000; // never released, no longer renewed: it lapses
    expect((await store.reserve({ id: 'c', subject: 'u', charges: [], concurrent: slot })).ok).toBe(true);
  });

  it('a request that alone exceeds a limit can never pass and says so', async () => {
    const store = new MemoryLimitStore();
    const out = await store.reserve({
      id: 'big',
      subject: 'u',
      charges: [{ name: 'tokens_per_minute', windowMs: 60_000, limit: 100, amount: 500 }],
    });
    expect(out).toMatchObject({ ok: false, retryAfterMs: null });
  });
});

import type { RunContext, TierInfo } from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import { MemoryProfileStore, profilesPlugin, UserProfileManager } from '../src/index.js';

const agentLadder: TierInfo[] = [
  {
    index: 0,
    name: 'gpt-4o-mini',
    model: 'gpt-4o-mini',
    provider: 'openai',
    role: 'drafter',
    threshold: 0.7,
  },
  { index: 1, name: 'gpt-4o', model: 'gpt-4o', provider: 'openai', role: 'verifier', threshold: null },
];
const context = {
  runId: 'r',
  metadata: {},
  signal: new AbortController().signal,
  agentLadder,
} as unknown as RunContext;

describe('the profiles plugin on a cached profile', () => {
  it('resolves a cached profile without a promise, an uncached one with one, to the same configuration', async () => {
    let now = 0;
    const manager = new UserProfileManager(new MemoryProfileStore(), { cacheTtlMs: 1000, now: () => now });
    await manager.create({ id: 'pro-user', tier: 'pro' });
    const plugin = profilesPlugin({ manager });
    const resolve = (userId: string) =>
      plugin.resolveConfig!({ context, state: {} as never, request: { query: 'hi', userId } });

    const cached = resolve('pro-user');
    expect(cached).not.toBeInstanceOf(Promise);
    now = 5000; // the cache entry has expired: the store is asked again
    expect(manager.cached('pro-user')).toBeUndefined();
    const fetched = resolve('pro-user');
    expect(fetched).toBeInstanceOf(Promise);
    const first = await fetched;
    expect(first).toEqual(cached);
    // Every run of a profile (while it is cached) shares the same frozen ladder, thresholds and handoffs.
    const again = resolve('pro-user') as typeof first;
    expect(again?.ladder).toBe(first?.ladder);
    expect(again?.thresholds).toBe(first?.thresholds);
    expect(again?.handoffs).toBe(first?.handoffs);
    expect(Object.isFrozen(again?.ladder) && Object.isFrozen(again?.thresholds)).toBe(true);
  });

  it('a missing profile is still refused through the store, by name', async () => {
    const manager = new UserProfileManager(new MemoryProfileStore());
    const plugin = profilesPlugin({ manager, onMissing: 'reject' });
    const out = plugin.resolveConfig!({
      context,
      state: {} as never,
      request: { query: 'hi', userId: 'ghost' },
    });
    await expect(out).rejects.toMatchObject({ code: 'profile_not_found', data: { userId: 'ghost' } });
  });

  it("a request with its own handoffs keeps them beside the profile's", async () => {
    const manager = new UserProfileManager(new MemoryProfileStore());
    await manager.create({ id: 'u', tier: 'free' });
    await manager.find('u');
    const plugin = profilesPlugin({ manager });
    const out = plugin.resolveConfig!({
      context,
      state: {} as never,
      request: { query: 'hi', userId: 'u', handoffs: { custom: 1 } as never },
    }) as { handoffs: Record<string, unknown> };
    expect(Object.keys(out.handoffs).sort()).toEqual(['custom', 'guardrails', 'limits']);
  });

  it('hands guardrail settings frozen all the way down (the guardrails plugin resolves them once)', async () => {
    const manager = new UserProfileManager(new MemoryProfileStore());
    await manager.create({ id: 'u', tier: 'free' });
    await manager.find('u');
    const plugin = profilesPlugin({ manager });
    const run = () =>
      plugin.resolveConfig!({ context, state: {} as never, request: { query: 'hi', userId: 'u' } }) as {
        handoffs: { guardrails: { pii: { input: object }; moderation: object } };
      };
    const handed = run().handoffs.guardrails;
    expect(run().handoffs.guardrails).toBe(handed);
    for (const o of [handed, handed.pii, handed.pii.input, handed.moderation])
      expect(Object.isFrozen(o)).toBe(true);
  });
});

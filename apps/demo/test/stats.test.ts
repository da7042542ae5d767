import { describe, expect, it } from 'vitest';
import { RESPONSES_KEPT, type RequestRecord, Stats } from '../src/engine.js';

const request = (responseId: string | null, userId = 'u1'): RequestRecord => ({
  at: 0,
  userId,
  query: 'What is the capital of France?',
  model: 'small',
  tier: 0,
  tiersTried: ['small'],
  cost: 0.001,
  baselineCost: 0.01,
  error: null,
  responseId,
});

describe('Stats', () => {
  it('knows the owner of the last RESPONSES_KEPT responses and forgets older ones, oldest first', () => {
    const stats = new Stats();
    for (let i = 0; i < RESPONSES_KEPT + 5; i++) stats.record(request(`r${i}`, `user${i % 3}`));
    for (let i = 0; i < 5; i++) expect(stats.ownerOf(`r${i}`)).toBeUndefined();
    expect(stats.ownerOf('r5')).toBe('user2');
    expect(stats.ownerOf(`r${RESPONSES_KEPT + 4}`)).toBe(`user${(RESPONSES_KEPT + 4) % 3}`);
    // Failed requests carry no response id and take no place.
    stats.record({ ...request(null), error: 'rate_limited' });
    expect(stats.ownerOf('r5')).toBe('user2');
    expect(stats.requests).toBe(RESPONSES_KEPT + 6);
  });

  it('records an id given twice once, so that it does not push out another', () => {
    const stats = new Stats();
    for (let i = 0; i < RESPONSES_KEPT; i++) stats.record(request(`r${i}`));
    stats.record(request('r0', 'other'));
    expect(stats.ownerOf('r0')).toBe('other');
    expect(stats.ownerOf('r1')).toBe('u1');
    stats.record(request('new'));
    expect(stats.ownerOf('r0')).toBeUndefined();
    expect(stats.ownerOf('r1')).toBe('u1');
  });
});

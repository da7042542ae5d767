import { describe, expect, it } from 'vitest';
import { seededRandom, variants } from '../src/index.js';

describe('seededRandom and variants', () => {
  it('the same seed gives the same numbers, in [0, 1); another seed others', () => {
    const a = Array.from({ length: 5 }, seededRandom(3));
    expect(Array.from({ length: 5 }, seededRandom(3))).toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom(4))).not.toEqual(a);
    for (const x of Array.from({ length: 1000 }, seededRandom(9))) expect(x >= 0 && x < 1).toBe(true);
  });

  it('variants change one to maxChanges of the given fields, to the given values or deleted', () => {
    const base = () => ({ a: 1, b: 2, c: 3 });
    const all = [
      ...variants(base, { fields: ['a', 'b'], values: ['x', 'y'], count: 500, seed: 5, maxChanges: 2 }),
    ];
    expect(all).toHaveLength(500);
    let deleted = 0;
    for (const v of all) {
      expect(v.c).toBe(3);
      const changed = (['a', 'b'] as const).filter((k) => v[k] !== base()[k]);
      expect(changed.length).toBeGreaterThanOrEqual(1);
      for (const k of changed) {
        if (!(k in v)) deleted++;
        else expect(['x', 'y']).toContain(v[k]);
      }
    }
    // About 15% of changes delete; some, not all.
    expect(deleted).toBeGreaterThan(20);
    expect(deleted).toBeLessThan(250);
    expect([...variants(base, { fields: ['a'], values: [0], count: 3, seed: 5 })]).toEqual([
      ...variants(base, { fields: ['a'], values: [0], count: 3, seed: 5 }),
    ]);
  });
});

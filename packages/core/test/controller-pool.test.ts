import { describe, expect, it } from 'vitest';
import { ControllerPool } from '../src/agent/controller-pool.js';

describe('ControllerPool', () => {
  it('hands a controller back out only when its signal is as good as new', () => {
    const pool = new ControllerPool();
    const clean = pool.take();
    void clean.signal;
    pool.give(clean);
    expect(pool.take()).toBe(clean);

    const aborted = pool.take();
    aborted.abort(new Error('client gone'));
    pool.give(aborted);
    const listened = pool.take();
    expect(listened).not.toBe(aborted);
    listened.signal.addEventListener('abort', () => undefined);
    pool.give(listened);
    const next = pool.take();
    expect(next).not.toBe(listened);
    expect(next.signal.aborted).toBe(false);
  });

  it('keeps at most its capacity', () => {
    const pool = new ControllerPool(2);
    const given = [new AbortController(), new AbortController(), new AbortController()];
    for (const c of given) pool.give(c);
    expect([pool.take(), pool.take()]).toEqual([given[1], given[0]]);
    expect(given).not.toContain(pool.take());
  });
});

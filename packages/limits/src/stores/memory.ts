import type { LimitName } from '../limits.js';
import { bucketOf, retryAfter, windowSum } from '../window.js';
import type { LimitStore, Reservation, ReserveOutcome, ReserveRequest } from './store.js';

/**
 * Limits in this process's memory: exact within one process, nothing shared between processes. No timer:
 * expired buckets are dropped when a window is read.
 *
 * @example
 * ```ts
 * const plugin = limitsPlugin({ store: new MemoryLimitStore(), limits: { requestsPerMinute: 60 } });
 * ```
 */
export class MemoryLimitStore implements LimitStore {
  readonly name: string;
  readonly #windows = new Map<string, Map<number, number>>();
  readonly #concurrent = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: { name?: string; now?: () => number } = {}) {
    this.name = options.name ?? 'memory';
    this.#now = options.now ?? Date.now;
  }

  #buckets(subject: string, name: LimitName): Map<number, number> {
    const key = `${subject}\u0000${name}`;
    let b = this.#windows.get(key);
    if (!b) {
      b = new Map();
      this.#windows.set(key, b);
    }
    return b;
  }

  async reserve(req: ReserveRequest): Promise<ReserveOutcome> {
    return this.reserveSync(req);
  }

  /** The synchronous core of `reserve` (atomic by construction: nothing else runs in between). */
  reserveSync(req: ReserveRequest): ReserveOutcome {
    const now = this.#now();
    for (const c of req.charges) {
      const buckets = this.#buckets(req.subject, c.name);
      const current = windowSum(buckets, now, c.windowMs);
      if (current + c.amount > c.limit + 1e-9) {
        return {
          ok: false,
          name: c.name,
          limit: c.limit,
          current,
          requested: c.amount,
          retryAfterMs: retryAfter(buckets, now, c.windowMs, c.limit, c.amount),
        };
      }
    }
    if (req.concurrent) {
      const inFlight = this.#concurrent.get(req.subject) ?? 0;
      if (inFlight + 1 > req.concurrent.limit) {
        return {
          ok: false,
          name: 'concurrent',
          limit: req.concurrent.limit,
          current: inFlight,
          requested: 1,
          retryAfterMs: null,
        };
      }
      this.#concurrent.set(req.subject, inFlight + 1);
    }
    for (const c of req.charges) {
      const buckets = this.#buckets(req.subject, c.name);
      const i = bucketOf(now, c.windowMs);
      buckets.set(i, (buckets.get(i) ?? 0) + c.amount);
    }
    return {
      ok: true,
      reservation: {
        subject: req.subject,
        at: now,
        charges: req.charges.map(({ name, windowMs, amount }) => ({ name, windowMs, amount })),
        concurrent: req.concurrent !== undefined,
        store: this.name,
      },
    };
  }

  async adjust(
    r: Reservation,
    deltas: Partial<Record<LimitName, number>>,
    releaseConcurrent: boolean,
  ): Promise<void> {
    for (const c of r.charges) {
      const delta = deltas[c.name];
      if (!delta) continue;
      const buckets = this.#buckets(r.subject, c.name);
      const i = bucketOf(r.at, c.windowMs);
      const next = (buckets.get(i) ?? 0) + delta;
      if (next > 1e-12) buckets.set(i, next);
      else buckets.delete(i);
    }
    if (releaseConcurrent && r.concurrent) {
      const n = (this.#concurrent.get(r.subject) ?? 1) - 1;
      if (n > 0) this.#concurrent.set(r.subject, n);
      else this.#concurrent.delete(r.subject);
    }
  }

  async current(
    subject: string,
    windows: { name: LimitName; windowMs: number }[],
  ): Promise<Partial<Record<LimitName, number>>> {
    const now = this.#now();
    const out: Partial<Record<LimitName, number>> = {};
    for (const w of windows)
      out[w.name] =
        w.name === 'concurrent'
          ? (this.#concurrent.get(subject) ?? 0)
          : windowSum(this.#buckets(subject, w.name), now, w.windowMs);
    return out;
  }
}

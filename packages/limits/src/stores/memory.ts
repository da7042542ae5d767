import type { LimitName } from '../limits.js';
import { bucketOf, retryAfter, windowSum } from '../window.js';
import {
  CONCURRENCY_RETRY_MS,
  type LimitStore,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
} from './store.js';

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
  /** Per subject: live leases, id → expiry. */
  readonly #leases = new Map<string, Map<string, number>>();
  /** Reservations not settled yet (settling is idempotent by id). */
  readonly #open = new Set<string>();
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
      const leases = this.#liveLeases(req.subject, now);
      if (leases.size + 1 > req.concurrent.limit) {
        return {
          ok: false,
          name: 'concurrent',
          limit: req.concurrent.limit,
          current: leases.size,
          requested: 1,
          retryAfterMs: CONCURRENCY_RETRY_MS,
        };
      }
      leases.set(req.id, now + req.concurrent.leaseMs);
    }
    for (const c of req.charges) {
      const buckets = this.#buckets(req.subject, c.name);
      const i = bucketOf(now, c.windowMs);
      buckets.set(i, (buckets.get(i) ?? 0) + c.amount);
    }
    this.#open.add(req.id);
    return {
      ok: true,
      reservation: {
        id: req.id,
        subject: req.subject,
        at: now,
        charges: req.charges.map(({ name, windowMs, amount }) => ({ name, windowMs, amount })),
        leaseMs: req.concurrent?.leaseMs ?? null,
        store: this.name,
      },
    };
  }

  /** The subject's leases, expired ones dropped. */
  #liveLeases(subject: string, now: number): Map<string, number> {
    let leases = this.#leases.get(subject);
    if (!leases) {
      leases = new Map();
      this.#leases.set(subject, leases);
    }
    for (const [id, expires] of leases) if (expires <= now) leases.delete(id);
    return leases;
  }

  async settle(r: Reservation, deltas: Partial<Record<LimitName, number>>): Promise<void> {
    this.settleSync(r, deltas);
  }

  /** The synchronous core of `settle`. */
  settleSync(r: Reservation, deltas: Partial<Record<LimitName, number>>): void {
    if (!this.#open.delete(r.id)) return; // settled already
    for (const c of r.charges) {
      const delta = deltas[c.name];
      if (!delta) continue;
      const buckets = this.#buckets(r.subject, c.name);
      const i = bucketOf(r.at, c.windowMs);
      const next = (buckets.get(i) ?? 0) + delta;
      if (next > 1e-12) buckets.set(i, next);
      else buckets.delete(i);
    }
    const leases = this.#leases.get(r.subject);
    if (leases?.delete(r.id) && leases.size === 0) this.#leases.delete(r.subject);
  }

  async renew(r: Reservation): Promise<void> {
    if (r.leaseMs === null) return;
    const leases = this.#leases.get(r.subject);
    if (leases?.has(r.id)) leases.set(r.id, this.#now() + r.leaseMs);
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
          ? this.#liveLeases(subject, now).size
          : windowSum(this.#buckets(subject, w.name), now, w.windowMs);
    return out;
  }
}

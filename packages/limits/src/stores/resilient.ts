import { LimitStoreUnavailableError } from '../errors.js';
import type { LimitsEmitter, StoreErrorPolicy } from '../events.js';
import type { LimitName } from '../limits.js';
import { MemoryLimitStore } from './memory.js';
import {
  type LimitStore,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
  refundOf,
} from './store.js';

/** Settles waiting for the store to answer again (oldest dropped beyond this). */
const MAX_PENDING = 10_000;

/**
 * Applies the failure policy around a store: while it fails, requests are refused (`fail-closed`), admitted
 * (`fail-open`) or limited by an in-process memory store (`fallback-memory`). An outage is announced once
 * (`store:unavailable`) and its end once (`store:recovered`). Nothing is lost to it: a reserve that failed
 * (it may still run on the store later, after its client gave up) is cancelled, and a settle that failed is
 * sent again, when the store answers again; settles are idempotent, so neither can count twice. Concurrency
 * leases that nobody releases lapse on their own.
 */
export class ResilientStore implements LimitStore {
  readonly name: string;
  readonly #primary: LimitStore;
  readonly #policy: StoreErrorPolicy;
  readonly #events: LimitsEmitter;
  readonly #fallback: MemoryLimitStore;
  #down = false;
  /** Settles (and cancels) to send to the primary once it answers again. */
  #pending: { reservation: Reservation; deltas: Partial<Record<LimitName, number>> }[] = [];

  constructor(primary: LimitStore, policy: StoreErrorPolicy, events: LimitsEmitter) {
    this.name = primary.name;
    this.#primary = primary;
    this.#policy = policy;
    this.#events = events;
    this.#fallback = new MemoryLimitStore({ name: `${primary.name}-fallback` });
  }

  #failed(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    const e = error instanceof Error ? error : new Error(String(error));
    this.#events.emit('store:unavailable', { store: this.#primary.name, error: e, policy: this.#policy });
  }

  #ok(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#events.emit('store:recovered', { store: this.#primary.name });
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) this.settle(p.reservation, p.deltas).catch(() => undefined); // queued again on failure
  }

  #later(reservation: Reservation, deltas: Partial<Record<LimitName, number>>): void {
    this.#pending.push({ reservation, deltas });
    if (this.#pending.length > MAX_PENDING) this.#pending.shift();
  }

  async reserve(req: ReserveRequest): Promise<ReserveOutcome> {
    try {
      const out = await this.#primary.reserve(req);
      this.#ok();
      return out;
    } catch (error) {
      this.#failed(error);
      // The script may still run once the store answers: cancel it then (a no-op if it never ran).
      this.#later(
        {
          id: req.id,
          subject: req.subject,
          at: Date.now(),
          charges: req.charges,
          leaseMs: req.concurrent?.leaseMs ?? null,
          store: this.#primary.name,
        },
        refundOf(req),
      );
      if (this.#policy === 'fail-closed') throw new LimitStoreUnavailableError(this.#primary.name, error);
      if (this.#policy === 'fallback-memory') return this.#fallback.reserveSync(req);
      return {
        ok: true,
        reservation: {
          id: req.id,
          subject: req.subject,
          at: Date.now(),
          charges: [],
          leaseMs: null,
          store: 'none',
        },
      };
    }
  }

  async settle(r: Reservation, deltas: Partial<Record<LimitName, number>>): Promise<void> {
    if (r.store === 'none') return;
    if (r.store === this.#fallback.name) return this.#fallback.settle(r, deltas);
    try {
      await this.#primary.settle(r, deltas);
      this.#ok();
    } catch (error) {
      this.#failed(error);
      this.#later(r, deltas);
      throw error;
    }
  }

  async renew(r: Reservation): Promise<void> {
    if (r.store === 'none') return;
    if (r.store === this.#fallback.name) return this.#fallback.renew(r);
    await this.#primary.renew(r);
  }

  current(subject: string, windows: { name: LimitName; windowMs: number }[]) {
    return this.#primary.current(subject, windows);
  }

  async close(): Promise<void> {
    await this.#primary.close?.();
  }
}

import { LimitStoreUnavailableError } from '../errors.js';
import type { LimitsEmitter, StoreErrorPolicy } from '../events.js';
import type { LimitName } from '../limits.js';
import { MemoryLimitStore } from './memory.js';
import type { LimitStore, Reservation, ReserveOutcome, ReserveRequest } from './store.js';

/**
 * Applies the failure policy around a store: while it fails, requests are refused (`fail-closed`), admitted
 * (`fail-open`) or limited by an in-process memory store (`fallback-memory`); every change is an event.
 */
export class ResilientStore implements LimitStore {
  readonly name: string;
  readonly #primary: LimitStore;
  readonly #policy: StoreErrorPolicy;
  readonly #events: LimitsEmitter;
  readonly #fallback: MemoryLimitStore;
  #down = false;

  constructor(primary: LimitStore, policy: StoreErrorPolicy, events: LimitsEmitter) {
    this.name = primary.name;
    this.#primary = primary;
    this.#policy = policy;
    this.#events = events;
    this.#fallback = new MemoryLimitStore({ name: `${primary.name}-fallback` });
  }

  #failed(error: unknown) {
    const e = error instanceof Error ? error : new Error(String(error));
    this.#down = true;
    this.#events.emit('store:unavailable', { store: this.#primary.name, error: e, policy: this.#policy });
  }

  #ok() {
    if (this.#down) {
      this.#down = false;
      this.#events.emit('store:recovered', { store: this.#primary.name });
    }
  }

  async reserve(req: ReserveRequest): Promise<ReserveOutcome> {
    try {
      const out = await this.#primary.reserve(req);
      this.#ok();
      return out;
    } catch (error) {
      this.#failed(error);
      if (this.#policy === 'fail-closed') throw new LimitStoreUnavailableError(this.#primary.name, error);
      if (this.#policy === 'fallback-memory') return this.#fallback.reserveSync(req);
      return {
        ok: true,
        reservation: { subject: req.subject, at: Date.now(), charges: [], concurrent: false, store: 'none' },
      };
    }
  }

  async adjust(
    r: Reservation,
    deltas: Partial<Record<LimitName, number>>,
    releaseConcurrent: boolean,
  ): Promise<void> {
    if (r.store === 'none') return;
    if (r.store === this.#fallback.name) return this.#fallback.adjust(r, deltas, releaseConcurrent);
    await this.#primary.adjust(r, deltas, releaseConcurrent);
  }

  current(subject: string, windows: { name: LimitName; windowMs: number }[]) {
    return this.#primary.current(subject, windows);
  }

  async close(): Promise<void> {
    await this.#primary.close?.();
  }
}

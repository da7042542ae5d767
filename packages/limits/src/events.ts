import type { LimitName } from './limits.js';

/** Events of the limits plugin. Library code never logs: subscribe with `plugin.on(type, listener)`. */
export interface LimitsEvents {
  /** A request was refused by a limit. */
  rejected: { subject: string; limit: LimitName; value: number; current: number; requested: number };
  /** The store failed; `policy` says what happened to the request. */
  store_unavailable: { store: string; error: Error; policy: StoreErrorPolicy };
  /** The store answered again after failing. */
  store_recovered: { store: string };
  /** A model of the ladder has no price: its share of the cost reservation is `unpricedModelCost` (default 0). */
  unpriced_model: { model: string };
  /** Settling or releasing a reservation failed; the reservation expires with its window. */
  settle_failed: { subject: string; error: Error };
}

/** What happens to requests while the store is down. */
export type StoreErrorPolicy = 'fail-open' | 'fail-closed' | 'fallback-memory';

type Listener<K extends keyof LimitsEvents> = (event: LimitsEvents[K]) => void;

/** A small typed emitter; a throwing listener does not affect requests. */
export class LimitsEmitter {
  readonly #listeners = new Map<keyof LimitsEvents, Set<(e: unknown) => void>>();

  on<K extends keyof LimitsEvents>(type: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as (e: unknown) => void);
    return () => set.delete(listener as (e: unknown) => void);
  }

  emit<K extends keyof LimitsEvents>(type: K, event: LimitsEvents[K]): void {
    for (const l of this.#listeners.get(type) ?? []) {
      try {
        l(event);
      } catch {
        // listeners must not break requests
      }
    }
  }
}

import { TypedEmitter } from '@cascadeflow/core';
import type { LimitName } from './limits.js';

/** Events of the limits plugin. Library code never logs: subscribe with `plugin.on(type, listener)`. */
export interface LimitsEvents {
  /** A request was refused by a limit. */
  'limit:rejected': { subject: string; limit: LimitName; value: number; current: number; requested: number };
  /** The store failed; `policy` says what happened to the request. */
  'store:unavailable': { store: string; error: Error; policy: StoreErrorPolicy };
  /** The store answered again after failing. */
  'store:recovered': { store: string };
  /** A model of the ladder has no price: its share of the cost reservation is `unpricedModelCost` (default 0). */
  'model:unpriced': { model: string };
  /** Settling or releasing a reservation failed; the reservation expires with its window. */
  'settle:failed': { subject: string; error: Error };
}

/** What happens to requests while the store is down. */
export type StoreErrorPolicy = 'fail-open' | 'fail-closed' | 'fallback-memory';

/**
 * The limits plugin's emitter.
 *
 * @example
 * ```ts
 * const events = new LimitsEmitter();
 * events.on('limit:rejected', (e) => console.log(e.limit));
 * ```
 */
export class LimitsEmitter extends TypedEmitter<LimitsEvents> {}

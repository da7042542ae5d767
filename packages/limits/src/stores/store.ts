import type { LimitName } from '../limits.js';

/** One window to charge: its limit and the amount this request reserves. */
export interface WindowCharge {
  name: LimitName;
  windowMs: number;
  limit: number;
  amount: number;
}

/** What to reserve, atomically: every window, and a concurrency slot. */
export interface ReserveRequest {
  subject: string;
  charges: WindowCharge[];
  concurrent?: { limit: number; ttlMs: number };
}

/** A reservation made: where it was charged, so that it can be settled or released. */
export interface Reservation {
  subject: string;
  /** The store's clock when it was made, in ms. */
  at: number;
  charges: { name: LimitName; windowMs: number; amount: number }[];
  concurrent: boolean;
  /** Which store holds it (a fallback store may hold some while Redis is down). */
  store: string;
}

/** The outcome of a reservation: made, or refused by one limit. */
export type ReserveOutcome =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      name: LimitName;
      limit: number;
      current: number;
      requested: number;
      retryAfterMs: number | null;
    };

/**
 * Where limits live. `reserve` checks every window and takes the amounts in one atomic step, so that no
 * concurrency (threads of one process or many processes on one store) can overshoot a limit.
 */
export interface LimitStore {
  readonly name: string;
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  /** Adds `deltas` (negative to give back) where the reservation was charged; frees its concurrency slot if asked. */
  adjust(
    reservation: Reservation,
    deltas: Partial<Record<LimitName, number>>,
    releaseConcurrent: boolean,
  ): Promise<void>;
  /** The figures in each window now. */
  current(
    subject: string,
    windows: { name: LimitName; windowMs: number }[],
  ): Promise<Partial<Record<LimitName, number>>>;
  close?(): Promise<void>;
}

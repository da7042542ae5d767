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
  /**
   * Unique id of the reservation: its concurrency lease carries it, and settling is idempotent by it (a
   * settle sent twice, or a cancel after a settle, changes nothing).
   */
  id: string;
  subject: string;
  charges: WindowCharge[];
  /** A concurrency slot, held as a lease that expires after `leaseMs` unless renewed. */
  concurrent?: { limit: number; leaseMs: number };
}

/** A reservation made: where it was charged, so that it can be settled or released. */
export interface Reservation {
  id: string;
  subject: string;
  /** The store's clock when it was made, in ms. */
  at: number;
  charges: { name: LimitName; windowMs: number; amount: number }[];
  /** The lease length of its concurrency slot, or null when it holds none. */
  leaseMs: number | null;
  /** Which store holds it (a fallback store may hold some while Redis is down). */
  store: string;
}

/**
 * When to retry after a concurrency refusal: a slot frees as soon as a run in flight ends, which no one can
 * predict, so the hint is short.
 */
export const CONCURRENCY_RETRY_MS = 1000;

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
 * concurrency (threads of one process or many processes on one store) can overshoot a limit. A concurrency
 * slot is a lease with the reservation's id: it frees itself when it is not renewed, so a lost release (a
 * crashed process, a reserve that ran after its client gave up) blocks no one for longer than a lease.
 */
export interface LimitStore {
  readonly name: string;
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  /**
   * Adds `deltas` (negative to give back) where the reservation was charged and frees its concurrency slot:
   * once. A second settle of the same reservation does nothing, so a settle whose answer was lost can be
   * sent again, and a reservation whose reserve timed out can be cancelled (settled with every charge given
   * back) whether or not the reserve ran.
   */
  settle(reservation: Reservation, deltas: Partial<Record<LimitName, number>>): Promise<void>;
  /** Extends the reservation's concurrency lease by `leaseMs` from now. */
  renew(reservation: Reservation): Promise<void>;
  /** The figures in each window now (`concurrent`: live leases). */
  current(
    subject: string,
    windows: { name: LimitName; windowMs: number }[],
  ): Promise<Partial<Record<LimitName, number>>>;
  close?(): Promise<void>;
}

/** The deltas that give a reservation back whole (what a cancel settles with). */
export function refundOf(r: Pick<Reservation, 'charges'>): Partial<Record<LimitName, number>> {
  const deltas: Partial<Record<LimitName, number>> = {};
  for (const c of r.charges) deltas[c.name] = -c.amount;
  return deltas;
}

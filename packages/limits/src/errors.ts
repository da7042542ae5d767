import { RequestRejectedError } from '@cascadeflow/core';
import type { LimitName } from './limits.js';

/** What every limit error carries. */
export interface LimitDetails {
  /** The limit's name, e.g. `requests_per_minute`. */
  limit: LimitName;
  /** Its value (requests, tokens or USD). */
  value: number;
  /** The figure in the window now, before this request. */
  current: number;
  /** What this request needed. */
  requested: number;
  /** The user or key the limit applies to. */
  subject: string;
  /** When to retry; undefined when the request can never fit (it alone exceeds the limit). */
  retryAfterMs: number | undefined;
}

function message(d: LimitDetails, what: string): string {
  const fmt = (x: number) =>
    d.limit.startsWith('cost') ? `$${x.toFixed(4)}` : `${Math.round(x * 100) / 100}`;
  if (d.limit === 'concurrent') {
    return `${what} concurrent of ${fmt(d.value)} reached for "${d.subject}" (${fmt(d.current)} runs in flight); a slot frees when one of them ends: retry in ${Math.ceil((d.retryAfterMs ?? 1000) / 1000)} s.`;
  }
  const advice = d.limit.startsWith('cost')
    ? "this request's worst case alone (every tier writing its maxTokens) exceeds it: lower maxTokens, shorten the ladder, or raise the budget"
    : d.limit.startsWith('tokens')
      ? 'this request alone (its input and every tier writing its maxTokens) exceeds it: lower maxTokens or raise the limit'
      : 'the limit is lower than one request: raise it';
  const when = d.retryAfterMs === undefined ? advice : `retry in ${Math.ceil(d.retryAfterMs / 1000)} s`;
  return `${what} ${d.limit} of ${fmt(d.value)} reached for "${d.subject}" (used ${fmt(d.current)}, this request needs ${fmt(d.requested)}); ${when}.`;
}

/**
 * A limit would be exceeded: the common shape of {@link RateLimitError} and {@link BudgetExceededError}.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof LimitError) respond(429, { retryAfterMs: e.retryAfterMs, limit: e.limit }); }
 * ```
 */
export class LimitError extends RequestRejectedError {
  static override readonly kind: string = 'cascadeflow.limits.LimitError';
  readonly limit: LimitName;
  readonly value: number;
  readonly current: number;
  readonly requested: number;
  readonly subject: string;
  constructor(d: LimitDetails, what: string, code: 'rate_limited' | 'budget_exceeded') {
    super({
      reason: message(d, what),
      code,
      // Waiting helps a rate or concurrency limit; a spent budget stays spent until its window slides.
      retryable: code === 'rate_limited',
      ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
      data: { ...d },
    });
    this.limit = d.limit;
    this.value = d.value;
    this.current = d.current;
    this.requested = d.requested;
    this.subject = d.subject;
  }
}

/**
 * A rate limit (requests, tokens or concurrent runs) would be exceeded.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof RateLimitError) setTimeout(retry, e.retryAfterMs ?? 1000); }
 * ```
 */
export class RateLimitError extends LimitError {
  static override readonly kind: string = 'cascadeflow.limits.RateLimitError';
  constructor(d: LimitDetails) {
    super(d, 'Rate limit', 'rate_limited');
    this.name = 'RateLimitError';
  }
}

/**
 * A cost budget would be exceeded.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof BudgetExceededError) notifyUser(`budget ${e.limit} of $${e.value} reached`); }
 * ```
 */
export class BudgetExceededError extends LimitError {
  static override readonly kind: string = 'cascadeflow.limits.BudgetExceededError';
  constructor(d: LimitDetails) {
    super(d, 'Budget', 'budget_exceeded');
    this.name = 'BudgetExceededError';
  }
}

/**
 * The limits store (Redis) cannot be reached and the policy is `fail-closed`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof LimitStoreUnavailableError) respond(503, 'limits store down'); }
 * ```
 */
export class LimitStoreUnavailableError extends RequestRejectedError {
  static override readonly kind: string = 'cascadeflow.limits.LimitStoreUnavailableError';
  readonly store: string;
  constructor(store: string, cause: unknown) {
    super({
      reason: `The limits store "${store}" is unavailable (${cause instanceof Error ? cause.message : String(cause)}); requests are refused by the fail-closed policy. Restore the store or choose onStoreError: 'fallback-memory'.`,
      code: 'limits_store_unavailable',
      data: { store },
    });
    this.name = 'LimitStoreUnavailableError';
    this.store = store;
  }
}

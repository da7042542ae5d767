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
  const when =
    d.retryAfterMs === undefined
      ? 'this request alone exceeds it: lower maxTokens or raise the limit'
      : `retry in ${Math.ceil(d.retryAfterMs / 1000)} s`;
  return `${what} ${d.limit} of ${fmt(d.value)} reached for "${d.subject}" (used ${fmt(d.current)}, this request needs ${fmt(d.requested)}); ${when}.`;
}

/** A rate limit (requests, tokens or concurrent runs) would be exceeded. */
export class RateLimitError extends RequestRejectedError {
  readonly limit: LimitName;
  readonly value: number;
  readonly current: number;
  readonly requested: number;
  readonly subject: string;
  constructor(d: LimitDetails) {
    super({
      reason: message(d, 'Rate limit'),
      code: 'rate_limited',
      ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
      data: { ...d },
    });
    this.name = 'RateLimitError';
    this.limit = d.limit;
    this.value = d.value;
    this.current = d.current;
    this.requested = d.requested;
    this.subject = d.subject;
  }
}

/** A cost budget would be exceeded. */
export class BudgetExceededError extends RequestRejectedError {
  readonly limit: LimitName;
  readonly value: number;
  readonly current: number;
  readonly requested: number;
  readonly subject: string;
  constructor(d: LimitDetails) {
    super({
      reason: message(d, 'Budget'),
      code: 'budget_exceeded',
      ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
      data: { ...d },
    });
    this.name = 'BudgetExceededError';
    this.limit = d.limit;
    this.value = d.value;
    this.current = d.current;
    this.requested = d.requested;
    this.subject = d.subject;
  }
}

/** The limits store (Redis) cannot be reached and the policy is `fail-closed`. */
export class LimitStoreUnavailableError extends RequestRejectedError {
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

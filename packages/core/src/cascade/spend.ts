import type { AttemptRecord } from '../agent/result.js';
import { addUsage, ZERO_USAGE } from '../pricing/usage.js';
import type { Usage } from '../types/messages.js';

/**
 * What a run's provider calls cost, summed over its attempts (validators' own calls included, since they are
 * part of each attempt's cost).
 */
export interface Spend {
  /** USD; null when an attempt that has usage has no known price (its cost cannot be counted). */
  cost: number | null;
  /** Tokens of every attempt. */
  usage: Usage;
  /** True when some attempt's usage is an estimate (cut short before the provider reported it). */
  estimated: boolean;
}

/** The spend of no attempts. */
export const NO_SPEND: Spend = Object.freeze({ cost: 0, usage: ZERO_USAGE, estimated: false });

/**
 * The one rule for what attempts cost: the sum of their costs, null as soon as one attempt that used tokens
 * has an unknown price; an attempt without usage (failed before any answer) costs nothing.
 *
 * @example
 * ```ts
 * const { cost, usage } = spendOf(result.attempts);
 * ```
 */
export function spendOf(attempts: readonly AttemptRecord[]): Spend {
  let cost: number | null = 0;
  let usage = ZERO_USAGE;
  let estimated = false;
  for (const a of attempts) {
    if (a.usage === null) continue;
    usage = addUsage(usage, a.usage);
    if (a.usageEstimated) estimated = true;
    cost = cost === null || a.cost === null ? null : cost + a.cost;
  }
  return { cost, usage, estimated };
}

import { InvalidConfigError } from '@cascadeflow/core';
import { z } from 'zod';

/**
 * Limits of one user (or tier). Every field is optional; a missing field means no limit. Windows slide:
 * "per day" is the last 24 hours, "per week" the last 7 days, "per month" the last 30 days.
 */
export interface LimitsConfig {
  requestsPerMinute?: number;
  requestsPerHour?: number;
  requestsPerDay?: number;
  tokensPerMinute?: number;
  tokensPerDay?: number;
  /** USD. */
  costPerDay?: number;
  costPerWeek?: number;
  costPerMonth?: number;
  /** Runs in flight at once. */
  concurrent?: number;
}

/** The name of one limit, as it appears in errors and events. */
export type LimitName =
  | 'requests_per_minute'
  | 'requests_per_hour'
  | 'requests_per_day'
  | 'tokens_per_minute'
  | 'tokens_per_day'
  | 'cost_per_day'
  | 'cost_per_week'
  | 'cost_per_month'
  | 'concurrent';

/** What a window counts. */
export type LimitKind = 'requests' | 'tokens' | 'cost';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Every windowed limit: its config field, name, kind and window.
 *
 * @example
 * ```ts
 * for (const w of WINDOWS) console.log(w.name, w.windowMs); // requests_per_minute 60000, …
 * ```
 */
export const WINDOWS: readonly {
  field: keyof LimitsConfig;
  name: LimitName;
  kind: LimitKind;
  windowMs: number;
}[] = [
  { field: 'requestsPerMinute', name: 'requests_per_minute', kind: 'requests', windowMs: MINUTE },
  { field: 'requestsPerHour', name: 'requests_per_hour', kind: 'requests', windowMs: HOUR },
  { field: 'requestsPerDay', name: 'requests_per_day', kind: 'requests', windowMs: DAY },
  { field: 'tokensPerMinute', name: 'tokens_per_minute', kind: 'tokens', windowMs: MINUTE },
  { field: 'tokensPerDay', name: 'tokens_per_day', kind: 'tokens', windowMs: DAY },
  { field: 'costPerDay', name: 'cost_per_day', kind: 'cost', windowMs: DAY },
  { field: 'costPerWeek', name: 'cost_per_week', kind: 'cost', windowMs: 7 * DAY },
  { field: 'costPerMonth', name: 'cost_per_month', kind: 'cost', windowMs: 30 * DAY },
];

const nonNegative = (what: string) =>
  z
    .number({ error: `must be a number (${what})` })
    .finite()
    .min(0, `must be ≥ 0 (${what})`);

const schema = z
  .object({
    requestsPerMinute: nonNegative('requests').optional(),
    requestsPerHour: nonNegative('requests').optional(),
    requestsPerDay: nonNegative('requests').optional(),
    tokensPerMinute: nonNegative('tokens').optional(),
    tokensPerDay: nonNegative('tokens').optional(),
    costPerDay: nonNegative('USD').optional(),
    costPerWeek: nonNegative('USD').optional(),
    costPerMonth: nonNegative('USD').optional(),
    concurrent: z.number().int('must be a whole number of runs').min(0).optional(),
  })
  .strict();

/**
 * Validates a limits configuration; throws `InvalidConfigError` naming the field.
 *
 * @example
 * ```ts
 * const limits = validateLimits(JSON.parse(raw)); // throws InvalidConfigError naming the bad field
 * ```
 */
export function validateLimits(config: unknown, field = 'limits'): LimitsConfig {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join('.');
  throw new InvalidConfigError(
    path,
    issue?.code === 'unrecognized_keys'
      ? `unknown limit ${issue.keys.join(', ')}`
      : (issue?.message ?? 'is invalid'),
  );
}

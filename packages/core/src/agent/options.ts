import { z } from 'zod';
import type { CascadePlugin } from '../plugins/plugin.js';
import type { PricingTable } from '../pricing/pricing.js';
import type { CombineMode, QualityValidator } from '../quality/validator.js';
import type { Provider } from '../types/provider.js';
import { type TierOptions, tierSchema } from './request.js';
import type { RetryOptions } from './retry.js';

/** Options of {@link CascadeAgent}. */
export interface CascadeAgentOptions {
  /** Providers by name (tiers refer to these names), or a list (each under its own `name`). */
  providers: Record<string, Provider> | Provider[];
  /** The ladder, cheapest first. Its order is the escalation order: it is never re-sorted. */
  ladder: TierOptions[];
  /** Prices in USD per million tokens, merged over {@link DEFAULT_PRICES} (set `defaultPrices: false` to drop those). */
  pricing?: PricingTable;
  defaultPrices?: boolean;
  /** Quality validators; default {@link defaultValidators}. */
  validators?: QualityValidator[];
  /** How validator scores combine. Default `min`. */
  combine?: CombineMode;
  /** Threshold of a tier that sets none. Default 0.7, a starting point: calibrate on your own traffic. */
  defaultThreshold?: number;
  /** Move thresholds by the query's estimated complexity (±0.05). Default false. */
  adjustThresholdsByComplexity?: boolean;
  plugins?: CascadePlugin<any>[];
  retry?: RetryOptions;
  /** Per-attempt timeout in ms. Default 60000. */
  timeoutMs?: number;
}

export const optionsSchema = z.object({
  ladder: z.array(tierSchema).min(1, 'is empty; give at least one tier (cheapest first)'),
  defaultThreshold: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  timeoutMs: z.number().positive().optional(),
  combine: z.enum(['min', 'mean']).optional(),
  retry: z
    .object({
      maxRetries: z.number().int().min(0).optional(),
      baseDelayMs: z.number().min(0).optional(),
      maxDelayMs: z.number().min(0).optional(),
      maxRetryAfterMs: z.number().min(0).optional(),
    })
    .optional(),
});

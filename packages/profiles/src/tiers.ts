import { deepFreeze } from './deep-freeze.js';

/**
 * Tier levels, cheapest first.
 *
 * @example
 * ```ts
 * if (!TIER_LEVELS.includes(input as TierLevel)) throw new Error('unknown tier');
 * ```
 */
export const TIER_LEVELS = ['free', 'starter', 'pro', 'business', 'enterprise'] as const;
export type TierLevel = (typeof TIER_LEVELS)[number];

/** Everything a tier decides. Money in USD. */
export interface TierConfig {
  level: TierLevel;
  budgets: { daily?: number; weekly?: number; monthly?: number };
  rateLimits: {
    requestsPerMinute?: number;
    requestsPerHour?: number;
    requestsPerDay?: number;
    tokensPerMinute?: number;
    concurrent?: number;
  };
  /** Models the tier may use (null: any), and models it may not. */
  allowedModels: string[] | null;
  blockedModels: string[];
  /** The ladder the tier uses (model or tier names of the agent's ladder, cheapest first); null: the agent's. */
  ladder: string[] | null;
  /** Acceptance threshold for every tier but the last: how good a draft must be. */
  qualityTarget: number;
  /** Cap on output tokens per request. */
  maxTokens: number;
  features: { streaming: boolean; batch: boolean; tools: boolean };
  guardrails: { pii: 'strict' | 'standard' | 'off'; moderation: boolean };
}

/** A deep partial of a tier, for a user's overrides. */
export type TierOverrides = {
  [K in keyof TierConfig]?: TierConfig[K] extends (infer U)[] | null
    ? U[] | null
    : TierConfig[K] extends object
      ? Partial<TierConfig[K]>
      : TierConfig[K];
};

/**
 * The presets (see the README for the reasoning). Frozen: read them, or take a copy with
 * {@link tierPreset} to change one.
 *
 * @example
 * ```ts
 * console.log(TIER_PRESETS.pro.budgets.daily); // 10
 * ```
 */
export const TIER_PRESETS: Readonly<Record<TierLevel, Readonly<TierConfig>>> = deepFreeze({
  free: {
    level: 'free',
    budgets: { daily: 0.1, weekly: 0.5, monthly: 1 },
    rateLimits: {
      requestsPerMinute: 10,
      requestsPerHour: 100,
      requestsPerDay: 300,
      tokensPerMinute: 20_000,
      concurrent: 1,
    },
    allowedModels: ['gpt-4o-mini', 'claude-3-5-haiku', 'claude-haiku-4-5', 'gpt-4.1-nano', 'gpt-4.1-mini'],
    blockedModels: [],
    ladder: null,
    qualityTarget: 0.6,
    maxTokens: 1024,
    features: { streaming: true, batch: false, tools: false },
    guardrails: { pii: 'strict', moderation: true },
  },
  starter: {
    level: 'starter',
    budgets: { daily: 1, weekly: 5, monthly: 15 },
    rateLimits: {
      requestsPerMinute: 30,
      requestsPerHour: 600,
      requestsPerDay: 3000,
      tokensPerMinute: 60_000,
      concurrent: 3,
    },
    allowedModels: null,
    blockedModels: ['claude-opus-4'],
    ladder: null,
    qualityTarget: 0.7,
    maxTokens: 2048,
    features: { streaming: true, batch: false, tools: true },
    guardrails: { pii: 'strict', moderation: true },
  },
  pro: {
    level: 'pro',
    budgets: { daily: 10, weekly: 50, monthly: 150 },
    rateLimits: {
      requestsPerMinute: 120,
      requestsPerHour: 3000,
      requestsPerDay: 20_000,
      tokensPerMinute: 300_000,
      concurrent: 10,
    },
    allowedModels: null,
    blockedModels: [],
    ladder: null,
    qualityTarget: 0.8,
    maxTokens: 4096,
    features: { streaming: true, batch: true, tools: true },
    guardrails: { pii: 'standard', moderation: true },
  },
  business: {
    level: 'business',
    budgets: { daily: 100, weekly: 500, monthly: 1500 },
    rateLimits: {
      requestsPerMinute: 600,
      requestsPerHour: 20_000,
      requestsPerDay: 200_000,
      tokensPerMinute: 2_000_000,
      concurrent: 50,
    },
    allowedModels: null,
    blockedModels: [],
    ladder: null,
    qualityTarget: 0.85,
    maxTokens: 8192,
    features: { streaming: true, batch: true, tools: true },
    guardrails: { pii: 'standard', moderation: true },
  },
  enterprise: {
    level: 'enterprise',
    budgets: {},
    rateLimits: { requestsPerMinute: 3000, concurrent: 200 },
    allowedModels: null,
    blockedModels: [],
    ladder: null,
    qualityTarget: 0.9,
    maxTokens: 16_384,
    features: { streaming: true, batch: true, tools: true },
    guardrails: { pii: 'standard', moderation: true },
  },
} satisfies Record<TierLevel, TierConfig>);

/**
 * A fresh, mutable copy of a preset.
 *
 * @example
 * ```ts
 * const pro = tierPreset('pro');
 * pro.budgets.daily = 20; // changes this copy only
 * ```
 */
export function tierPreset(level: TierLevel): TierConfig {
  return structuredClone(TIER_PRESETS[level]) as TierConfig;
}

import { InvalidConfigError } from '@cascadeflow/core';
import { z } from 'zod';
import { TIER_LEVELS, TIER_PRESETS, type TierConfig, type TierLevel, type TierOverrides } from './tiers.js';

/** A user's profile. */
export interface UserProfile {
  id: string;
  tier: TierLevel;
  /** Changes to the tier's preset for this user. */
  overrides: TierOverrides;
  preferences: { preferredModels?: string[]; domain?: string; language?: string };
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** Incremented on every write; used for optimistic concurrency. */
  version: number;
}

/** What a new profile needs: an id and a tier; the rest is optional. */
export type NewProfile = Pick<UserProfile, 'id' | 'tier'> &
  Partial<Pick<UserProfile, 'overrides' | 'preferences' | 'metadata'>>;

const money = z.number().finite().min(0, 'must be ≥ 0 (USD)');
const count = z.number().int('must be a whole number').min(0, 'must be ≥ 0');
const models = z.array(z.string().min(1));

const overridesSchema = z
  .object({
    budgets: z
      .object({ daily: money.optional(), weekly: money.optional(), monthly: money.optional() })
      .strict()
      .optional(),
    rateLimits: z
      .object({
        requestsPerMinute: count.optional(),
        requestsPerHour: count.optional(),
        requestsPerDay: count.optional(),
        tokensPerMinute: count.optional(),
        concurrent: count.optional(),
      })
      .strict()
      .optional(),
    allowedModels: models.nullable().optional(),
    blockedModels: models.optional(),
    ladder: models.min(1, 'must name at least one model').nullable().optional(),
    qualityTarget: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    maxTokens: z.number().int().positive('must be > 0').optional(),
    features: z
      .object({
        streaming: z.boolean().optional(),
        batch: z.boolean().optional(),
        tools: z.boolean().optional(),
      })
      .strict()
      .optional(),
    guardrails: z
      .object({ pii: z.enum(['strict', 'standard', 'off']).optional(), moderation: z.boolean().optional() })
      .strict()
      .optional(),
  })
  .strict();

const newProfileSchema = z.object({
  id: z.string().min(1, 'must be a non-empty id').max(256),
  tier: z.enum(TIER_LEVELS, { error: `must be one of ${TIER_LEVELS.join(', ')}` }),
  overrides: overridesSchema.optional(),
  preferences: z
    .object({
      preferredModels: models.optional(),
      domain: z.string().optional(),
      language: z.string().optional(),
    })
    .strict()
    .optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

function fail(root: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const field = [root, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.join(', ')}`
      : (issue?.message ?? 'is invalid');
  throw new InvalidConfigError(field || root, message);
}

/** Validates a new profile; throws `InvalidConfigError` naming the field (an unknown tier, a negative budget…). */
export function validateNewProfile(input: unknown): NewProfile {
  const parsed = newProfileSchema.safeParse(input);
  if (!parsed.success) fail('profile', parsed.error);
  return parsed.data as NewProfile;
}

/** Validates overrides alone. */
export function validateOverrides(input: unknown, root = 'overrides'): TierOverrides {
  const parsed = overridesSchema.safeParse(input);
  if (!parsed.success) fail(root, parsed.error);
  return parsed.data as TierOverrides;
}

/**
 * The configuration a user actually gets: the tier's preset with the user's overrides applied, checked.
 * With `knownModels`, every model in an allow-list, block-list or ladder must be one of them.
 *
 * @example
 * ```ts
 * const config = effectiveConfig(profile, { knownModels: ['gpt-4o-mini', 'gpt-4o'] });
 * ```
 */
export function effectiveConfig(
  profile: Pick<UserProfile, 'tier' | 'overrides'>,
  options: { knownModels?: readonly string[] } = {},
): TierConfig {
  const preset = TIER_PRESETS[profile.tier];
  if (!preset)
    throw new InvalidConfigError(
      'profile.tier',
      `unknown tier "${profile.tier}"; use one of ${TIER_LEVELS.join(', ')}`,
    );
  const o = validateOverrides(profile.overrides ?? {});
  const config: TierConfig = Object.assign(
    {},
    structuredClone(preset),
    o.allowedModels !== undefined ? { allowedModels: o.allowedModels } : {},
    o.blockedModels !== undefined ? { blockedModels: o.blockedModels } : {},
    o.ladder !== undefined ? { ladder: o.ladder } : {},
    o.qualityTarget !== undefined ? { qualityTarget: o.qualityTarget } : {},
    o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {},
  ) as TierConfig;
  config.budgets = Object.assign({}, config.budgets, o.budgets);
  config.rateLimits = Object.assign({}, config.rateLimits, o.rateLimits);
  config.features = Object.assign({}, config.features, o.features);
  config.guardrails = Object.assign({}, config.guardrails, o.guardrails);
  if (options.knownModels) {
    const known = new Set(options.knownModels);
    for (const [field, list] of [
      ['allowedModels', config.allowedModels],
      ['blockedModels', config.blockedModels],
      ['ladder', config.ladder],
    ] as const) {
      for (const m of list ?? []) {
        if (!known.has(m) && !options.knownModels.some((k) => k.startsWith(m))) {
          throw new InvalidConfigError(
            `overrides.${field}`,
            `unknown model "${m}" (known: ${options.knownModels.join(', ')})`,
          );
        }
      }
    }
  }
  return config;
}

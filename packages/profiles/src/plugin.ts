import {
  CascadeAgent,
  type CascadeAgentOptions,
  type CascadePlugin,
  RequestRejectedError,
  type RunContext,
  type RunRequest,
  type TierInfo,
  type TierOptions,
} from '@cascadeflow/core';
import type { GuardrailSettings } from '@cascadeflow/guardrails';
import type { LimitsConfig } from '@cascadeflow/limits';
import { deepFreeze } from './deep-freeze.js';
import { FeatureNotAvailableError } from './errors.js';
import type { UserProfileManager } from './manager.js';
import { effectiveConfig, type UserProfile } from './profile.js';
import type { TierConfig, TierLevel } from './tiers.js';

/**
 * The key of `result.metadata` under which the plugin records whose profile and tier served the run.
 *
 * @example
 * ```ts
 * const { tier } = result.metadata[PROFILE_METADATA_KEY] as { id: string; tier: string };
 * ```
 */
export const PROFILE_METADATA_KEY = 'profile';

/** Options of {@link profilesPlugin}. */
export interface ProfilesPluginOptions {
  manager: UserProfileManager;
  /** A run for a user with no profile: use `defaultTier` (default) or refuse. */
  onMissing?: 'default' | 'reject';
  /** Default `free`. */
  defaultTier?: TierLevel;
  /**
   * Where each run's acceptance thresholds come from. `'profile'` (default): the tier's `qualityTarget`, on
   * every tier but the last. `'agent'`: the agent's own per-tier thresholds, which the profile then never
   * overrides; use it with a calibrated agent (`calibratedAgent` of @cascadeflow/eval), whose thresholds are
   * calibrated probabilities that a flat quality target would silently replace.
   */
  thresholds?: 'profile' | 'agent';
  name?: string;
}

/** The limits a tier hands to the limits plugin. */
export function limitsOf(config: TierConfig): LimitsConfig {
  const out: LimitsConfig = {};
  const set = (k: keyof LimitsConfig, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('requestsPerMinute', config.rateLimits.requestsPerMinute);
  set('requestsPerHour', config.rateLimits.requestsPerHour);
  set('requestsPerDay', config.rateLimits.requestsPerDay);
  set('tokensPerMinute', config.rateLimits.tokensPerMinute);
  set('concurrent', config.rateLimits.concurrent);
  set('costPerDay', config.budgets.daily);
  set('costPerWeek', config.budgets.weekly);
  set('costPerMonth', config.budgets.monthly);
  return out;
}

/** The guardrail settings a tier hands to the guardrails plugin. */
export function guardrailsOf(config: TierConfig): GuardrailSettings {
  const moderation = config.guardrails.moderation ? {} : { input: false, output: false };
  if (config.guardrails.pii === 'off') return { pii: { input: false, output: false }, moderation };
  if (config.guardrails.pii === 'strict') {
    return {
      pii: {
        input: {
          secret: 'block',
          card: 'block',
          iban: 'block',
          ssn: 'block',
          national_id: 'block',
          email: 'reversible',
          phone: 'reversible',
          default: 'redact',
        },
      },
      moderation,
    };
  }
  return { moderation };
}

/** Which of the given ladder entries a tier may use, by model. */
function allowedLadder(
  config: TierConfig,
  agentLadder: readonly TierInfo[],
  requested: RunRequest['ladder'],
): string[] | TierOptions[] {
  const model = (entry: string | TierOptions) =>
    typeof entry === 'string'
      ? (agentLadder.find((t) => t.name === entry || t.model === entry)?.model ?? entry)
      : entry.model;
  const allowed = (m: string) =>
    (config.allowedModels === null || config.allowedModels.some((a) => m === a || m.startsWith(a))) &&
    !config.blockedModels.some((b) => m === b || m.startsWith(b));
  const base: (string | TierOptions)[] = config.ladder ?? requested ?? agentLadder.map((t) => t.name);
  return base.filter((e) => allowed(model(e))) as string[] | TierOptions[];
}

/** What a profile's runs share: its effective configuration and what is derived from it. */
interface Derived {
  config: TierConfig;
  handoffs: Readonly<{ limits: LimitsConfig; guardrails: GuardrailSettings }>;
  /** The agent ladder `ladder` and `thresholds` were computed for. */
  agentLadder: readonly TierInfo[] | null;
  ladder: string[] | TierOptions[];
  thresholds: number[];
}

/**
 * Resolves each run's configuration from the user's profile: the ladder the tier may use (allow- and
 * block-lists applied), thresholds from its quality target, a max-tokens cap, feature switches (a request
 * for streaming, tools or batch that the tier lacks gets `FeatureNotAvailableError`), and hands the limits
 * and guardrails plugins their settings through typed `handoffs` (`resolveConfig` runs before every other
 * hook, so the order of registration does not matter).
 *
 * @example
 * ```ts
 * const agent = new CascadeAgent({ providers, ladder, plugins: [profilesPlugin({ manager }), limitsPlugin(), guardrailsPlugin()] });
 * await agent.run({ query: 'hi', userId: 'user-42' });
 * ```
 */
export function profilesPlugin(options: ProfilesPluginOptions): CascadePlugin {
  const defaultTier = options.defaultTier ?? 'free';
  /** The profile of a user who has none (when `onMissing` allows it). */
  const missing = { id: '', tier: defaultTier, overrides: {} };
  // A profile object is immutable and the manager hands out the same one while it is cached: its effective
  // configuration (a deep copy of the preset, validated overrides) is computed once, not on every run.
  const configs = new WeakMap<object, Derived>();
  const configOf = (profile: Pick<UserProfile, 'id' | 'tier' | 'overrides'>): Derived => {
    let derived = configs.get(profile);
    if (!derived) {
      const config = effectiveConfig(profile);
      derived = {
        config,
        handoffs: Object.freeze({
          limits: Object.freeze(limitsOf(config)),
          // Frozen throughout: the guardrails plugin resolves frozen settings once.
          guardrails: deepFreeze(guardrailsOf(config)),
        }),
        agentLadder: null,
        ladder: [],
        thresholds: [],
      };
      configs.set(profile, derived);
    }
    return derived;
  };
  // The ladder of a request that names none, and its thresholds: the same frozen arrays on every run of a
  // profile (the engine resolves a frozen ladder once).
  const defaultLadder = (derived: Derived, agentLadder: readonly TierInfo[]) => {
    if (derived.agentLadder !== agentLadder) {
      const ladder = allowedLadder(derived.config, agentLadder, undefined);
      derived.agentLadder = agentLadder;
      derived.ladder = Object.freeze(ladder) as string[] | TierOptions[];
      derived.thresholds = Object.freeze(ladder.map(() => derived.config.qualityTarget)) as number[];
    }
    return derived;
  };
  return {
    name: options.name ?? 'profiles',
    // Synchronous when the manager has the profile cached: no promise on the hot path.
    resolveConfig({ request, context }) {
      const userId = request.userId;
      if (!userId) return undefined;
      const cached = options.manager.cached(userId);
      if (cached) return configure(request, context, cached);
      return options.manager.find(userId).then((found) => configure(request, context, found));
    },
  };

  function configure(
    request: RunRequest,
    context: RunContext,
    found: Pick<UserProfile, 'id' | 'tier' | 'overrides'> | null,
  ): RunRequest {
    const userId = request.userId!;
    if (!found && options.onMissing === 'reject') {
      throw new RequestRejectedError({
        reason: `No profile for user "${userId}"; create one first.`,
        code: 'profile_not_found',
        data: { userId },
      });
    }
    // Every user without a profile shares one default-tier configuration, derived once.
    const derived = configOf(found ?? missing);
    const config = derived.config;
    if (request.onDelta && !config.features.streaming)
      throw new FeatureNotAvailableError('streaming', config.level, userId);
    if (request.tools?.length && !config.features.tools)
      throw new FeatureNotAvailableError('tools', config.level, userId);
    if (request.batch && !config.features.batch)
      throw new FeatureNotAvailableError('batch', config.level, userId);
    const fixed = request.ladder === undefined ? defaultLadder(derived, context.agentLadder) : null;
    const ladder = fixed ? fixed.ladder : allowedLadder(config, context.agentLadder, request.ladder);
    if (ladder.length === 0) {
      throw new RequestRejectedError({
        reason: `No model of the ladder is allowed for the "${config.level}" tier of user "${userId}"; allow one or change the ladder.`,
        code: 'no_allowed_model',
        data: { tier: config.level, userId },
      });
    }
    return Object.assign(
      {},
      request,
      { ladder },
      options.thresholds === 'agent'
        ? {}
        : {
            thresholds: request.thresholds ?? fixed?.thresholds ?? ladder.map(() => config.qualityTarget),
          },
      {
        maxTokens: Math.min(request.maxTokens ?? config.maxTokens, config.maxTokens),
        handoffs:
          request.handoffs === undefined
            ? derived.handoffs
            : Object.assign({}, request.handoffs, derived.handoffs),
        metadata: Object.assign({}, request.metadata, {
          [PROFILE_METADATA_KEY]: { id: userId, tier: config.level },
        }),
      },
    );
  }
}

/**
 * An agent for one user: the ladder filtered by the tier's allowed
 * and blocked models (and its own ladder, if it sets one), thresholds from its quality target.
 *
 * @example
 * ```ts
 * const agent = agentFromProfile(await manager.get('user-42'), { providers, ladder });
 * ```
 */
export function agentFromProfile(
  profile: Pick<UserProfile, 'id' | 'tier' | 'overrides'>,
  options: CascadeAgentOptions,
): CascadeAgent {
  const config = effectiveConfig(profile);
  const info: TierInfo[] = options.ladder.map((t, index) => ({
    index,
    name: t.name ?? t.model,
    model: t.model,
    provider: t.provider,
    role: 'drafter',
    threshold: null,
  }));
  const names = allowedLadder(config, info, undefined) as string[];
  const ladder = names
    .map((n) => options.ladder.find((t) => (t.name ?? t.model) === n || t.model === n)!)
    .map((t) =>
      Object.assign({}, t, {
        threshold: config.qualityTarget,
        maxTokens: Math.min(t.maxTokens ?? config.maxTokens, config.maxTokens),
      }),
    );
  if (ladder.length === 0) {
    throw new RequestRejectedError({
      reason: `No model of the ladder is allowed for the "${config.level}" tier of user "${profile.id}".`,
      code: 'no_allowed_model',
      data: { tier: config.level },
    });
  }
  return new CascadeAgent(Object.assign({}, options, { ladder }));
}

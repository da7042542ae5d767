import { CascadeFlowError, RequestRejectedError } from '@cascadeflow/core';

/**
 * No profile with that id.
 *
 * @example
 * ```ts
 * const p = await manager.get(id).catch((e) => (e instanceof ProfileNotFoundError ? manager.create({ id, tier: 'free' }) : Promise.reject(e)));
 * ```
 */
export class ProfileNotFoundError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.profiles.ProfileNotFoundError';
  readonly profileId: string;
  constructor(id: string) {
    super(
      'profile_not_found',
      `No profile "${id}". Create it first, or let the plugin fall back to a default tier (onMissing: 'default').`,
    );
    this.name = 'ProfileNotFoundError';
    this.profileId = id;
  }
}

/**
 * A profile with that id exists already.
 *
 * @example
 * ```ts
 * await manager.create({ id, tier: 'pro' }).catch((e) => { if (!(e instanceof ProfileExistsError)) throw e; });
 * ```
 */
export class ProfileExistsError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.profiles.ProfileExistsError';
  readonly profileId: string;
  constructor(id: string) {
    super('profile_exists', `A profile "${id}" exists already; update it instead.`);
    this.name = 'ProfileExistsError';
    this.profileId = id;
  }
}

/**
 * Another writer changed the profile in between, more often than the retries allow.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ProfileConflictError) scheduleRetry(e.profileId); }
 * ```
 */
export class ProfileConflictError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.profiles.ProfileConflictError';
  readonly profileId: string;
  constructor(id: string, attempts: number) {
    super(
      'profile_conflict',
      `Profile "${id}" kept changing under ${attempts} update attempts; retry later.`,
    );
    this.name = 'ProfileConflictError';
    this.profileId = id;
  }
}

/**
 * A stored row cannot be read back (bad JSON, unknown tier, invalid overrides).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ProfileCorruptError) console.error(`fix ${e.profileId}.${e.field}`); }
 * ```
 */
export class ProfileCorruptError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.profiles.ProfileCorruptError';
  readonly profileId: string;
  readonly field: string;
  constructor(id: string, field: string, problem: string) {
    super(
      'profile_corrupt',
      `Stored profile "${id}" is corrupt at ${field}: ${problem}. Fix or delete the row.`,
    );
    this.name = 'ProfileCorruptError';
    this.profileId = id;
    this.field = field;
  }
}

/**
 * The database cannot be opened or reached.
 *
 * @example
 * ```ts
 * const store = await SqliteProfileStore.open(path).catch((e) => { if (e instanceof ProfileStoreError) console.error(e.message); throw e; });
 * ```
 */
export class ProfileStoreError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.profiles.ProfileStoreError';
  readonly store: string;
  constructor(store: string, problem: string, cause?: unknown) {
    super('profile_store_unavailable', `Profile store ${store}: ${problem}`, { cause });
    this.name = 'ProfileStoreError';
    this.store = store;
  }
}

/**
 * The user's tier does not include a feature the request uses.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof FeatureNotAvailableError) respond(403, `upgrade for ${e.feature}`); }
 * ```
 */
export class FeatureNotAvailableError extends RequestRejectedError {
  static override readonly kind: string = 'cascadeflow.profiles.FeatureNotAvailableError';
  readonly feature: string;
  readonly tier: string;
  constructor(feature: string, tier: string, userId: string) {
    super({
      reason: `The "${tier}" tier of user "${userId}" does not include ${feature}. Upgrade the tier or override features.${feature} for this user.`,
      code: 'feature_not_available',
      data: { feature, tier, userId },
    });
    this.name = 'FeatureNotAvailableError';
    this.feature = feature;
    this.tier = tier;
  }
}

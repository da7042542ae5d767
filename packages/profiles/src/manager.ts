import { InvalidConfigError } from '@cascadeflow/core';
import { LruCache } from './cache.js';
import { deepFreeze } from './deep-freeze.js';
import { ProfileConflictError, ProfileNotFoundError } from './errors.js';
import { effectiveConfig, type NewProfile, type UserProfile, validateNewProfile } from './profile.js';
import type { ListOptions, ProfileStore } from './stores/store.js';
import type { TierConfig, TierLevel } from './tiers.js';

/** Options of {@link UserProfileManager}. */
export interface ProfileManagerOptions {
  /** Profiles kept in the LRU cache. Default 10,000; 0 disables the cache. */
  cacheSize?: number;
  /**
   * How long a cached profile is trusted, in ms. Default 30,000. Writes through this manager invalidate at
   * once; writes by other instances (sharing PostgreSQL) are seen after at most this long.
   */
  cacheTtlMs?: number;
  /** When given, models in allow-lists, block-lists and ladders must be among these. */
  knownModels?: readonly string[];
  /** Update attempts on version conflicts before `ProfileConflictError`. Default 8. */
  maxUpdateAttempts?: number;
  now?: () => number;
}

/** A change to a profile: the new tier, overrides, preferences or metadata (each replaces the old one). */
export type ProfileChange = Partial<Pick<UserProfile, 'tier' | 'overrides' | 'preferences' | 'metadata'>>;

/**
 * Creates, reads, updates and deletes profiles on a store, with an LRU cache (invalidated on write) and
 * optimistic concurrency: an update re-reads and retries when another writer got there first, so two
 * writers never lose a write.
 *
 * @example
 * ```ts
 * const profiles = new UserProfileManager(await SqliteProfileStore.open('profiles.db'));
 * await profiles.create({ id: 'user-42', tier: 'pro' });
 * await profiles.update('user-42', (p) => ({ overrides: { ...p.overrides, budgets: { daily: 20 } } }));
 * const config = await profiles.effective('user-42');
 * ```
 */
export class UserProfileManager {
  readonly store: ProfileStore;
  readonly #cache: LruCache<UserProfile>;
  readonly #known: readonly string[] | undefined;
  readonly #attempts: number;
  readonly #now: () => number;

  constructor(store: ProfileStore, options: ProfileManagerOptions = {}) {
    this.store = store;
    this.#now = options.now ?? Date.now;
    this.#cache = new LruCache(options.cacheSize ?? 10_000, options.cacheTtlMs ?? 30_000, this.#now);
    this.#known = options.knownModels;
    this.#attempts = options.maxUpdateAttempts ?? 8;
  }

  /** Builds a validated profile object (no store involved): the fast path of "create from a preset". */
  build(input: NewProfile): UserProfile {
    const p = validateNewProfile(input);
    const now = new Date(this.#now());
    const profile: UserProfile = {
      id: p.id,
      tier: p.tier,
      overrides: p.overrides ?? {},
      preferences: p.preferences ?? {},
      metadata: p.metadata ?? {},
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    effectiveConfig(profile, this.#known ? { knownModels: this.#known } : {});
    return profile;
  }

  async create(input: NewProfile): Promise<UserProfile> {
    const profile = this.build(input);
    await this.store.insert(profile);
    this.#cache.set(profile.id, deepFreeze(structuredClone(profile)));
    return profile;
  }

  /** Creates many profiles in one transaction; a bad one fails them all, naming its index. */
  async bulkCreate(inputs: readonly NewProfile[]): Promise<UserProfile[]> {
    const profiles = inputs.map((input, i) => {
      try {
        return this.build(input);
      } catch (e) {
        if (e instanceof InvalidConfigError)
          throw new InvalidConfigError(
            `profiles.${i}.${e.field.replace(/^profile\.?/, '')}`,
            e.message.replace(/^[^:]*: /, ''),
          );
        throw e;
      }
    });
    await this.store.insertMany(profiles);
    return profiles;
  }

  /**
   * The profile if this manager holds it in its cache now (a frozen copy), without asking the store:
   * `undefined` means "not cached, call {@link find}". For hot paths that want no promise when they can.
   *
   * @example
   * ```ts
   * const profile = manager.cached('user-42') ?? (await manager.find('user-42'));
   * ```
   */
  cached(id: string): Readonly<UserProfile> | undefined {
    return this.#cache.get(id);
  }

  /** The profile (a frozen, cached copy), or null. */
  async find(id: string): Promise<Readonly<UserProfile> | null> {
    const hit = this.#cache.get(id);
    if (hit) return hit;
    const p = await this.store.get(id);
    if (p) this.#cache.set(id, deepFreeze(p));
    return p;
  }

  async get(id: string): Promise<Readonly<UserProfile>> {
    const p = await this.find(id);
    if (!p) throw new ProfileNotFoundError(id);
    return p;
  }

  /**
   * Applies `change` (an object, or a function of the current profile) and writes it if nobody else wrote in
   * between; otherwise re-reads and applies it again.
   */
  async update(
    id: string,
    change: ProfileChange | ((current: Readonly<UserProfile>) => ProfileChange),
  ): Promise<UserProfile> {
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      const current = await this.store.get(id);
      if (!current) throw new ProfileNotFoundError(id);
      const delta = typeof change === 'function' ? change(deepFreeze(structuredClone(current))) : change;
      const merged = validateNewProfile({
        id,
        tier: delta.tier ?? current.tier,
        overrides: delta.overrides ?? current.overrides,
        preferences: delta.preferences ?? current.preferences,
        metadata: delta.metadata ?? current.metadata,
      });
      const next: UserProfile = Object.assign({}, current, {
        tier: merged.tier,
        overrides: merged.overrides ?? {},
        preferences: merged.preferences ?? {},
        metadata: merged.metadata ?? {},
        updatedAt: new Date(this.#now()),
        version: current.version + 1,
      });
      effectiveConfig(next, this.#known ? { knownModels: this.#known } : {});
      this.#cache.delete(id);
      if (await this.store.replace(next, current.version)) return next;
    }
    throw new ProfileConflictError(id, this.#attempts);
  }

  async delete(id: string): Promise<boolean> {
    this.#cache.delete(id);
    return this.store.delete(id);
  }

  list(options?: ListOptions): Promise<UserProfile[]> {
    return this.store.list(options);
  }

  /** The user's effective configuration: the tier's preset with the overrides applied, validated. */
  async effective(id: string): Promise<TierConfig> {
    return effectiveConfig(await this.get(id), this.#known ? { knownModels: this.#known } : {});
  }

  /** The configuration of a tier with no overrides (for users without a profile). */
  tierConfig(tier: TierLevel): TierConfig {
    return effectiveConfig({ tier, overrides: {} });
  }
}

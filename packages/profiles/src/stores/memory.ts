import { ProfileExistsError, ProfileNotFoundError } from '../errors.js';
import type { UserProfile } from '../profile.js';
import type { ListOptions, ProfileStore } from './store.js';

/**
 * Profiles in this process's memory (tests, single-process apps).
 *
 * @example
 * ```ts
 * const manager = new UserProfileManager(new MemoryProfileStore());
 * ```
 */
export class MemoryProfileStore implements ProfileStore {
  readonly name = 'memory';
  readonly #rows = new Map<string, UserProfile>();

  async migrate(): Promise<void> {}

  async get(id: string): Promise<UserProfile | null> {
    const p = this.#rows.get(id);
    return p ? structuredClone(p) : null;
  }

  async insert(profile: UserProfile): Promise<void> {
    if (this.#rows.has(profile.id)) throw new ProfileExistsError(profile.id);
    this.#rows.set(profile.id, structuredClone(profile));
  }

  async insertMany(profiles: readonly UserProfile[]): Promise<void> {
    for (const p of profiles) if (this.#rows.has(p.id)) throw new ProfileExistsError(p.id);
    for (const p of profiles) this.#rows.set(p.id, structuredClone(p));
  }

  async replace(profile: UserProfile, expectedVersion: number): Promise<boolean> {
    const cur = this.#rows.get(profile.id);
    if (!cur) throw new ProfileNotFoundError(profile.id);
    if (cur.version !== expectedVersion) return false;
    this.#rows.set(profile.id, structuredClone(profile));
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.#rows.delete(id);
  }

  async list(o: ListOptions = {}): Promise<UserProfile[]> {
    const all = [...this.#rows.values()]
      .filter((p) => !o.tier || p.tier === o.tier)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return all.slice(o.offset ?? 0, (o.offset ?? 0) + (o.limit ?? 100)).map((p) => structuredClone(p));
  }

  async close(): Promise<void> {}
}

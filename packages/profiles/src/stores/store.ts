import type { UserProfile } from '../profile.js';
import type { TierLevel } from '../tiers.js';

/** Options of `list`. */
export interface ListOptions {
  limit?: number;
  offset?: number;
  tier?: TierLevel;
}

/** Where profiles live. Writes use optimistic concurrency: `replace` only writes the version it read. */
export interface ProfileStore {
  readonly name: string;
  /** Creates or upgrades the schema; safe to run from many instances at once. */
  migrate(): Promise<void>;
  get(id: string): Promise<UserProfile | null>;
  /** Throws `ProfileExistsError` if the id is taken. */
  insert(profile: UserProfile): Promise<void>;
  /** All or nothing, in one transaction. */
  insertMany(profiles: readonly UserProfile[]): Promise<void>;
  /** Writes `profile` if the stored version is still `expectedVersion`; false on a conflict, `ProfileNotFoundError` if gone. */
  replace(profile: UserProfile, expectedVersion: number): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  list(options?: ListOptions): Promise<UserProfile[]>;
  close(): Promise<void>;
}

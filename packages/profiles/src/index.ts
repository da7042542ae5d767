export {
  FeatureNotAvailableError,
  ProfileConflictError,
  ProfileCorruptError,
  ProfileExistsError,
  ProfileNotFoundError,
  ProfileStoreError,
} from './errors.js';
export { type ProfileChange, type ProfileManagerOptions, UserProfileManager } from './manager.js';
export {
  agentFromProfile,
  guardrailsOf,
  limitsOf,
  PROFILE_METADATA_KEY,
  type ProfilesPluginOptions,
  profilesPlugin,
} from './plugin.js';
export { effectiveConfig, type NewProfile, type UserProfile } from './profile.js';
export { MemoryProfileStore } from './stores/memory.js';
export { type PgPoolLike, PostgresProfileStore } from './stores/postgres.js';
export { SqliteProfileStore } from './stores/sqlite.js';
export type { ListOptions, ProfileStore } from './stores/store.js';
export {
  TIER_LEVELS,
  TIER_PRESETS,
  type TierConfig,
  type TierLevel,
  type TierOverrides,
  tierPreset,
} from './tiers.js';

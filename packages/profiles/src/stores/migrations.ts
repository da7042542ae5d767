/** Schema migrations, in order; each runs once per database. Version 1 creates the profiles table. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE profiles (
     id TEXT PRIMARY KEY,
     tier TEXT NOT NULL,
     overrides TEXT NOT NULL DEFAULT '{}',
     preferences TEXT NOT NULL DEFAULT '{}',
     metadata TEXT NOT NULL DEFAULT '{}',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE INDEX profiles_tier ON profiles (tier);`,
];

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE profiles (
     id TEXT PRIMARY KEY,
     tier TEXT NOT NULL,
     overrides JSONB NOT NULL DEFAULT '{}',
     preferences JSONB NOT NULL DEFAULT '{}',
     metadata JSONB NOT NULL DEFAULT '{}',
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE INDEX profiles_tier ON profiles (tier);`,
];

import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ProfileExistsError, ProfileNotFoundError, ProfileStoreError } from '../errors.js';
import type { UserProfile } from '../profile.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { fromRow, type ProfileRow, toRow } from './rows.js';
import type { ListOptions, ProfileStore } from './store.js';

type Database = import('better-sqlite3').Database;
type Statement = import('better-sqlite3').Statement;

/**
 * Profiles in a SQLite file through better-sqlite3 (12.x), in WAL mode: the embedded default. Open it with
 * {@link SqliteProfileStore.open}; the schema is migrated on open.
 *
 * @example
 * ```ts
 * const store = await SqliteProfileStore.open('./data/profiles.db');
 * ```
 */
export class SqliteProfileStore implements ProfileStore {
  readonly name: string;
  readonly #db: Database;
  readonly #get: Statement;
  readonly #insert: Statement;
  readonly #replace: Statement;
  readonly #delete: Statement;
  readonly #exists: Statement;

  private constructor(db: Database, path: string) {
    this.name = `sqlite:${path}`;
    this.#db = db;
    this.migrateSync();
    this.#get = db.prepare('SELECT * FROM profiles WHERE id = ?');
    this.#insert = db.prepare(
      'INSERT INTO profiles (id, tier, overrides, preferences, metadata, created_at, updated_at, version) VALUES (@id, @tier, @overrides, @preferences, @metadata, @created_at, @updated_at, @version)',
    );
    this.#replace = db.prepare(
      'UPDATE profiles SET tier = @tier, overrides = @overrides, preferences = @preferences, metadata = @metadata, updated_at = @updated_at, version = @version WHERE id = @id AND version = @expected',
    );
    this.#delete = db.prepare('DELETE FROM profiles WHERE id = ?');
    this.#exists = db.prepare('SELECT 1 FROM profiles WHERE id = ?');
  }

  /** Opens (creating it if needed) a database file; its directory must exist. `:memory:` for a private one. */
  static async open(path: string, options: { busyTimeoutMs?: number } = {}): Promise<SqliteProfileStore> {
    if (path !== ':memory:') {
      const dir = dirname(resolve(path));
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new ProfileStoreError(`sqlite:${path}`, `the directory ${dir} does not exist; create it first`);
      }
    }
    let Driver: typeof import('better-sqlite3');
    try {
      Driver = ((await import('better-sqlite3')) as unknown as { default: typeof import('better-sqlite3') })
        .default;
    } catch (e) {
      throw new ProfileStoreError(
        `sqlite:${path}`,
        'better-sqlite3 is not installed: npm install better-sqlite3@12',
        e,
      );
    }
    let db: Database;
    try {
      db = new Driver(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    } catch (e) {
      throw new ProfileStoreError(`sqlite:${path}`, `cannot open the database (${(e as Error).message})`, e);
    }
    return new SqliteProfileStore(db, path);
  }

  /** Applies pending migrations in one immediate transaction (so two processes cannot both apply one). */
  migrateSync(): void {
    this.#db.exec('CREATE TABLE IF NOT EXISTS cascadeflow_schema (version INTEGER NOT NULL)');
    this.#db
      .transaction(() => {
        const row = this.#db.prepare('SELECT MAX(version) AS v FROM cascadeflow_schema').get() as {
          v: number | null;
        };
        for (let v = (row.v ?? 0) + 1; v <= SQLITE_MIGRATIONS.length; v++) {
          this.#db.exec(SQLITE_MIGRATIONS[v - 1]!);
          this.#db.prepare('INSERT INTO cascadeflow_schema (version) VALUES (?)').run(v);
        }
      })
      .immediate();
  }

  async migrate(): Promise<void> {
    this.migrateSync();
  }

  async get(id: string): Promise<UserProfile | null> {
    const row = this.#get.get(id) as ProfileRow | undefined;
    return row ? fromRow(row) : null;
  }

  async insert(profile: UserProfile): Promise<void> {
    try {
      this.#insert.run(toRow(profile));
    } catch (e) {
      if (String((e as { code?: string }).code).startsWith('SQLITE_CONSTRAINT'))
        throw new ProfileExistsError(profile.id);
      throw e;
    }
  }

  async insertMany(profiles: readonly UserProfile[]): Promise<void> {
    const insert = this.#insert;
    try {
      this.#db.transaction((all: readonly UserProfile[]) => {
        for (const p of all) insert.run(toRow(p));
      })(profiles);
    } catch (e) {
      if (String((e as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) {
        const dup = profiles.find((p) => this.#exists.get(p.id));
        throw new ProfileExistsError(dup?.id ?? '?');
      }
      throw e;
    }
  }

  async replace(profile: UserProfile, expectedVersion: number): Promise<boolean> {
    const res = this.#replace.run(Object.assign({}, toRow(profile), { expected: expectedVersion }));
    if (res.changes === 1) return true;
    if (!this.#exists.get(profile.id)) throw new ProfileNotFoundError(profile.id);
    return false;
  }

  async delete(id: string): Promise<boolean> {
    return this.#delete.run(id).changes > 0;
  }

  async list(o: ListOptions = {}): Promise<UserProfile[]> {
    const rows = o.tier
      ? this.#db
          .prepare('SELECT * FROM profiles WHERE tier = ? ORDER BY id LIMIT ? OFFSET ?')
          .all(o.tier, o.limit ?? 100, o.offset ?? 0)
      : this.#db
          .prepare('SELECT * FROM profiles ORDER BY id LIMIT ? OFFSET ?')
          .all(o.limit ?? 100, o.offset ?? 0);
    return (rows as ProfileRow[]).map(fromRow);
  }

  /** Runs raw SQL (for tests and operators). */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

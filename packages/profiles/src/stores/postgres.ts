import { ProfileExistsError, ProfileNotFoundError, ProfileStoreError } from '../errors.js';
import type { UserProfile } from '../profile.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { fromRow, type ProfileRow, toRow } from './rows.js';
import type { ListOptions, ProfileStore } from './store.js';

/** The part of a `pg` Pool the store uses. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  connect(): Promise<{ query: PgPoolLike['query']; release(): void }>;
  end(): Promise<void>;
}

// Key of the advisory lock that serialises migrations across instances ("cascadeflow" in ASCII, folded).
const MIGRATION_LOCK = 742_315_771;

/**
 * Profiles in PostgreSQL through `pg`, for many instances sharing them. Open it with
 * {@link PostgresProfileStore.connect}; migrations run under an advisory lock so that instances starting
 * together apply each once.
 *
 * @example
 * ```ts
 * const store = await PostgresProfileStore.connect(process.env.DATABASE_URL!);
 * ```
 */
export class PostgresProfileStore implements ProfileStore {
  readonly name = 'postgres';
  readonly #pool: PgPoolLike;

  private constructor(pool: PgPoolLike) {
    this.#pool = pool;
    // An idle client losing its connection (server restart) must not crash the process: the pool drops it,
    // and the next query opens a new connection or fails with a typed error.
    pool.on?.('error', () => {});
  }

  /** Connects (a connection string or a ready pool) and migrates. */
  static async connect(
    target: string | PgPoolLike,
    options: { max?: number } = {},
  ): Promise<PostgresProfileStore> {
    let pool: PgPoolLike;
    if (typeof target === 'string') {
      let pg: typeof import('pg');
      try {
        pg = ((await import('pg')) as unknown as { default: typeof import('pg') }).default;
      } catch (e) {
        throw new ProfileStoreError('postgres', 'pg is not installed: npm install pg', e);
      }
      pool = new pg.Pool({ connectionString: target, max: options.max ?? 10 }) as unknown as PgPoolLike;
    } else {
      pool = target;
    }
    const store = new PostgresProfileStore(pool);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => {});
      throw new ProfileStoreError(
        'postgres',
        `cannot reach or migrate the database (${(e as Error).message})`,
        e,
      );
    }
    return store;
  }

  async migrate(): Promise<void> {
    const c = await this.#pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS cascadeflow_schema (version INTEGER NOT NULL)');
      const { rows } = await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM cascadeflow_schema');
      for (let v = Number((rows[0] as { v: number }).v) + 1; v <= POSTGRES_MIGRATIONS.length; v++) {
        await c.query(POSTGRES_MIGRATIONS[v - 1]!);
        await c.query('INSERT INTO cascadeflow_schema (version) VALUES ($1)', [v]);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  async get(id: string): Promise<UserProfile | null> {
    const { rows } = await this.#pool.query('SELECT * FROM profiles WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0] as ProfileRow) : null;
  }

  static #values(p: UserProfile): unknown[] {
    const r = toRow(p);
    return [r.id, r.tier, r.overrides, r.preferences, r.metadata, r.created_at, r.updated_at, r.version];
  }

  async insert(profile: UserProfile): Promise<void> {
    try {
      await this.#pool.query(
        'INSERT INTO profiles (id, tier, overrides, preferences, metadata, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        PostgresProfileStore.#values(profile),
      );
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new ProfileExistsError(profile.id);
      throw e;
    }
  }

  async insertMany(profiles: readonly UserProfile[]): Promise<void> {
    if (profiles.length === 0) return;
    const c = await this.#pool.connect();
    try {
      await c.query('BEGIN');
      // One multi-row INSERT per 500 profiles: 8 parameters each stays under PostgreSQL's 65535 limit.
      for (let at = 0; at < profiles.length; at += 500) {
        const chunk = profiles.slice(at, at + 500);
        const values: unknown[] = [];
        const tuples = chunk.map((p, i) => {
          values.push(...PostgresProfileStore.#values(p));
          return `(${Array.from({ length: 8 }, (_, k) => `$${i * 8 + k + 1}`).join(', ')})`;
        });
        await c.query(
          `INSERT INTO profiles (id, tier, overrides, preferences, metadata, created_at, updated_at, version) VALUES ${tuples.join(', ')}`,
          values,
        );
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      if ((e as { code?: string; detail?: string }).code === '23505') {
        const id = /\(id\)=\((.*)\)/.exec((e as { detail?: string }).detail ?? '')?.[1] ?? '?';
        throw new ProfileExistsError(id);
      }
      throw e;
    } finally {
      c.release();
    }
  }

  async replace(profile: UserProfile, expectedVersion: number): Promise<boolean> {
    const r = toRow(profile);
    const res = await this.#pool.query(
      'UPDATE profiles SET tier = $2, overrides = $3, preferences = $4, metadata = $5, updated_at = $6, version = $7 WHERE id = $1 AND version = $8',
      [r.id, r.tier, r.overrides, r.preferences, r.metadata, r.updated_at, r.version, expectedVersion],
    );
    if (res.rowCount === 1) return true;
    const { rows } = await this.#pool.query('SELECT 1 FROM profiles WHERE id = $1', [profile.id]);
    if (rows.length === 0) throw new ProfileNotFoundError(profile.id);
    return false;
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.#pool.query('DELETE FROM profiles WHERE id = $1', [id]);
    return (res.rowCount ?? 0) > 0;
  }

  async list(o: ListOptions = {}): Promise<UserProfile[]> {
    const { rows } = o.tier
      ? await this.#pool.query('SELECT * FROM profiles WHERE tier = $1 ORDER BY id LIMIT $2 OFFSET $3', [
          o.tier,
          o.limit ?? 100,
          o.offset ?? 0,
        ])
      : await this.#pool.query('SELECT * FROM profiles ORDER BY id LIMIT $1 OFFSET $2', [
          o.limit ?? 100,
          o.offset ?? 0,
        ]);
    return (rows as ProfileRow[]).map(fromRow);
  }

  /** Runs raw SQL (for tests and operators). */
  async exec(sql: string, values?: unknown[]): Promise<void> {
    await this.#pool.query(sql, values);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

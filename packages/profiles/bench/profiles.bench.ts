/**
 * Profiles: create from a preset, cached get, uncached SQLite get, bulk create of 1,000 in SQLite, and an
 * uncached PostgreSQL get. Writes bench-results/profiles.json at the repository root. Needs DATABASE_URL
 * (pnpm bench starts a PostgreSQL).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeBenchResults } from '@cascadeflow/testing';
import pg from 'pg';
import {
  MemoryProfileStore,
  PostgresProfileStore,
  SqliteProfileStore,
  UserProfileManager,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const url = process.env.DATABASE_URL;
if (!url)
  throw new Error(
    'DATABASE_URL is not set: run `pnpm bench` from the repository root (it starts a PostgreSQL) or set it.',
  );
async function time(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push((performance.now() - t) * 1000);
  }
  return out;
}

const memory = new UserProfileManager(new MemoryProfileStore());
await time(2000, (i) => memory.build({ id: `w${i}`, tier: 'pro' }));
const create = median(await time(20_000, (i) => memory.build({ id: `p${i}`, tier: 'pro' })));

await memory.create({ id: 'hot', tier: 'pro' });
await time(2000, () => memory.get('hot'));
const cached = median(await time(50_000, () => memory.get('hot')));

const dir = mkdtempSync(join(tmpdir(), 'cf-bench-profiles-'));
const sqlite = await SqliteProfileStore.open(join(dir, 'profiles.db'));
const sm = new UserProfileManager(sqlite, { cacheSize: 0 });
const bulkTimes: number[] = [];
for (let r = 0; r < 5; r++) {
  const batch = Array.from({ length: 1000 }, (_, i) => ({
    id: `bulk${r}-${i}`,
    tier: 'starter' as const,
    metadata: { source: 'bench' },
  }));
  const t = performance.now();
  await sm.bulkCreate(batch);
  bulkTimes.push(performance.now() - t);
}
await time(2000, (i) => sqlite.get(`bulk0-${i % 1000}`));
const sqliteGet = median(await time(20_000, (i) => sqlite.get(`bulk1-${i % 1000}`)));
await sqlite.close();

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbName = `cf_bench_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(url);
dbUrl.pathname = `/${dbName}`;
const pgStore = await PostgresProfileStore.connect(dbUrl.toString());
await new UserProfileManager(pgStore).bulkCreate(
  Array.from({ length: 1000 }, (_, i) => ({ id: `u${i}`, tier: 'pro' as const })),
);
await time(500, (i) => pgStore.get(`u${i % 1000}`));
const pgGet = median(await time(5000, (i) => pgStore.get(`u${i % 1000}`)));
await pgStore.close();
await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
await admin.end();

const bulk = median(bulkTimes);
const results = [
  {
    name: 'create_from_preset_us_p50',
    value: +create.toFixed(2),
    unit: 'µs to build a validated profile from a preset',
    target: 100,
    ratio: +(create / 100).toFixed(3),
  },
  {
    name: 'cached_get_us_p50',
    value: +cached.toFixed(2),
    unit: 'µs per cached get',
    target: 10,
    ratio: +(cached / 10).toFixed(3),
  },
  {
    name: 'sqlite_get_us_p50',
    value: +sqliteGet.toFixed(1),
    unit: 'µs per uncached SQLite get (file, WAL)',
    target: 1000,
    ratio: +(sqliteGet / 1000).toFixed(3),
  },
  {
    name: 'bulk_create_1000_sqlite_ms',
    value: +bulk.toFixed(2),
    unit: 'ms to create 1,000 profiles in SQLite',
    target: 20,
    ratio: +(bulk / 20).toFixed(3),
  },
  {
    name: 'postgres_get_us_p50',
    value: +pgGet.toFixed(1),
    unit: 'µs per uncached PostgreSQL get (loopback)',
    target: 1000,
    ratio: +(pgGet / 1000).toFixed(3),
  },
];
const out = join(here, '../../../bench-results/profiles.json');
writeBenchResults(out, results);

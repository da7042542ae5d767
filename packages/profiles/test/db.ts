import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The test run's PostgreSQL. `pnpm test` starts one (scripts/with-services.mjs) and sets DATABASE_URL. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error(
      'DATABASE_URL is not set: these tests need a real PostgreSQL. Run them with `pnpm test` from the repository root (it starts one), or set DATABASE_URL.',
    );
  return url;
}

/** A fresh, empty database for one test file; dropped by the returned function. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  const name = `cf_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export function tempFile(name = 'profiles.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'cf-profiles-')), name);
}

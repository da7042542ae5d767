#!/usr/bin/env node
// Runs a command with the services the tests need: starts a throwaway redis-server and PostgreSQL cluster
// (when REDIS_URL / DATABASE_URL are not set and the binaries exist) on free ports, exports their URLs,
// runs the command, stops them.
// Tests that need a service fail with a clear message when it is missing; nothing is skipped.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const command = process.argv.slice(2).join(' ');
const started = [];

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  if (process.env.REDIS_URL) return;
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  if (spawnSync(bin, ['--version']).status !== 0) {
    process.stderr.write(
      'with-services: redis-server not found; the Redis tests will fail (apt-get install redis-server).\n',
    );
    return;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cf-redis-'));
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  started.push(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .trim() === 'PONG'
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  process.stderr.write(`with-services: redis-server on ${process.env.REDIS_URL}\n`);
}

async function startPostgres() {
  if (process.env.DATABASE_URL) return;
  const versions = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1'])
    .stdout?.toString()
    .trim();
  const bin = process.env.PG_BIN ?? versions;
  if (!bin || spawnSync(join(bin, 'initdb'), ['--version']).status !== 0) {
    process.stderr.write(
      'with-services: PostgreSQL not found; the PostgreSQL tests will fail (apt-get install postgresql).\n',
    );
    return;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cf-pg-'));
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: run it as the postgres user, in a directory it owns.
  const run = (cmd, args) =>
    asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'ignore' })
      : spawnSync(cmd, args, { stdio: 'ignore' });
  if (asRoot) spawnSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  if (run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']).status !== 0) {
    process.stderr.write('with-services: initdb failed; the PostgreSQL tests will fail.\n');
    return;
  }
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  if (
    run(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-w', '-l', join(dir, 'log'), 'start']).status !== 0
  ) {
    process.stderr.write('with-services: PostgreSQL did not start; the PostgreSQL tests will fail.\n');
    return;
  }
  started.push(() => {
    run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });
  process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`;
  process.stderr.write(`with-services: PostgreSQL on ${process.env.DATABASE_URL}\n`);
}

await startRedis();
await startPostgres();
const child = spawn(command, { shell: true, stdio: 'inherit', env: process.env });
const stop = () => {
  for (const s of started) s();
};
process.on('SIGINT', () => child.kill('SIGINT'));
child.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});

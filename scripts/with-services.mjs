#!/usr/bin/env node
// Runs a command with the services the tests need: starts a throwaway redis-server (when REDIS_URL is not
// set and the binary exists) on a free port, exports REDIS_URL, runs the command, stops the server.
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

await startRedis();
const child = spawn(command, { shell: true, stdio: 'inherit', env: process.env });
const stop = () => {
  for (const s of started) s();
};
process.on('SIGINT', () => child.kill('SIGINT'));
child.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});

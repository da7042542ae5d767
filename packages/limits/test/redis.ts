import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** The shared Redis of the test run. CI starts one in .ci/run and sets REDIS_URL. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error(
      'REDIS_URL is not set: these tests need a real Redis. Start `redis-server` and set REDIS_URL=redis://127.0.0.1:6379 (.ci/run does both).',
    );
  }
  return url;
}

export function client(url = redisUrl()): Redis {
  const r = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  r.on('error', () => {}); // connection errors surface as failed commands; the store's policy handles them
  return r;
}

export async function ready(r: Redis): Promise<Redis> {
  if (r.status !== 'ready')
    await new Promise((res, rej) => {
      r.once('ready', res);
      r.once('error', rej);
    });
  return r;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a private redis-server (for tests that stop it). Needs the binary: REDIS_SERVER_BIN or on PATH. */
export interface PrivateRedis {
  url: string;
  stop: () => void;
  /** Freezes the server (SIGSTOP) for `ms`, then lets it go on (SIGCONT): a stall, not a crash. */
  pause: (ms: number) => Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  if (spawnSync(bin, ['--version']).status !== 0) {
    throw new Error(
      `${bin} not found: install Redis (apt-get install redis-server) or set REDIS_SERVER_BIN.`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return {
        url,
        stop: () => child.kill('SIGKILL'),
        pause: async (ms) => {
          child.kill('SIGSTOP');
          await new Promise((r) => setTimeout(r, ms));
          child.kill('SIGCONT');
        },
      };
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not start`);
}

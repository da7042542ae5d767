import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess } from './processes.js';

const ADMIN = 'cf-admin-scale-out-test-key';
const running: GatewayProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

const chat = (url: string, key: string, content: string, signal?: AbortSignal) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'cascade', messages: [{ role: 'user', content }] }),
    ...(signal ? { signal } : {}),
  });

describe('graceful shutdown', () => {
  let upstream: TestServer;
  afterAll(async () => upstream?.close());

  it('SIGTERM with a hung upstream: in-flight requests are answered and the process exits within the grace', async () => {
    upstream = await startTestServer({
      models: { 'small-model': { content: 'hi' }, 'big-model': { content: 'hi' } },
    });
    upstream.injectFault('*', { kind: 'hang' }, 100);
    const gw = await startGatewayProcess({
      mode: 'live',
      live: { baseURL: upstream.openaiBaseURL, ladder: ['small-model', 'big-model'] },
      adminKey: ADMIN,
      shutdownGraceMs: 1000,
    });
    running.push(gw);
    const pending = chat(gw.url, 'cf-demo-key', 'hello').then(
      (r) => r.status,
      () => 'connection closed',
    );
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    gw.child.kill('SIGTERM');
    const code = await gw.exited;
    const took = Date.now() - t0;
    expect(code).toBe(0);
    expect(took).toBeLessThan(5_000); // grace 1 s, then aborts; before: about 110 s
    expect([503, 'connection closed']).toContain(await pending);
    // The hung upstream call was aborted, not left running.
    await new Promise((r) => setTimeout(r, 100));
    expect(upstream.requests.length).toBeGreaterThan(0);
    expect(upstream.requests.every((r) => r.closedByClient)).toBe(true);
  }, 60_000);
});

describe('scale-out: two gateway processes on one Redis and one PostgreSQL', () => {
  it('together admit exactly a user’s limit, and see each other’s profile changes', async () => {
    const redisUrl = process.env.REDIS_URL;
    const databaseUrl = process.env.DATABASE_URL;
    if (!redisUrl || !databaseUrl)
      throw new Error(
        'REDIS_URL and DATABASE_URL must be set: run the tests through `pnpm test` (it starts both) or start redis-server and PostgreSQL.',
      );
    const user = `scale-${randomUUID()}`;
    const key = `cf-key-${randomUUID()}`;
    const config = {
      mode: 'replay',
      redisUrl,
      databaseUrl,
      apiKeys: { [key]: user },
      adminKey: ADMIN,
      profileCacheTtlMs: 300,
    };
    const [a, b] = await Promise.all([startGatewayProcess(config), startGatewayProcess(config)]);
    running.push(a!, b!);
    const question = (
      (await (
        await fetch(`${a!.url}/v1/demo/questions`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as {
        questions: string[];
      }
    ).questions[0]!;
    const setLimit = async (url: string, requestsPerMinute: number) => {
      const res = await fetch(`${url}/api/profile`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: user,
          overrides: { rateLimits: { requestsPerMinute, concurrent: 1000 } },
        }),
      });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 500)); // past the other instance's profile cache
    };
    const burst = async (n: number) => {
      const statuses = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          chat(i % 2 ? a!.url : b!.url, key, question).then((r) => r.status),
        ),
      );
      return {
        ok: statuses.filter((s) => s === 200).length,
        limited: statuses.filter((s) => s === 429).length,
      };
    };
    await setLimit(a!.url, 10); // changed through A …
    expect(await burst(40)).toEqual({ ok: 10, limited: 30 }); // … enforced by both, together
    await setLimit(b!.url, 16); // changed through B: A sees it too
    expect(await burst(20)).toEqual({ ok: 6, limited: 14 });
  }, 90_000);
});

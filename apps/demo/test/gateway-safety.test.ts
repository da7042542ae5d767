import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startDemo } from './helpers.js';

type Demo = Awaited<ReturnType<typeof startDemo>>;

/** An answer's JSON: an OpenAI error, or the dashboard's stats. */
interface Answer {
  error: { code: string; message: string };
  recent: unknown[];
  users: { id: string; error?: string }[];
}
const read = async (res: Response): Promise<Answer> => (await res.json()) as Answer;

const json = (key: string | null, body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...extra,
  },
  body: JSON.stringify(body),
});

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => demo?.stop());

describe('every route is authenticated', () => {
  it('the dashboard API needs the admin key or its session; /v1 needs an API key', async () => {
    for (const path of ['/api/stats', '/api/events', '/api/questions', '/api/eval-chart']) {
      const res = await fetch(`${demo.url}${path}`);
      expect(res.status, path).toBe(401);
      expect((await read(res)).error.code).toBe('admin_required');
      // An API key is not an admin key.
      const asUser = await fetch(`${demo.url}${path}`, { headers: { authorization: 'Bearer cf-demo-key' } });
      expect(asUser.status, path).toBe(401);
    }
    expect((await fetch(`${demo.url}/api/chat`, json(null, { message: demo.question }))).status).toBe(401);
    for (const path of ['/v1/models', '/v1/demo/questions'])
      expect((await fetch(`${demo.url}${path}`)).status, path).toBe(401);
    const stats = await fetch(`${demo.url}/api/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(stats.status).toBe(200);
    // The page itself carries no data: it is a sign-in shell.
    const page = await (await fetch(`${demo.url}/`)).text();
    expect(page).not.toContain(demo.question);
  });

  it('a session cookie comes only for the admin key, and opens the API', async () => {
    expect((await fetch(`${demo.url}/api/session`, json(null, { key: 'cf-demo-key' }))).status).toBe(401);
    const ok = await fetch(`${demo.url}/api/session`, json(null, { key: ADMIN_KEY }));
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    expect((await fetch(`${demo.url}/api/stats`, { headers: { cookie: session } })).status).toBe(200);
    const forged = `${session.split('.')[0]}.forged`;
    expect((await fetch(`${demo.url}/api/stats`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('JSON routes take JSON only, and no CORS unless configured: a web page cannot spend a budget', async () => {
    const plain = await fetch(`${demo.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ message: demo.question }),
    });
    expect(plain.status).toBe(415);
    const v1 = await fetch(`${demo.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer cf-demo-key' },
      body: JSON.stringify({ model: 'cascade', messages: [{ role: 'user', content: demo.question }] }),
    });
    expect(v1.status).toBe(415);
    const preflight = await fetch(`${demo.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the dashboard shows questions only with their PII redacted', async () => {
    const card = '4111 1111 1111 1111';
    await fetch(
      `${demo.url}/v1/chat/completions`,
      json('cf-demo-key', {
        model: 'cascade',
        messages: [{ role: 'user', content: `Charge my card ${card} and mail bob@example.com` }],
      }),
    );
    const stats = await read(
      await fetch(`${demo.url}/api/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } }),
    );
    const shown = JSON.stringify(stats.recent);
    expect(shown).not.toContain(card);
    expect(shown).not.toContain('bob@example.com');
    expect(shown).toMatch(/Charge my card/);
    expect(JSON.stringify(stats)).not.toContain('cf-demo-key');
  });
});

/** Sends raw bytes on one connection; resolves with what came back once the server answers or closes. */
function raw(url: string, bytes: string, waitMs = 5_000): Promise<{ text: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const t0 = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, ms: Date.now() - t0 });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d) => {
      text += d.toString();
      if (text.includes('\r\n\r\n')) setTimeout(done, 50);
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('the HTTP layer bounds the work a client can cause', () => {
  it('an unauthenticated body is refused before it is read; a body that never ends is cut off at the deadline', async () => {
    const head = (auth: string) =>
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n${auth}content-type: application/json\r\ncontent-length: 900000\r\n\r\n{"model":`;
    // No key: 401 at once, though 900 kB were announced and a few bytes sent.
    const anonymous = await raw(demo.url, head(''));
    expect(anonymous.text).toMatch(/^HTTP\/1\.1 401/);
    expect(anonymous.text).toContain('invalid_api_key');
    expect(anonymous.ms).toBeLessThan(4_000);
    // With a key, a body that never arrives is cut off at the request deadline (here 600 ms), not held open.
    const short = await startDemo({ requestTimeoutMs: 600 });
    try {
      const slow = await raw(short.url, head('authorization: Bearer cf-demo-key\r\n'), 8_000);
      expect(slow.text).toMatch(/^HTTP\/1\.1 408/);
      expect(slow.ms).toBeLessThan(4_000);
    } finally {
      await short.stop();
    }
  });

  it('CORS for a configured origin only; a body that would set a prototype is refused', async () => {
    const cors = await startDemo({ corsOrigins: ['https://app.example'] });
    try {
      const preflight = (origin: string) =>
        fetch(`${cors.url}/v1/chat/completions`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const allowed = await preflight('https://app.example');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const evil = await preflight('https://evil.example');
      expect(evil.status).toBe(403);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const models = await fetch(`${cors.url}/v1/models`, {
        headers: { origin: 'https://app.example', authorization: 'Bearer cf-demo-key' },
      });
      expect(models.headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      await cors.stop();
    }
    const poisoned = await fetch(`${demo.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cf-demo-key' },
      body: '{"model":"cascade","__proto__":{"admin":true},"messages":[{"role":"user","content":"hi"}]}',
    });
    expect(poisoned.status).toBe(400);
    expect((await read(poisoned)).error.code).toBe('invalid_json');
    const array = await fetch(`${demo.url}/v1/chat/completions`, json('cf-demo-key', [1, 2]));
    expect(array.status).toBe(400);
    expect((await read(array)).error.message).toMatch(/not a JSON object/);
  });
});

describe('bad input gets a 400 that names what was wrong', () => {
  const cases: [string, unknown, RegExp][] = [
    ['messages: [null]', { model: 'cascade', messages: [null] }, /messages\.0/],
    [
      'content: [null]',
      { model: 'cascade', messages: [{ role: 'user', content: [null] }] },
      /messages\.0\.content/,
    ],
    [
      'content part text not a string',
      { model: 'cascade', messages: [{ role: 'user', content: [{ type: 'text', text: {} }] }] },
      /messages\.0\.content/,
    ],
    ['n: 3', { model: 'cascade', n: 3, messages: [{ role: 'user', content: 'hi' }] }, /^n: only n = 1/],
    ['model not a string', { model: 5, messages: [{ role: 'user', content: 'hi' }] }, /^model:/],
    [
      'max_tokens a string',
      { model: 'c', max_tokens: '100', messages: [{ role: 'user', content: 'hi' }] },
      /max_tokens/,
    ],
    [
      'legacy functions',
      { model: 'c', functions: [], messages: [{ role: 'user', content: 'hi' }] },
      /functions: not supported/,
    ],
    [
      'an unknown field',
      { model: 'c', foo: 1, messages: [{ role: 'user', content: 'hi' }] },
      /foo: unknown field/,
    ],
  ];
  for (const [name, body, message] of cases) {
    it(name, async () => {
      const res = await fetch(`${demo.url}/v1/chat/completions`, json('cf-demo-key', body));
      expect(res.status).toBe(400);
      const e = (await read(res)).error;
      expect(e.message).toMatch(message);
      expect(e.message).not.toMatch(/TypeError|at .*\.ts/);
    });
  }

  it('a batch is bounded and takes no client ladder', async () => {
    const many = { queries: Array.from({ length: 101 }, () => demo.question) };
    const big = await fetch(`${demo.url}/v1/cascade/batch`, json('cf-demo-key', many));
    expect(big.status).toBe(400);
    expect((await read(big)).error.message).toMatch(/more than 100 items/);
    const ladder = await fetch(
      `${demo.url}/v1/cascade/batch`,
      json('cf-demo-key', {
        queries: [{ query: demo.question, ladder: [{ model: 'free-model', provider: 'x' }] }],
      }),
    );
    expect(ladder.status).toBe(400);
    expect((await read(ladder)).error.message).toMatch(/queries\.0\.ladder: unknown field/);
    const huge = await fetch(
      `${demo.url}/v1/chat/completions`,
      json('cf-demo-key', { model: 'c', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }),
    );
    expect(huge.status).toBe(413);
  });
});

describe('against a live upstream', () => {
  let upstream: TestServer;
  let echo: Server;
  let echoURL: string;
  const SECRET = 'sk-test-SECRETsecret1234567890';
  const saved = process.env.OPENAI_API_KEY;
  beforeAll(async () => {
    upstream = await startTestServer({
      models: { 'small-model': { content: 'hi' }, 'big-model': { content: 'hi' } },
    });
    // An upstream that echoes the request's headers in its error, as some proxies do.
    echo = createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: `upstream broke; you sent ${JSON.stringify(req.headers)}` } }),
      );
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoURL = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`;
    process.env.OPENAI_API_KEY = SECRET;
  });
  afterAll(async () => {
    process.env.OPENAI_API_KEY = saved;
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    echo?.close();
    await upstream?.close();
  });
  const live = (baseURL: string, extra: Record<string, unknown> = {}) =>
    startDemo({
      mode: 'live',
      live: { baseURL, ladder: ['small-model', 'big-model'], threshold: 0.7 },
      ...extra,
    });
  let running: Demo | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('an upstream that echoes the Authorization header: no key reaches the client', async () => {
    running = await live(echoURL);
    const res = await fetch(
      `${running.url}/v1/chat/completions`,
      json('cf-demo-key', { model: 'cascade', messages: [{ role: 'user', content: 'hello' }] }),
    );
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).toMatch(/upstream broke/);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/Bearer sk-/);
    expect(text).not.toContain('cf-demo-key');
  });

  it('a hanging upstream: the deadline answers 504, and a client that goes away aborts the upstream call', async () => {
    running = await live(upstream.openaiBaseURL, { requestTimeoutMs: 400 });
    upstream.injectFault('*', { kind: 'hang' }, 100);
    const t0 = Date.now();
    const res = await fetch(
      `${running.url}/v1/chat/completions`,
      json('cf-demo-key', { model: 'cascade', messages: [{ role: 'user', content: 'hello' }] }),
    );
    expect(res.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // The dashboard records what the client got, on both APIs.
    expect(running.engine.stats.recent[0]!.error).toBe('gateway_timeout');
    const claude = await fetch(`${running.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'cf-demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'cascade',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hello' }],
      }),
    });
    expect(claude.status).toBe(504);
    expect(running.engine.stats.recent[0]!.error).toBe('gateway_timeout');
    // The deadline's abort closed the upstream request too.
    await new Promise((r) => setTimeout(r, 100));
    expect(upstream.requests.length).toBeGreaterThan(0);
    expect(upstream.requests.every((r) => r.closedByClient)).toBe(true);
    const seen = upstream.requests.length;
    const client = new AbortController();
    const pending = fetch(`${running.url}/v1/chat/completions`, {
      ...json('cf-demo-key', { model: 'cascade', messages: [{ role: 'user', content: 'hello again' }] }),
      signal: client.signal,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 150));
    client.abort();
    await pending;
    await new Promise((r) => setTimeout(r, 200));
    const mine = upstream.requests.slice(seen);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.closedByClient)).toBe(true);
  });

  it('a streaming client that goes away mid-stream aborts the upstream stream', async () => {
    const slow = await startTestServer({
      models: {
        'small-model': { content: 'unsure', logprobs: -3 },
        'big-model': { content: 'word '.repeat(40), tokenDelayMs: 50 },
      },
    });
    try {
      running = await live(slow.openaiBaseURL);
      const client = new AbortController();
      const res = await fetch(`${running.url}/v1/chat/completions`, {
        ...json('cf-demo-key', {
          model: 'cascade',
          stream: true,
          messages: [{ role: 'user', content: 'hello' }],
        }),
        signal: client.signal,
      });
      expect(res.status).toBe(200);
      // buffer mode: the verifier's first tokens arrive while its stream is still running upstream.
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toMatch(/^data: /);
      client.abort();
      await new Promise((r) => setTimeout(r, 300));
      const big = slow.requestsFor('big-model');
      expect(big).toHaveLength(1);
      expect(big[0]!.closedByClient).toBe(true);
      expect(big[0]!.chunksSent).toBeLessThan(big[0]!.chunksPlanned);
    } finally {
      await slow.close();
    }
  });

  it('a corrupt profile fails that user alone, not start-up nor the dashboard', async () => {
    const first = await startDemo();
    const db = first.profilesDb;
    await first.stop();
    const sqlite = new Database(db);
    sqlite.prepare("UPDATE profiles SET overrides = '{broken' WHERE id = 'other-user'").run();
    sqlite.close();
    running = await startDemo({ profilesDb: db });
    const bad = await fetch(
      `${running.url}/v1/chat/completions`,
      json('cf-other-key', { model: 'cascade', messages: [{ role: 'user', content: running.question }] }),
    );
    expect(bad.status).toBe(500);
    expect((await read(bad)).error.code).toBe('profile_corrupt');
    const good = await fetch(
      `${running.url}/v1/chat/completions`,
      json('cf-demo-key', { model: 'cascade', messages: [{ role: 'user', content: running.question }] }),
    );
    expect(good.status).toBe(200);
    const stats = await fetch(`${running.url}/api/stats`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(stats.status).toBe(200);
    const users = (await read(stats)).users;
    expect(users.find((u) => u.id === 'other-user')?.error).toMatch(/corrupt/i);
  });
});

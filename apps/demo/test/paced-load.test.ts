import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../bench/paced-load.mjs', import.meta.url));

describe('bench/paced-load.mjs (the generator behind the latency-at-a-rate figures)', () => {
  it('sends the seeded Poisson schedule with its body and headers, and reports latencies and failures', async () => {
    const seen: { auth: string | undefined; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        res.writeHead(body.includes('fail') ? 500 : 200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
    const run = async (body: string, seed = 7) => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        SCRIPT,
        JSON.stringify({
          url,
          rate: 200,
          seconds: 1,
          body,
          headers: { authorization: 'Bearer k' },
          connections: 4,
          seed,
        }),
      ]);
      return JSON.parse(stdout) as {
        sent: number;
        failed: number;
        p50: number;
        p99: number;
        max: number;
        rate: number;
      };
    };
    try {
      const a = await run('{"ok":1}');
      // 4 requests open the sockets first; then about 200 in the second (Poisson: the count varies with the seed).
      expect(a.sent).toBeGreaterThan(120);
      expect(a.sent).toBeLessThan(280);
      expect(a.failed).toBe(0);
      expect(a.p50).toBeGreaterThan(0);
      expect(a.p99).toBeGreaterThanOrEqual(a.p50);
      expect(a.max).toBeGreaterThanOrEqual(a.p99);
      expect(seen.length).toBe(a.sent + 4);
      expect(seen.every((r) => r.auth === 'Bearer k' && r.body === '{"ok":1}')).toBe(true);
      // The same seed gives the same schedule, so two targets see the same load.
      expect((await run('{"ok":2}')).sent).toBe(a.sent);
      const failing = await run('{"fail":1}');
      expect(failing.failed).toBe(failing.sent);
    } finally {
      server.close();
    }
  });

  it('refuses to start without a URL and a rate, saying how to call it', async () => {
    const err = await promisify(execFile)(process.execPath, [SCRIPT, '{}']).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/usage: node paced-load\.mjs/);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess } from './processes.js';

let collector: Server;
const received: { path?: string; body: string }[] = [];
beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
});
afterAll(() => collector?.close());

describe('gateway tracing', () => {
  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, every request is traced to the collector over OTLP/HTTP', async () => {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const gw = await startGatewayProcess(
      { mode: 'replay', adminKey: 'cf-admin-tracing-test-key' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    );
    try {
      const questions = (await (
        await fetch(`${gw.url}/v1/demo/questions`, { headers: { authorization: 'Bearer cf-demo-key' } })
      ).json()) as { questions: string[] };
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'cascade',
          messages: [{ role: 'user', content: questions.questions[0] }],
        }),
      });
      expect(res.status).toBe(200);
      gw.child.kill('SIGTERM'); // the shutdown flushes the queued spans
      expect(await gw.exited).toBe(0);
    } finally {
      gw.kill();
    }
    expect(received.some((r) => r.path === '/v1/traces')).toBe(true);
    const all = received.map((r) => r.body).join('\n');
    expect(all).toContain('invoke_agent cascadeflow');
    expect(all).toContain('chat gpt-4o-mini');
  }, 60_000);
});

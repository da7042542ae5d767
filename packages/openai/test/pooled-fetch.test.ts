import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { pooledFetch } from '../src/index.js';

let server: TestServer | undefined;
afterEach(async () => server?.close());

describe('pooledFetch', () => {
  it('a JSON answer is a real Response read whole: every body reader, a clone, and the body as a stream', async () => {
    server = await startTestServer({ models: { m: { content: 'Paris, 巴黎' } } });
    const f = pooledFetch();
    const call = () =>
      f(`${server!.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Capital?' }] }),
      });
    const r = await call();
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(200);
    expect(r.ok).toBe(true);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const copy = r.clone();
    const json = (await r.json()) as { choices: { message: { content: string } }[] };
    expect(json.choices[0]!.message.content).toBe('Paris, 巴黎');
    // The clone and a second read give the same bytes (a buffered body can be read again, unlike a stream).
    const text = await copy.text();
    expect(JSON.parse(text)).toEqual(json);
    expect(new TextDecoder().decode(await r.arrayBuffer())).toBe(text);
    expect(await (await r.blob()).text()).toBe(text);
    const streamed = await new Response((await call()).body).text();
    expect(JSON.parse(streamed).choices[0].message.content).toBe('Paris, 巴黎');
    // An error status is a Response too, with its JSON.
    server.injectFault('m', { kind: 'status', status: 404 });
    const missing = await call();
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
    expect(await missing.json()).toHaveProperty('error');
  });

  it('sends headers given as Headers, pairs or a record, a repeated name joined as fetch joins it', async () => {
    server = await startTestServer({ models: { m: { content: 'ok' } } });
    const f = pooledFetch();
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const url = `${server.openaiBaseURL}/chat/completions`;
    const sent: RequestInit['headers'][] = [
      new Headers({ 'Content-Type': 'application/json', 'X-Tag': 'headers' }),
      [
        ['Content-Type', 'application/json'],
        ['X-Tag', 'a'],
        ['x-tag', 'b'],
      ],
      { 'Content-Type': 'application/json', 'X-Tag': 'record' },
    ];
    for (const headers of sent) expect((await f(url, { method: 'POST', headers, body })).status).toBe(200);
    expect(server.requests.map((r) => r.headers['x-tag'])).toEqual(['headers', 'a, b', 'record']);
  });

  it('an SSE answer streams as it arrives, through the official SDK', async () => {
    server = await startTestServer({ models: { m: { content: 'one two three four' } } });
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: server.openaiBaseURL,
      fetch: pooledFetch(),
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const parts: string[] = [];
    for await (const c of stream) if (c.choices[0]?.delta.content) parts.push(c.choices[0].delta.content);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe('one two three four');
  });

  it('streams a large non-JSON body to a slow reader without losing or reordering bytes; 204 and HEAD have none', async () => {
    const chunk = (i: number) => `${String(i).padStart(8, '0')}${'x'.repeat(8184)}`; // 8 KiB each
    const plain = createServer((req, res) => {
      if (req.url === '/empty') {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'x-many': ['a', 'b'] });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      let i = 0;
      const more = () => {
        while (i < 640) if (!res.write(chunk(i++))) return void res.once('drain', more);
        res.end();
      };
      more();
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    try {
      const f = pooledFetch();
      const r = await f(`${base}/file`);
      expect(r.headers.get('x-many')).toBe('a, b');
      const reader = r.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (let reads = 0; ; reads++) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (reads % 50 === 0) await new Promise((w) => setTimeout(w, 5)); // a slow reader: the socket waits
      }
      expect(text.length).toBe(640 * 8192);
      for (const i of [0, 1, 320, 639])
        expect(text.slice(i * 8192, i * 8192 + 8)).toBe(String(i).padStart(8, '0'));
      const empty = await f(`${base}/empty`);
      expect(empty.status).toBe(204);
      expect(empty.body).toBeNull();
      const head = await f(`${base}/file`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      plain.close();
    }
  });
});

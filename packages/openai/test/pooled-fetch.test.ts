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
});

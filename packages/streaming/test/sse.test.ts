import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cascadeSSE,
  cascadeSSEMessages,
  formatSSE,
  openAISSE,
  openAISSEMessages,
  streamCascade,
} from '../src/index.js';
import { setup, UNSURE } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
let gateway: Server | undefined;
afterEach(async () => {
  await env?.server.close();
  gateway?.closeAllConnections();
  await new Promise((r) => gateway?.close(r) ?? r(null));
});

const ladder = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
  { model: 'gpt-4o', provider: 'openai' },
];

describe('SSE encoders', () => {
  it('the official openai SDK consumes a cascade stream unchanged', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'maybe Lyon', logprobs: UNSURE },
      'gpt-4o': { content: 'Paris is the capital.', usage: { inputTokens: 9, outputTokens: 5 } },
    });
    const agent = env.agent(ladder);
    gateway = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      const { messages } = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for await (const chunk of openAISSE(streamCascade(agent, { messages }, { mode: 'buffer' }), {
        includeUsage: true,
      }))
        res.write(chunk);
      res.end();
    });
    await new Promise<void>((r) => gateway!.listen(0, '127.0.0.1', r));
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1`,
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Paris is the capital.');
    expect(finish).toBe('stop');
    // both attempts' tokens are counted: the draft (estimated by the test server) and the answer
    expect(usage?.completion_tokens).toBeGreaterThan(5);
  });

  it('the cascade SSE carries every decision as a named event, and errors as an error event', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'maybe Lyon', logprobs: UNSURE },
      'gpt-4o': { content: 'Paris' },
    });
    const frames: string[] = [];
    for await (const f of cascadeSSE(streamCascade(env.agent(ladder), 'Capital?', { mode: 'stream' })))
      frames.push(f);
    const names = frames.map((f) => f.split('\n')[0]!.replace('event: ', ''));
    expect(names).toEqual(
      expect.arrayContaining([
        'mode',
        'attempt_start',
        'text',
        'decision',
        'retract',
        'switch',
        'usage',
        'finish',
      ]),
    );
    const finish = JSON.parse(frames.at(-1)!.split('\n')[1]!.slice('data: '.length));
    expect(finish.result.content).toBe('Paris');
    env.server.injectFault('*', { kind: 'status', status: 400 }, 2);
    const errFrames: string[] = [];
    for await (const f of cascadeSSE(streamCascade(env.agent(ladder), 'Capital?'))) errFrames.push(f);
    expect(errFrames.at(-1)).toMatch(/^event: error\ndata: \{"code":"all_tiers_failed"/);
  });

  it('the message encoders give what an SSE helper needs: one-line data, framed exactly as the text encoders', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'maybe\nLyon', logprobs: UNSURE },
      'gpt-4o': { content: 'Paris\n\nis the capital.' },
    });
    const agent = env.agent(ladder);
    const opts = { id: 'chatcmpl-fixed', includeUsage: true, extra: () => ({ cascade: { tier: 1 } }) };
    const messages = [];
    for await (const m of openAISSEMessages(streamCascade(agent, 'Capital?', { mode: 'buffer' }), opts))
      messages.push(m);
    const frames = [];
    for await (const f of openAISSE(streamCascade(agent, 'Capital?', { mode: 'buffer' }), opts))
      frames.push(f);
    // A data line with a raw newline would be split by the helper into two lines of broken JSON.
    for (const m of messages) expect(m.data).not.toMatch(/\n/);
    expect(messages.at(-1)).toEqual({ data: '[DONE]' });
    expect(JSON.parse(messages.at(-3)!.data).cascade).toEqual({ tier: 1 });
    const created = (s: string) => s.replace(/"created":\d+/g, '"created":0');
    expect(messages.map((m) => created(formatSSE(m)))).toEqual(frames.map(created));
    const named = [];
    for await (const m of cascadeSSEMessages(streamCascade(agent, 'Capital?', { mode: 'stream' })))
      named.push(m);
    expect(named.every((m) => typeof m.event === 'string' && !m.data.includes('\n'))).toBe(true);
    expect(JSON.parse(named.at(-1)!.data).result.content).toBe('Paris\n\nis the capital.');
  });
});

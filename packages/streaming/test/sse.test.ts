import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { cascadeSSE, openAISSE, streamCascade } from '../src/index.js';
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
});

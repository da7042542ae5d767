import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../src/index.js';

let server: TestServer;
afterEach(async () => server?.close());

describe('test server speaks the OpenAI wire format', () => {
  it('answers chat completions with log-probs, usage and tool calls', async () => {
    server = await startTestServer({
      models: {
        m: {
          content: 'Hello there',
          logprobs: [-0.1, -0.2],
          usage: { inputTokens: 9, cachedInputTokens: 4 },
        },
        t: { toolCalls: [{ id: 'call_1', name: 'f', arguments: { a: 1 } }] },
      },
    });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      logprobs: true,
    });
    expect(res.object).toBe('chat.completion');
    expect(res.choices[0]?.message.content).toBe('Hello there');
    expect(res.choices[0]?.logprobs?.content?.map((t) => [t.token, t.logprob])).toEqual([
      ['Hello', -0.1],
      [' there', -0.2],
    ]);
    expect(res.usage).toMatchObject({
      prompt_tokens: 9,
      completion_tokens: 2,
      total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 4 },
    });
    const tool = await client.chat.completions.create({
      model: 't',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(tool.choices[0]?.finish_reason).toBe('tool_calls');
    expect(tool.choices[0]?.message.content).toBeNull();
    expect(tool.choices[0]?.message.tool_calls?.[0]).toEqual({
      id: 'call_1',
      type: 'function',
      function: { name: 'f', arguments: '{"a":1}' },
    });
  });

  it('streams chunks, then a usage-only chunk when include_usage is set', async () => {
    server = await startTestServer({ models: { m: { content: 'a b c', usage: { inputTokens: 3 } } } });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      logprobs: true,
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('a b c');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });
    expect(chunks[1]?.choices[0]?.logprobs?.content?.[0]?.token).toBe('a');
  });

  it('injects 429 with retry-after, then answers', async () => {
    server = await startTestServer({ models: { m: { content: 'ok' } } });
    server.injectFault('m', { kind: 'status', status: 429, retryAfterSeconds: 2 });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const err = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get('retry-after')).toBe('2');
    const ok = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(ok.choices[0]?.message.content).toBe('ok');
  });

  it('answers 404 model_not_found for an unscripted model', async () => {
    server = await startTestServer();
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const err = await client.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe('model_not_found');
  });

  it('cuts a stream midway and sends malformed JSON on request', async () => {
    server = await startTestServer({ models: { m: { content: 'one two three four five six seven' } } });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    server.injectFault('m', { kind: 'cut', afterChunks: 3 });
    const got: string[] = [];
    const cut = (async () => {
      const s = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      });
      for await (const c of s) got.push(c.choices[0]?.delta.content ?? '');
    })();
    await expect(cut).rejects.toThrow();
    expect(got.join('')).toBe('one two');
    server.injectFault('m', { kind: 'malformed' });
    await expect(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();
  });
});

describe('test server speaks the Anthropic wire format', () => {
  it('answers messages and streams message events', async () => {
    server = await startTestServer({
      models: {
        c: {
          content: 'Bonjour le monde',
          toolCalls: [{ id: 'toolu_1', name: 'f', arguments: { x: 'y' } }],
          usage: { inputTokens: 7 },
        },
      },
    });
    const client = new Anthropic({ apiKey: 'x', baseURL: server.anthropicBaseURL, maxRetries: 0 });
    const msg = await client.messages.create({
      model: 'c',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.content).toEqual([
      { type: 'text', text: 'Bonjour le monde' },
      { type: 'tool_use', id: 'toolu_1', name: 'f', input: { x: 'y' } },
    ]);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.usage.input_tokens).toBe(7);
    const stream = client.messages.stream({
      model: 'c',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual(msg.content);
    expect(final.stop_reason).toBe('tool_use');
  });

  it('answers errors in Anthropic shape', async () => {
    server = await startTestServer({ models: { c: { content: 'x' } } });
    server.injectFault('c', { kind: 'status', status: 529 });
    const client = new Anthropic({ apiKey: 'x', baseURL: server.anthropicBaseURL, maxRetries: 0 });
    const err = await client.messages
      .create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err.status).toBe(529);
    expect(err.error).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Injected fault: HTTP 529' },
    });
  });

  it('records a client that hangs up on a hung request', async () => {
    server = await startTestServer({ models: { m: { content: 'x' } } });
    server.injectFault('m', { kind: 'hang' });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const p = client.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      { signal: AbortSignal.timeout(100) },
    );
    await expect(p).rejects.toThrow();
    const req = await server.waitFor((r) => r.model === 'm');
    expect(req.closedByClient).toBe(true);
    expect(req.completed).toBe(false);
  });

  it('answers without keeping a log when recordRequests is false', async () => {
    const quiet = await startTestServer({ models: { m: { content: 'ok' } }, recordRequests: false });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${quiet.openaiBaseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        });
        expect(
          ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
        ).toBe('ok');
      }
      expect(quiet.requests).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});

describe('test server honours stop sequences as the APIs do', () => {
  it('cuts an OpenAI answer, whole and streamed, before the first stop sequence', async () => {
    server = await startTestServer({ models: { m: { content: 'one. two. END three', logprobs: -0.1 } } });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'count' }];
    const res = await client.chat.completions.create({ model: 'm', messages, stop: ['three', 'END'] });
    expect(res.choices[0]?.message.content).toBe('one. two. ');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage?.completion_tokens).toBe(3);
    const stream = await client.chat.completions.create({ model: 'm', messages, stop: ' two', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('one.');
    // No stop sequence met: the whole answer.
    const whole = await client.chat.completions.create({ model: 'm', messages, stop: ['nowhere'] });
    expect(whole.choices[0]?.message.content).toBe('one. two. END three');
  });

  it("says which sequence cut the answer in vLLM's stop_reason when told to speak as vLLM", async () => {
    server = await startTestServer({
      models: { m: { content: 'one. two. END three' } },
      openaiDialect: 'vllm',
    });
    const client = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'count' }];
    const res = await client.chat.completions.create({ model: 'm', messages, stop: ['three', 'END'] });
    expect(res.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: 'END' });
    const whole = await client.chat.completions.create({ model: 'm', messages });
    expect(whole.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: null });
    const stream = await client.chat.completions.create({ model: 'm', messages, stop: ' two', stream: true });
    const finishes: unknown[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0] as { finish_reason: string | null; stop_reason?: unknown } | undefined;
      if (choice) finishes.push([choice.finish_reason, choice.stop_reason]);
    }
    expect(finishes.at(-1)).toEqual(['stop', ' two']);
    expect(finishes[0]).toEqual([null, null]);
    // OpenAI's own API has no such field.
    const plain = await startTestServer({ models: { m: { content: 'one. two' } } });
    try {
      const openai = new OpenAI({ apiKey: 'x', baseURL: plain.openaiBaseURL, maxRetries: 0 });
      const r = await openai.chat.completions.create({ model: 'm', messages, stop: ['two'] });
      expect(r.choices[0]).not.toHaveProperty('stop_reason');
    } finally {
      await plain.close();
    }
  });

  it('cuts an Anthropic message and reports the sequence, whole and streamed', async () => {
    server = await startTestServer({ models: { c: { content: 'alpha\n\nbeta' } } });
    const client = new Anthropic({ apiKey: 'x', baseURL: server.anthropicBaseURL, maxRetries: 0 });
    const params = {
      model: 'c',
      max_tokens: 50,
      messages: [{ role: 'user' as const, content: 'hi' }],
      stop_sequences: ['\n\n'],
    };
    const msg = await client.messages.create(params);
    expect(msg.content).toEqual([{ type: 'text', text: 'alpha' }]);
    expect(msg.stop_reason).toBe('stop_sequence');
    expect(msg.stop_sequence).toBe('\n\n');
    const streamed = await client.messages.stream(params).finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: 'alpha' }]);
    expect([streamed.stop_reason, streamed.stop_sequence]).toEqual(['stop_sequence', '\n\n']);
  });
});

import { type CompletionRequest, ProviderError, type StreamDelta } from '@cascadeflow/core';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicProvider, threadedAnthropicProvider } from '../src/index.js';

let server: TestServer | undefined;
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((p) => p.close()));
  await server?.close();
});

const collect = async (it: AsyncIterable<StreamDelta>) => {
  const out: StreamDelta[] = [];
  for await (const d of it) out.push(d);
  return out;
};

describe('threadedAnthropicProvider', () => {
  it.each([
    ['the global fetch', false],
    ['pooledFetch', true],
  ] as const)('answers as AnthropicProvider does, whole and streamed, on %s', async (_name, pooled) => {
    server = await startTestServer({
      models: {
        'claude-haiku-4-5': {
          content: 'Let me look.',
          toolCalls: [{ id: 'toolu_9', name: 'lookup', arguments: { q: 'a query' } }],
          usage: { inputTokens: 12, outputTokens: 9 },
        },
      },
    });
    const options = { apiKey: 'test', baseURL: server.anthropicBaseURL };
    const threaded = threadedAnthropicProvider({ ...options, pooledFetch: pooled, inline: false });
    closing.push(threaded);
    const local = new AnthropicProvider(options);
    expect(threaded.capabilities).toEqual({
      streaming: true,
      logprobs: false,
      tools: true,
      jsonSchema: false,
    });
    const req: CompletionRequest = {
      model: 'claude-haiku-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
      ],
      tools: [{ name: 'lookup', description: 'Looks up', parameters: { type: 'object' } }],
    };
    expect(await threaded.complete(req)).toEqual(await local.complete(req));
    expect(await collect(threaded.stream(req))).toEqual(await collect(local.stream(req)));
    const bodies = server.requestsFor('claude-haiku-4-5').map((r) => r.body);
    expect(bodies[0]).toEqual(bodies[1]);
  });

  it('keeps a 429 typed, with its retry-after', async () => {
    server = await startTestServer({ models: { 'claude-haiku-4-5': { content: 'ok' } } });
    server.injectFault('claude-haiku-4-5', { kind: 'status', status: 429, retryAfterSeconds: 2 });
    const threaded = threadedAnthropicProvider({
      apiKey: 'test',
      baseURL: server.anthropicBaseURL,
      inline: false,
    });
    closing.push(threaded);
    const e = await threaded
      .complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({
      code: 'provider_rate_limited',
      status: 429,
      retryable: true,
      retryAfterMs: 2000,
    });
  });
});

import { spawnSync } from 'node:child_process';
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

describe('threadedAnthropicProvider without @cascadeflow/openai', () => {
  it('refuses pooledFetch by name, and works without it', () => {
    // A process in which @cascadeflow/openai cannot be found, as where it is not installed.
    const hide = `const M = (await import('node:module')).default; const resolve = M._resolveFilename;
      M._resolveFilename = function (request, ...rest) {
        if (request === '@cascadeflow/openai') throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };`;
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const script = `${hide}
      const { threadedAnthropicProvider } = await import(${JSON.stringify(dist)});
      try { threadedAnthropicProvider({ apiKey: 'k', pooledFetch: true }); }
      catch (e) { console.log(e.name, e.code, e.field, e.message); }
      const p = threadedAnthropicProvider({ apiKey: 'k' });
      console.log(p.name);
      await p.close();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      'InvalidConfigError invalid_config pooledFetch pooledFetch: needs @cascadeflow/openai, which has pooledFetch(): install it, or leave pooledFetch false',
      'anthropic',
    ]);
  });
});

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CascadeAgent } from '../src/agent/agent.js';
import {
  CascadeAbortedError,
  CascadeFlowError,
  InvalidConfigError,
  ProviderError,
} from '../src/errors/errors.js';
import { ThreadedProvider } from '../src/providers/thread/threaded-provider.js';
import { logprobConfidence } from '../src/quality/logprob-confidence.js';
import type { CompletionRequest, StreamDelta } from '../src/types/provider.js';
// @ts-expect-error: a plain JavaScript fixture, shared with the worker
import { scriptedProvider } from './fixtures/scripted-provider.mjs';

const entry = new URL('./fixtures/scripted-thread.mjs', import.meta.url);
const capabilities = { streaming: true, logprobs: true, tools: true, jsonSchema: false };
const opened: ThreadedProvider[] = [];
const threaded = (options: Record<string, unknown> = {}) => {
  const p = new ThreadedProvider({ entry, options, name: 'scripted', capabilities, handlesTimeout: true });
  opened.push(p);
  return p;
};
const ask = (text: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'small',
  messages: [{ role: 'user', content: text }],
  timeoutMs: 5000,
  ...extra,
});
const collect = async (it: AsyncIterable<StreamDelta>) => {
  const out: StreamDelta[] = [];
  for await (const d of it) out.push(d);
  return out;
};
const stats = async (p: ThreadedProvider) =>
  JSON.parse((await p.complete(ask('stats'))).content) as { calls: number; aborted: number };

/**
 * Runs, in a new Node process started with `nodeArgs`, a ThreadedProvider's first call (its answer is `r`)
 * and then `after`; the process's output and exit status.
 */
const inProcess = (nodeArgs: string[], after: string) => {
  const thread = fileURLToPath(new URL('../dist/thread.js', import.meta.url));
  const script = `
    const { ThreadedProvider } = await import(${JSON.stringify(thread)});
    const p = new ThreadedProvider({ entry: ${JSON.stringify(fileURLToPath(entry))}, name: 'scripted',
      capabilities: { streaming: true, logprobs: true, tools: true, jsonSchema: false } });
    const r = await p.complete({ model: 'small', messages: [{ role: 'user', content: 'Paris' }] });
    ${after}`;
  return spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
};

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

describe('ThreadedProvider', () => {
  it('answers as the provider itself does, whole and streamed, log-probs included', async () => {
    const p = threaded({ prefix: 'hi' });
    const local = scriptedProvider({ prefix: 'hi' });
    expect(await p.complete(ask('Paris'))).toEqual(await local.complete(ask('Paris')));
    expect(await collect(p.stream(ask('Paris')))).toEqual(await collect(local.stream(ask('Paris'))));
    const each: StreamDelta[] = [];
    await p.streamEach(ask('Paris'), (d) => each.push(d));
    expect(each).toEqual(await collect(local.stream(ask('Paris'))));
    expect(each.at(-1)).toMatchObject({ type: 'finish', stopSequence: 'END' });
    expect(each[0]).toMatchObject({ logprobs: [{ token: 'echo', logprob: -0.5 }] });
  });

  it('rebuilds typed errors with their data', async () => {
    const p = threaded();
    const e = await p.complete(ask('rate')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({
      code: 'provider_rate_limited',
      provider: 'scripted',
      model: 'small',
      status: 429,
      retryable: true,
      retryAfterMs: 1500,
      message: 'scripted/small: HTTP 429: slow down',
    });
    expect(String((e as Error).cause)).toContain('the upstream said 429');
    const plain = await p.complete(ask('typeerror')).catch((x: unknown) => x);
    expect(plain).toBeInstanceOf(Error);
    expect(plain).not.toBeInstanceOf(CascadeFlowError);
    expect(plain).toMatchObject({ name: 'TypeError', message: 'not a provider error' });
    // Thrown at once by the provider, not in a promise: that call fails alone, the worker lives on.
    for (const call of [() => p.complete(ask('sync')), () => collect(p.stream(ask('sync')))])
      expect(await call().catch((x: unknown) => x)).toMatchObject({
        name: 'TypeError',
        message: 'thrown at once',
      });
    expect((await p.complete(ask('Paris'))).content).toBe('echo Paris (timeout 5000)');
    // A request that is not plain data cannot cross: refused by name, nothing sent, nothing left waiting.
    const odd = ask('Paris', { tools: [{ name: 'f', parameters: { check: () => true } }] });
    const refused = await p.complete(odd).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(InvalidConfigError);
    expect(refused).toMatchObject({ code: 'invalid_request', field: 'request' });
    expect((refused as Error).message).toMatch(/cannot be sent to the provider's worker thread/);
    const cut = await collect(p.stream(ask('cut'))).catch((x: unknown) => x);
    expect(cut).toMatchObject({ retryable: true, message: 'scripted/small: the stream was cut off midway' });
  });

  it('aborts the call in the worker when the signal fires', async () => {
    const p = threaded();
    const c = new AbortController();
    const call = p.complete(ask('hang', { signal: c.signal }));
    setTimeout(() => c.abort(new Error('user left')), 50);
    const e = await call.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CascadeAbortedError);
    expect((e as Error).cause).toMatchObject({ message: 'user left' });
    await expect.poll(async () => (await stats(p)).aborted).toBe(1);
    // Aborted before the call: nothing is sent.
    const before = (await stats(p)).calls;
    await expect(p.complete(ask('Paris', { signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(
      CascadeAbortedError,
    );
    expect((await stats(p)).calls).toBe(before + 1); // the stats call itself
  });

  it('ends the call in the worker when a reader stops early or onDelta throws', async () => {
    const p = threaded();
    for await (const d of p.stream(ask('hang'))) {
      expect(d.type).toBe('text');
      break;
    }
    await expect.poll(async () => (await stats(p)).aborted).toBe(1);
    const boom = new Error('the consumer failed');
    await expect(
      p.streamEach(ask('hang'), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect.poll(async () => (await stats(p)).aborted).toBe(2);
  });

  it('fails the calls in flight when the worker dies, and starts a new one', async () => {
    const p = threaded();
    const e = await p.complete(ask('crash')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ retryable: true, model: 'small' });
    expect((e as Error).message).toContain('exited with code 3');
    expect((await p.complete(ask('Paris'))).content).toBe('echo Paris (timeout 5000)');
  });

  it('names why the provider could not be built, for every call', async () => {
    const p = threaded({ failToBuild: 'baseURL: must be a URL' });
    for (let i = 0; i < 2; i++) {
      const e = await p.complete(ask('Paris')).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ProviderError);
      expect(e).toMatchObject({ retryable: false });
      expect((e as Error).message).toContain('baseURL: must be a URL');
    }
  });

  it("keeps the drafts' log-probs for the cascade's scoring, run and streamed", async () => {
    for (const [logprob, tier] of [
      [-0.01, 0],
      [-3, 1],
    ] as const) {
      const agent = new CascadeAgent({
        providers: { drafter: threaded({ logprob }), big: scriptedProvider({ prefix: 'big' }) },
        ladder: [
          { model: 'small', provider: 'drafter', threshold: 0.7 },
          { model: 'large', provider: 'big' },
        ],
        validators: [logprobConfidence()],
      });
      expect((await agent.run('Paris')).tier.index).toBe(tier);
      const streamed = await agent.run({ query: 'Paris', onDelta: () => {} });
      expect(streamed.tier.index).toBe(tier);
    }
  });

  it('runs a call on this thread while the event loop is mostly idle, in the worker when it is busy', async () => {
    const p = new ThreadedProvider({
      entry,
      options: { prefix: 'worker' },
      name: 'scripted',
      capabilities,
      inline: scriptedProvider({ prefix: 'inline' }),
    });
    opened.push(p);
    const where = async () => (await p.complete(ask('x'))).content.split(' ')[0];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    // After an idle window, a call runs here (and starts a new window); after 150 ms of a busy event
    // loop in that window, the next one goes to the worker.
    const busy = async <T>(call: () => Promise<T>) => {
      await sleep(150);
      expect(await where()).toBe('inline');
      spin(150);
      return call();
    };
    expect(await where()).toBe('inline');
    expect(await busy(where)).toBe('worker');
    expect((await busy(() => collect(p.stream(ask('x')))))[0]).toMatchObject({ text: 'worker ' });
    await sleep(150);
    expect((await collect(p.stream(ask('x'))))[0]).toMatchObject({ text: 'inline ' });
  });

  it('does not hold the process open when no call is in flight', () => {
    const run = inProcess(
      [],
      `console.log(r.content);
      // A refused request leaves nothing holding the process either.
      await p.complete({ model: 'small', messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', parameters: { f() {} } }] })
        .catch((e) => console.log(e.code));`,
    );
    expect(run.stdout.trim()).toBe('echo Paris (timeout undefined)\ninvalid_request');
    expect(run.status).toBe(0);
  });

  it('fails each call as not retryable when its worker cannot start, or keeps calls inline with `inline`', async () => {
    const nowhere = new URL('https://example.invalid/provider-thread.js'); // a worker refuses this URL
    const bare = new ThreadedProvider({ entry: nowhere, name: 'scripted', capabilities });
    const inline = new ThreadedProvider({
      entry: nowhere,
      name: 'scripted',
      capabilities,
      inline: scriptedProvider({ prefix: 'inline' }),
      offloadAbove: 0, // every call would go to the worker
    });
    opened.push(bare, inline);
    const e = await bare.complete(ask('Paris')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ retryable: false, model: 'small' });
    expect((e as Error).message).toMatch(/worker did not start \(The URL must be of scheme file\)/);
    expect((await inline.complete(ask('Paris'))).content).toBe('inline Paris (timeout 5000)');
    expect((await inline.complete(ask('Paris'))).content).toBe('inline Paris (timeout 5000)');
  });

  it('starts its worker in a process run with options a worker refuses (heap size, title, V8 pool)', () => {
    const run = inProcess(
      ['--max-old-space-size=512', '--title', 'cf-flags', '--v8-pool-size=1'],
      'console.log(r.content, process.title);',
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('echo Paris (timeout undefined) cf-flags');
    expect(run.status).toBe(0);
  });
});

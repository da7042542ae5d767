import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  CascadeAbortedError,
  type CascadePlugin,
  definePlugin,
  PluginError,
  RequestRejectedError,
  type StreamDelta,
} from '../src/index.js';
import { CONFIDENT, type Setup, setup, UNSURE } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

const twoTier = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
  { model: 'gpt-4o', provider: 'openai' },
];

function recorder(name: string, log: string[]): CascadePlugin {
  return {
    name,
    resolveConfig: () => void log.push(`${name}.resolveConfig`),
    beforeRun: () => void log.push(`${name}.beforeRun`),
    beforeAttempt: ({ tier }) => void log.push(`${name}.beforeAttempt:${tier.model}`),
    afterAttempt: ({ attempt }) => void log.push(`${name}.afterAttempt:${attempt.model}:${attempt.status}`),
    afterRun: () => void log.push(`${name}.afterRun`),
    onError: () => void log.push(`${name}.onError`),
  };
}

describe('plugin hooks', () => {
  it('run in the documented order: before hooks forward, after hooks in reverse', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'hm', logprobs: UNSURE }, 'gpt-4o': { content: 'ok' } });
    const log: string[] = [];
    await env.agent(twoTier, { plugins: [recorder('a', log), recorder('b', log)] }).run('q?');
    expect(log).toEqual([
      'a.resolveConfig',
      'b.resolveConfig',
      'a.beforeRun',
      'b.beforeRun',
      'a.beforeAttempt:gpt-4o-mini',
      'b.beforeAttempt:gpt-4o-mini',
      'b.afterAttempt:gpt-4o-mini:rejected',
      'a.afterAttempt:gpt-4o-mini:rejected',
      'a.beforeAttempt:gpt-4o',
      'b.beforeAttempt:gpt-4o',
      'b.afterAttempt:gpt-4o:accepted',
      'a.afterAttempt:gpt-4o:accepted',
      'b.afterRun',
      'a.afterRun',
    ]);
  });

  it('a rejecting plugin stops the run before any provider call, named in the error', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    const log: string[] = [];
    const limiter: CascadePlugin = {
      name: 'limiter',
      beforeRun: () => {
        throw new RequestRejectedError({
          reason: 'rate limit of 10/min reached',
          retryAfterMs: 6000,
          data: { limit: 10 },
        });
      },
    };
    const err = await env
      .agent(twoTier, { plugins: [recorder('a', log), limiter] })
      .run('q?')
      .catch((e) => e);
    expect(err).toBeInstanceOf(RequestRejectedError);
    expect(err).toMatchObject({
      code: 'request_rejected',
      plugin: 'limiter',
      retryAfterMs: 6000,
      data: { limit: 10 },
    });
    expect(err.message).toMatch(/limiter.*rate limit/);
    expect(env.server.requests).toHaveLength(0);
    expect(log).toContain('a.onError');
  });

  it('a plugin rewrites the input (redaction) and the provider sees only the rewrite', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'noted', logprobs: CONFIDENT },
      'gpt-4o': { content: 'y' },
    });
    const redact: CascadePlugin = {
      name: 'redact',
      beforeRun: ({ request }) => ({
        ...request,
        messages: request.messages.map((m) =>
          m.role === 'user' ? { ...m, content: m.content.replace(/\S+@\S+/g, '[EMAIL]') } : m,
        ),
      }),
    };
    await env.agent(twoTier, { plugins: [redact] }).run('Mail bob@example.com the report');
    const sent = env.server.requestsFor('gpt-4o-mini')[0]!.body.messages as { content: string }[];
    expect(sent[0]?.content).toBe('Mail [EMAIL] the report');
  });

  it('resolveConfig picks the ladder for a request (as a profile would)', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x', logprobs: UNSURE }, 'gpt-4o': { content: 'y' } });
    const freeTier: CascadePlugin = {
      name: 'free-tier',
      resolveConfig: ({ request }) => ({ ...request, ladder: ['gpt-4o-mini'] }),
    };
    const r = await env.agent(twoTier, { plugins: [freeTier] }).run('q?');
    expect(r.model).toBe('gpt-4o-mini');
    expect(env.server.requestsFor('gpt-4o')).toHaveLength(0);
  });

  it('afterRun may replace the result; per-run state is isolated between runs', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'secret 1234', logprobs: CONFIDENT },
      'gpt-4o': { content: 'y' },
    });
    const counts: number[] = [];
    const plugin = definePlugin({
      name: 'mask',
      createState: () => ({ attempts: 0 }),
      afterAttempt: ({ state }) => {
        state.attempts++;
      },
      afterRun: ({ state, result }) => {
        counts.push(state.attempts);
        return { ...result, content: result.content.replace(/\d/g, '#') };
      },
    });
    expectTypeOf(plugin).toEqualTypeOf<CascadePlugin<{ attempts: number }>>();
    const agent = env.agent(twoTier, { plugins: [plugin] });
    const r = await agent.run('q?');
    await agent.run('q?');
    expect(r.content).toBe('secret ####');
    expect(counts).toEqual([1, 1]);
  });

  it('a crashing plugin fails with PluginError naming the plugin and hook', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x', logprobs: CONFIDENT }, 'gpt-4o': { content: 'y' } });
    const broken: CascadePlugin = {
      name: 'broken-meter',
      afterAttempt: () => {
        throw new TypeError('meter is undefined');
      },
      onError: () => {
        throw new Error('also broken');
      },
    };
    const agent = env.agent(twoTier, { plugins: [broken] });
    const warnings: string[] = [];
    agent.on('warning', (w) => warnings.push(`${w.code}:${w.plugin}`));
    const err = await agent.run('q?').catch((e) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ code: 'plugin_failed', plugin: 'broken-meter', hook: 'afterAttempt' });
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(warnings).toEqual(['on_error_failed:broken-meter']);
  });

  it('wrapStream sees every delta in order, first plugin outermost', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'a b c', logprobs: CONFIDENT },
      'gpt-4o': { content: 'y' },
    });
    const upper: CascadePlugin = {
      name: 'upper',
      async *wrapStream({ stream }) {
        for await (const d of stream) yield d.type === 'text' ? { ...d, text: d.text.toUpperCase() } : d;
      },
    };
    const seenByOuter: string[] = [];
    const outer: CascadePlugin = {
      name: 'outer',
      async *wrapStream({ stream }) {
        for await (const d of stream) {
          if (d.type === 'text') seenByOuter.push(d.text);
          yield d;
        }
      },
    };
    const deltas: StreamDelta[] = [];
    const r = await env
      .agent(twoTier, { plugins: [outer, upper] })
      .run({ query: 'q?', onDelta: (d) => deltas.push(d) });
    expect(seenByOuter).toEqual(['A', ' B', ' C']);
    expect(r.content).toBe('A B C');
    expect(deltas.map((d) => d.type)).toEqual(['text', 'text', 'text', 'finish']);
  });

  it('an aborted signal stops the run between hooks', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    const controller = new AbortController();
    const aborter: CascadePlugin = { name: 'aborter', beforeRun: () => controller.abort() };
    const err = await env
      .agent(twoTier, { plugins: [aborter] })
      .run({ query: 'q?', signal: controller.signal })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CascadeAbortedError);
    expect(env.server.requests).toHaveLength(0);
  });
});

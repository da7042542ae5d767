import {
  CascadeAbortedError,
  type CascadePlugin,
  definePlugin,
  PluginError,
  RequestRejectedError,
  type StreamDelta,
} from '@cascadeflow/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { CONFIDENT, type Setup, setup, twoTier, UNSURE } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

function recorder(name: string, log: string[]): CascadePlugin {
  return {
    name,
    resolveConfig: () => void log.push(`${name}.resolveConfig`),
    beforeRun: () => void log.push(`${name}.beforeRun`),
    beforeAttempt: ({ tier }) => void log.push(`${name}.beforeAttempt:${tier.model}`),
    afterAttempt: ({ attempt }) => void log.push(`${name}.afterAttempt:${attempt.model}:${attempt.status}`),
    afterRun: () => void log.push(`${name}.afterRun`),
    onSettle: ({ outcome }) => void log.push(`${name}.onSettle:${outcome.status}`),
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
      'b.onSettle:accepted',
      'a.onSettle:accepted',
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
    expect(log).toContain('a.onSettle:rejected');
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
      onSettle: () => {
        throw new Error('also broken');
      },
    };
    const agent = env.agent(twoTier, { plugins: [broken] });
    const warnings: string[] = [];
    agent.on('agent:warning', (w) => warnings.push(`${w.code}:${w.plugin}`));
    const err = await agent.run('q?').catch((e) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ code: 'plugin_failed', plugin: 'broken-meter', hook: 'afterAttempt' });
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(warnings).toEqual(['settle_failed:broken-meter']);
  });

  it('transformText rewrites the text shown, first plugin outermost; log-probs and scoring are untouched', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'a b c', logprobs: UNSURE },
      'gpt-4o': { content: 'y', logprobs: CONFIDENT },
    });
    const upper: CascadePlugin = {
      name: 'upper',
      transformText: () => ({ push: (t) => t.toUpperCase(), flush: () => '' }),
    };
    const seenByOuter: string[] = [];
    // Holds everything back until the end, as a redactor may: log-probs must still reach the caller.
    const outer: CascadePlugin = {
      name: 'outer',
      transformText: () => {
        let held = '';
        return {
          push: (t) => {
            seenByOuter.push(t);
            held += t;
            return '';
          },
          flush: () => held,
        };
      },
    };
    const deltas: StreamDelta[] = [];
    const agent = env.agent(twoTier, { plugins: [outer, upper] });
    const streamed = await agent.run({ query: 'q?', onDelta: (d) => deltas.push(d) });
    const plain = await env.agent(twoTier).run('q?');
    expect(seenByOuter.slice(0, 3)).toEqual(['A', ' B', ' C']);
    const draftLogprobs = deltas.flatMap((d) => (d.type === 'text' ? (d.logprobs ?? []) : []));
    expect(draftLogprobs.length).toBeGreaterThanOrEqual(3);
    // The draft is judged on what the provider sent, exactly as without plugins.
    expect(streamed.attempts.map((a) => [a.status, a.score])).toEqual(
      plain.attempts.map((a) => [a.status, a.score]),
    );
    expect(streamed.attempts[0]!.content).toBe('a b c');
    expect(
      deltas
        .filter((d) => d.type === 'text')
        .map((d) => (d as { text: string }).text)
        .join(''),
    ).toContain('A B C');
  });

  it('onSettle is told the real spend on every outcome: accepted, rejected after paying, aborted, failed', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'hm', logprobs: UNSURE }, 'gpt-4o': { content: 'ok' } });
    const told: { status: string; cost: number | null; attempts: number }[] = [];
    const meter: CascadePlugin = {
      name: 'meter',
      onSettle: ({ outcome }) =>
        void told.push({
          status: outcome.status,
          cost: outcome.spend.cost,
          attempts: outcome.attempts.length,
        }),
    };
    const blocker: CascadePlugin = {
      name: 'blocker',
      afterRun: () => {
        throw new RequestRejectedError({ reason: 'output blocked' });
      },
    };
    const ok = await env.agent(twoTier, { plugins: [meter] }).run('q?');
    expect(told[0]).toEqual({ status: 'accepted', cost: ok.totalCost, attempts: 2 });
    // The blocker runs its afterRun before the meter would: the meter is still told what was paid.
    const err = await env
      .agent(twoTier, { plugins: [meter, blocker] })
      .run('q?')
      .catch((e) => e);
    expect(err).toBeInstanceOf(RequestRejectedError);
    expect(told[1]).toEqual({ status: 'rejected', cost: ok.totalCost, attempts: 2 });
    expect(ok.totalCost).toBeGreaterThan(0);
    const c = new AbortController();
    const abortAfterDraft: CascadePlugin = {
      name: 'abort-after-draft',
      afterAttempt: () => c.abort(),
    };
    const aborted = await env
      .agent(twoTier, { plugins: [meter, abortAfterDraft] })
      .run({ query: 'q?', signal: c.signal })
      .catch((e) => e);
    expect(aborted).toBeInstanceOf(CascadeAbortedError);
    expect(told[2]).toMatchObject({ status: 'aborted', attempts: 1 });
    expect(told[2]!.cost).toBeGreaterThan(0);
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

describe('aroundCall scopes the provider call', () => {
  it('runs the call inside every scope, first registered outermost, and keeps the call’s own result', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'fine', logprobs: CONFIDENT },
      'gpt-4o': { content: 'y' },
    });
    const log: string[] = [];
    const scoped = (name: string): CascadePlugin => ({
      name,
      aroundCall:
        ({ tier }) =>
        async (call) => {
          log.push(`${name}>${tier.model}`);
          await call();
          log.push(`<${name}`);
          return 'a value a scope tries to substitute';
        },
    });
    const r = await env.agent(twoTier, { plugins: [scoped('outer'), scoped('inner')] }).run('q?');
    expect(log).toEqual(['outer>gpt-4o-mini', 'inner>gpt-4o-mini', '<inner', '<outer']);
    expect(r.content).toBe('fine');
  });

  it('a scope that never runs the call fails as a PluginError naming it', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'fine', logprobs: CONFIDENT },
      'gpt-4o': { content: 'y' },
    });
    const lazy: CascadePlugin = { name: 'lazy', aroundCall: () => async () => undefined };
    const err = await env
      .agent(twoTier, { plugins: [lazy] })
      .run('q?')
      .catch((e) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ plugin: 'lazy', hook: 'aroundCall' });
    expect(env.server.requests).toHaveLength(0);
  });
});

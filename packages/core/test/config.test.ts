import { describe, expect, it } from 'vitest';
import {
  CascadeAgent,
  InvalidConfigError,
  Pricing,
  type Provider,
  UnknownProviderError,
} from '../src/index.js';

/** Configuration is checked before any call: a provider that is never called is enough. */
const never: Provider = {
  name: 'openai',
  complete: () => Promise.reject(new Error('not called')),
  stream: () => {
    throw new Error('not called');
  },
};
const providers = { openai: never };
const ladder = [
  { model: 'gpt-4o-mini', provider: 'openai' },
  { model: 'gpt-4o', provider: 'openai' },
];

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidConfigError) return `${e.code} ${e.field}`;
    throw e;
  }
  throw new Error('did not throw');
}

describe('bad input gives a typed error naming the field', () => {
  it('rejects an empty ladder', () => {
    expect(fieldOf(() => new CascadeAgent({ providers, ladder: [] }))).toBe('invalid_config ladder');
  });
  it('rejects a threshold outside [0, 1]', () => {
    const bad = [{ model: 'gpt-4o-mini', provider: 'openai', threshold: 1.5 }, ladder[1]!];
    expect(fieldOf(() => new CascadeAgent({ providers, ladder: bad }))).toBe(
      'invalid_config ladder.0.threshold',
    );
  });
  it('rejects an unknown provider, listing the known ones', () => {
    const err = (() => {
      try {
        new CascadeAgent({ providers, ladder: [{ model: 'x', provider: 'groq' }] });
      } catch (e) {
        return e as UnknownProviderError;
      }
    })();
    expect(err).toBeInstanceOf(UnknownProviderError);
    expect(err?.code).toBe('unknown_provider');
    expect(err?.message).toMatch(/ladder\.0\.provider: unknown provider "groq".*available: openai/);
  });
  it('rejects a negative price', () => {
    expect(
      fieldOf(() => new CascadeAgent({ providers, ladder, pricing: { 'gpt-4o': { input: -1, output: 1 } } })),
    ).toBe('invalid_config pricing.gpt-4o.input');
    expect(() => new Pricing({ m: { input: 1, output: Number.NaN } })).toThrow(/pricing\.m\.output/);
  });
  it('rejects duplicate tier and plugin names', () => {
    expect(fieldOf(() => new CascadeAgent({ providers, ladder: [ladder[0]!, ladder[0]!] }))).toBe(
      'invalid_config ladder.1.name',
    );
    expect(
      fieldOf(() => new CascadeAgent({ providers, ladder, plugins: [{ name: 'p' }, { name: 'p' }] })),
    ).toBe('invalid_config plugins.1.name');
  });
  it('rejects an empty query and bad per-request overrides', async () => {
    const agent = new CascadeAgent({ providers, ladder });
    await expect(agent.run('   ')).rejects.toMatchObject({ code: 'invalid_request', field: 'request.query' });
    await expect(agent.run({ query: 'q', thresholds: { 'gpt-4o-mini': -0.1 } })).rejects.toMatchObject({
      field: 'request.thresholds.gpt-4o-mini',
    });
    await expect(agent.run({ query: 'q', ladder: ['nope'] })).rejects.toMatchObject({
      field: 'request.ladder.0',
    });
    await expect(agent.run({ query: 'q', maxTokens: 0 })).rejects.toMatchObject({
      field: 'request.maxTokens',
    });
    await expect(agent.run({ messages: [{ role: 'user', content: '' }] })).rejects.toMatchObject({
      field: 'request.messages',
    });
  });
  it('rejects bad sampling controls, naming the control', async () => {
    const agent = new CascadeAgent({ providers, ladder });
    const fieldFor = (sampling: unknown) =>
      agent.run({ query: 'q', sampling: sampling as never }).then(
        () => 'accepted',
        (e: InvalidConfigError) => `${e.field}: ${e.message}`,
      );
    expect(await fieldFor({ topP: 1.5 })).toMatch(/^request\.sampling\.topP: .*between 0 and 1/);
    expect(await fieldFor({ topK: 0 })).toMatch(/^request\.sampling\.topK: .*positive integer/);
    expect(await fieldFor({ stopSequences: ['a', 'b', 'c', 'd', 'e'] })).toMatch(
      /^request\.sampling\.stopSequences: .*at most 4/,
    );
    expect(await fieldFor({ stopSequences: [''] })).toMatch(/^request\.sampling\.stopSequences\.0: /);
    expect(await fieldFor({ seed: 1.5 })).toMatch(/^request\.sampling\.seed: .*integer/);
    expect(await fieldFor({ presencePenalty: -3 })).toMatch(/^request\.sampling\.presencePenalty: /);
    expect(await fieldFor({ top_p: 0.5 })).toMatch(/^request\.sampling: .*top_p/);
  });
});

describe('sampling controls and parallel tool calls reach every answering call', () => {
  it("hands them to each tier, never to a validator's own call", async () => {
    const calls: { model: string; purpose: string | undefined; sampling: unknown; parallel: unknown }[] = [];
    const recording: Provider = {
      name: 'openai',
      async complete(req) {
        calls.push({
          model: req.model,
          purpose: req.purpose,
          sampling: req.sampling,
          parallel: req.parallelToolCalls,
        });
        // The drafter's answer is short and unsure: it escalates.
        return {
          content: req.model === 'gpt-4o-mini' ? '?' : 'Paris is the capital of France.',
          toolCalls: [],
          finishReason: 'stop',
          usage: { inputTokens: 5, outputTokens: 5, cachedInputTokens: 0 },
          logprobs: [{ token: '?', logprob: req.model === 'gpt-4o-mini' ? -3 : -0.01 }],
          model: req.model,
        };
      },
      stream: () => {
        throw new Error('not streamed');
      },
    };
    const agent = new CascadeAgent({ providers: { openai: recording }, ladder });
    const sampling = { topP: 0.9, stopSequences: ['\n\n'], seed: 7, presencePenalty: 0.5 };
    const result = await agent.run({ query: 'Capital of France?', sampling, parallelToolCalls: false });
    expect(result.attempts.map((a) => a.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    const answering = calls.filter((c) => (c.purpose ?? 'answer') === 'answer');
    expect(answering.map((c) => c.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    for (const c of answering) {
      expect(c.sampling).toEqual(sampling);
      expect(c.parallel).toBe(false);
    }
    for (const c of calls.filter((c) => (c.purpose ?? 'answer') !== 'answer'))
      expect(c.sampling).toBeUndefined();
  });
});

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
});

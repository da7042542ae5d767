import { describe, expect, it } from 'vitest';
import type { CompletionResponse } from '../types/provider.js';
import { estimateComplexity } from './complexity.js';
import { defaultValidators } from './defaults.js';
import { logprobConfidence } from './logprob-confidence.js';
import { textChecks } from './text-checks.js';
import { composeValidators, scoreWith, type ValidationContext } from './validator.js';

function ctx(
  response: Partial<CompletionResponse>,
  extra: Partial<ValidationContext> = {},
): ValidationContext {
  return {
    query: 'What is the capital of France?',
    messages: [],
    response: {
      content: 'Paris',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
      model: 'm',
      ...response,
    },
    tier: { index: 0, name: 'm', model: 'm', provider: 'p', role: 'drafter', threshold: 0.7 },
    complexity: 'simple',
    signal: new AbortController().signal,
    previous: [],
    complete: async () => {
      throw new Error('no model in unit tests');
    },
    ...extra,
  };
}

describe('validators', () => {
  it('log-prob confidence is the geometric mean probability, or min', async () => {
    const lp = [
      { token: 'a', logprob: Math.log(0.9) },
      { token: 'b', logprob: Math.log(0.4) },
    ];
    expect((await logprobConfidence().validate(ctx({ logprobs: lp })))?.score).toBeCloseTo(
      Math.sqrt(0.36),
      9,
    );
    expect(
      (await logprobConfidence({ aggregate: 'min' }).validate(ctx({ logprobs: lp })))?.score,
    ).toBeCloseTo(0.4, 9);
    expect(await logprobConfidence().validate(ctx({}))).toBeNull();
  });
  it('text checks catch empty, refusals, hedges and short answers to hard questions', async () => {
    const t = textChecks();
    expect((await t.validate(ctx({ content: '' })))?.score).toBe(0);
    expect(
      (await t.validate(ctx({ content: 'As an AI language model, I cannot answer that.' })))?.score,
    ).toBe(0.2);
    expect((await t.validate(ctx({ content: 'I think it is Paris' })))?.score).toBe(0.5);
    expect((await t.validate(ctx({ content: 'Yes.' }, { complexity: 'hard' })))?.reasons).toEqual([
      'under 20 words for a hard question',
    ]);
    expect((await t.validate(ctx({ content: 'Paris' })))?.score).toBe(1);
  });
  it('compose with min (veto) or mean, and skip validators that do not apply', async () => {
    const lp = [{ token: 'x', logprob: Math.log(0.5) }];
    const c = ctx({ content: 'I think x', logprobs: lp });
    expect((await scoreWith(defaultValidators(), c)).score).toBeCloseTo(0.5, 9);
    expect(
      (
        await scoreWith(
          [logprobConfidence(), textChecks()],
          ctx({ content: 'I think x', logprobs: [{ token: 'x', logprob: Math.log(0.9) }] }),
          'mean',
        )
      ).score,
    ).toBeCloseTo(0.7, 9);
    expect((await scoreWith([], c)).score).toBe(1);
    const composed = composeValidators('both', [logprobConfidence(), textChecks()]);
    expect((await composed.validate(c))?.reasons.length).toBe(2);
  });
  it('estimates complexity', () => {
    expect(estimateComplexity('What is the capital of France?')).toBe('simple');
    expect(estimateComplexity('Prove that there are infinitely many primes.')).toBe('hard');
    expect(estimateComplexity('Tell me about the history of the Roman empire in general terms')).toBe(
      'moderate',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from './default-prices.js';
import { Pricing } from './pricing.js';
import { estimateInputTokens } from './usage.js';

const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 0 };

describe('Pricing', () => {
  const pricing = new Pricing(DEFAULT_PRICES);
  it('matches the longest model-name prefix', () => {
    expect(pricing.lookup('gpt-4o-mini-2024-07-18')?.key).toBe('gpt-4o-mini');
    expect(pricing.lookup('gpt-4o-2024-08-06')?.key).toBe('gpt-4o');
    expect(pricing.cost('gpt-4o-2024-08-06', usage)).toBeCloseTo(12.5, 9);
  });
  it('returns null for an unknown model instead of guessing', () => {
    expect(pricing.lookup('llama3.1-8b')).toBeNull();
    expect(pricing.cost('llama3.1-8b', usage)).toBeNull();
  });
  it('prices cached input and batch calls', () => {
    const cached = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000 };
    expect(pricing.cost('gpt-4o', cached)).toBeCloseTo(0.6 * 2.5 + 0.4 * 1.25, 9);
    expect(pricing.cost('gpt-4o', usage, { batch: true })).toBeCloseTo(6.25, 9);
    const custom = new Pricing({ m: { input: 2, output: 4 } });
    expect(custom.cost('m', usage, { batch: true })).toBeCloseTo(3, 9);
  });
  it('prices prompt-cache writes at 1.25 times the input on Claude, and at the input where none is given', () => {
    const written = {
      inputTokens: 1_000_000,
      outputTokens: 0,
      cachedInputTokens: 500_000,
      cacheWriteInputTokens: 300_000,
    };
    expect(pricing.cost('claude-sonnet-4-0', written)).toBeCloseTo(0.2 * 3 + 0.5 * 0.3 + 0.3 * 3.75, 9);
    expect(pricing.cost('claude-sonnet-4-0', written, { batch: true })).toBeCloseTo(
      (0.2 * 3 + 0.5 * 0.3 + 0.3 * 3.75) / 2,
      9,
    );
    expect(new Pricing({ m: { input: 2, output: 4 } }).cost('m', written)).toBeCloseTo(
      0.5 * 2 + 0.3 * 2 + 0.2 * 2,
      9,
    );
    expect(() => new Pricing({ m: { input: 2, output: 4, cacheWriteInput: -1 } })).toThrow(
      /pricing\.m\.cacheWriteInput/,
    );
  });
});

describe('estimateInputTokens', () => {
  const of = (content: string) => estimateInputTokens([{ role: 'user', content }]);
  it('counts 4 ASCII characters a token, and a token a CJK character', () => {
    expect(of('Why is the sky blue?')).toBe(5);
    expect(of('天空为什么是蓝色的？')).toBe(10);
    // Cyrillic: 2 characters a token (17 letters, 2 spaces).
    expect(of('Почему небо голубое')).toBe(9);
    // An emoji is one character of two UTF-16 units.
    expect(of('🙂')).toBe(1);
    expect(of('a'.repeat(40) + '中'.repeat(10))).toBe(20);
  });
  it('adds up every message, and an assistant message without content counts nothing', () => {
    expect(
      estimateInputTokens([
        { role: 'system', content: 'Be brief.' },
        { role: 'assistant', content: null, toolCalls: [] },
        { role: 'user', content: '天空' },
      ]),
    ).toBe(Math.ceil((9 + 8) / 4));
  });
});

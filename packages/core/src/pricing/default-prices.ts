import type { PricingTable } from './pricing.js';

/**
 * List prices in USD per million tokens, from the providers' public pricing pages (OpenAI
 * platform.openai.com/docs/pricing, Anthropic docs.anthropic.com/en/docs/about-claude/pricing) as of
 * 2025. Keys are model-name prefixes; the longest matching prefix wins, so dated snapshots
 * (`gpt-4o-2024-08-06`) price as their family. Batch prices are half the standard ones on both providers.
 * Claude's prompt-cache writes (five-minute entries) cost 1.25 times the input price.
 * Pass your own table to `CascadeAgent` to add models or override these.
 *
 * @example
 * ```ts
 * const pricing = new Pricing({ ...DEFAULT_PRICES, 'my-model': { input: 0.2, output: 0.6 } });
 * ```
 */
export const DEFAULT_PRICES: PricingTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075, batchInput: 0.075, batchOutput: 0.3 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25, batchInput: 1.25, batchOutput: 5 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025, batchInput: 0.05, batchOutput: 0.2 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1, batchInput: 0.2, batchOutput: 0.8 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5, batchInput: 1, batchOutput: 4 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55, batchInput: 0.55, batchOutput: 2.2 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275, batchInput: 0.55, batchOutput: 2.2 },
  'claude-3-haiku': {
    input: 0.25,
    output: 1.25,
    cacheWriteInput: 0.3125,
    cachedInput: 0.03,
    batchInput: 0.125,
    batchOutput: 0.625,
  },
  'claude-3-5-haiku': {
    input: 0.8,
    output: 4,
    cacheWriteInput: 1,
    cachedInput: 0.08,
    batchInput: 0.4,
    batchOutput: 2,
  },
  'claude-haiku-4-5': {
    input: 1,
    output: 5,
    cacheWriteInput: 1.25,
    cachedInput: 0.1,
    batchInput: 0.5,
    batchOutput: 2.5,
  },
  'claude-3-5-sonnet': {
    input: 3,
    output: 15,
    cacheWriteInput: 3.75,
    cachedInput: 0.3,
    batchInput: 1.5,
    batchOutput: 7.5,
  },
  'claude-3-7-sonnet': {
    input: 3,
    output: 15,
    cacheWriteInput: 3.75,
    cachedInput: 0.3,
    batchInput: 1.5,
    batchOutput: 7.5,
  },
  'claude-sonnet-4': {
    input: 3,
    output: 15,
    cacheWriteInput: 3.75,
    cachedInput: 0.3,
    batchInput: 1.5,
    batchOutput: 7.5,
  },
  'claude-opus-4': {
    input: 15,
    output: 75,
    cacheWriteInput: 18.75,
    cachedInput: 1.5,
    batchInput: 7.5,
    batchOutput: 37.5,
  },
};

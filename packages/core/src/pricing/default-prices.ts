import type { ModelPrice, PricingTable } from './pricing.js';

/** A Claude model's prices: cache writes at 1.25 times the input price, batches at half the standard ones. */
function claude(input: number, output: number, cachedInput: number): ModelPrice {
  return {
    input,
    output,
    cachedInput,
    cacheWriteInput: input * 1.25,
    batchInput: input / 2,
    batchOutput: output / 2,
  };
}

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
  'claude-3-haiku': claude(0.25, 1.25, 0.03),
  'claude-3-5-haiku': claude(0.8, 4, 0.08),
  'claude-haiku-4-5': claude(1, 5, 0.1),
  'claude-3-5-sonnet': claude(3, 15, 0.3),
  'claude-3-7-sonnet': claude(3, 15, 0.3),
  'claude-sonnet-4': claude(3, 15, 0.3),
  'claude-opus-4': claude(15, 75, 1.5),
};

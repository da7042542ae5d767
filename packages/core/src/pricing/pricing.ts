import { InvalidConfigError } from '../errors/errors.js';
import type { Usage } from '../types/messages.js';

/** Prices of one model in USD per million tokens. Cached and batch prices default to the standard ones' documented discounts only when given. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Price of cached input tokens; when absent, cached tokens cost `input`. */
  cachedInput?: number;
  /** Price of input tokens written to the prompt cache (1.25 × `input` on Anthropic); when absent, `input`. */
  cacheWriteInput?: number;
  /** Batch API prices; when absent, batch calls cost half the standard price (both providers' published rule). */
  batchInput?: number;
  batchOutput?: number;
}

/** Prices by model name or name prefix. */
export type PricingTable = Record<string, ModelPrice>;

/** A price match: which table key matched the model. */
export interface PriceMatch {
  key: string;
  price: ModelPrice;
}

const PER_MILLION = 1_000_000;

/**
 * Looks prices up by the longest matching model-name prefix and turns usage into dollars. An unknown model
 * has no price (`null`): it is never priced as some other model.
 *
 * @example
 * ```ts
 * const pricing = new Pricing({ 'my-llama': { input: 0.1, output: 0.1 } });
 * pricing.cost('gpt-4o-mini-2024-07-18', { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 0 });
 * // 0.00027
 * pricing.cost('mystery-model', usage); // null
 * ```
 */
export class Pricing {
  readonly #entries: [string, ModelPrice][];
  readonly #memo = new Map<string, PriceMatch | null>();

  constructor(table: PricingTable = {}) {
    for (const [key, price] of Object.entries(table)) {
      for (const field of [
        'input',
        'output',
        'cachedInput',
        'cacheWriteInput',
        'batchInput',
        'batchOutput',
      ] as const) {
        const v = price[field];
        if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
          throw new InvalidConfigError(
            `pricing.${key}.${field}`,
            `must be a finite number ≥ 0 (USD per million tokens), got ${v}`,
          );
        }
      }
      if (price.input === undefined || price.output === undefined) {
        throw new InvalidConfigError(`pricing.${key}`, 'needs both `input` and `output` prices');
      }
    }
    this.#entries = Object.entries(table).sort(([a], [b]) => b.length - a.length);
  }

  /** The entry whose key is the longest prefix of `model`, or null. */
  lookup(model: string): PriceMatch | null {
    let match = this.#memo.get(model);
    if (match !== undefined) return match;
    match = null;
    for (const [key, price] of this.#entries) {
      if (model.startsWith(key)) {
        match = { key, price };
        break;
      }
    }
    // Model names come from configuration, so the memo stays as small as the ladders in use.
    if (this.#memo.size < 1024) this.#memo.set(model, match);
    return match;
  }

  /** Cost in USD of `usage` on `model`, or null when the model has no price. */
  cost(model: string, usage: Usage, options: { batch?: boolean } = {}): number | null {
    const match = this.lookup(model);
    if (!match) return null;
    const p = match.price;
    const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
    const written = Math.min(usage.cacheWriteInputTokens ?? 0, usage.inputTokens - cached);
    const fresh = usage.inputTokens - cached - written;
    let input = p.input;
    let output = p.output;
    let cachedPrice = p.cachedInput ?? p.input;
    let writePrice = p.cacheWriteInput ?? p.input;
    if (options.batch) {
      input = p.batchInput ?? p.input / 2;
      output = p.batchOutput ?? p.output / 2;
      cachedPrice = cachedPrice / 2;
      writePrice = writePrice / 2;
    }
    return (
      (fresh * input + cached * cachedPrice + written * writePrice + usage.outputTokens * output) /
      PER_MILLION
    );
  }
}

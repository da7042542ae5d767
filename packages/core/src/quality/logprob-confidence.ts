import type { QualityValidator } from './validator.js';

/** Options of {@link logprobConfidence}. */
export interface LogprobConfidenceOptions {
  /**
   * `mean`: geometric mean of token probabilities, exp(mean log-prob), the usual sequence confidence.
   * `min`: probability of the least likely token, stricter on long answers with one shaky token.
   */
  aggregate?: 'mean' | 'min';
}

/**
 * Confidence from the token log-probs the provider returned. Does not apply when there are none (Anthropic,
 * or a provider configured without log-probs).
 *
 * @example
 * ```ts
 * const agent = new CascadeAgent({ ..., validators: [logprobConfidence({ aggregate: 'min' }), textChecks()] });
 * ```
 */
export function logprobConfidence(options: LogprobConfidenceOptions = {}): QualityValidator {
  const aggregate = options.aggregate ?? 'mean';
  return {
    name: 'logprob-confidence',
    validate({ response }) {
      const lps = response.logprobs?.map((t) => t.logprob).filter((x) => Number.isFinite(x));
      if (!lps || lps.length === 0) return null;
      const value = aggregate === 'min' ? Math.min(...lps) : lps.reduce((a, b) => a + b, 0) / lps.length;
      const p = Math.exp(value);
      return {
        score: p,
        reasons: [`${aggregate} token probability ${p.toFixed(3)} over ${lps.length} tokens`],
      };
    },
  };
}

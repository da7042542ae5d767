import type { QualityValidator } from './validator.js';

// Phrases of refusal and hedging, from the patterns the Python CascadeFlow and common refusal classifiers
// match on; English only.
const REFUSAL =
  /\b(I (can(?:'|no)t|cannot|am unable to|'m unable to|won't) (help|assist|answer|provide|do that)|as an AI( language model)?|I'm sorry, but I)\b/i;
const HEDGING =
  /\b(I('m| am) not (sure|certain)|I don't know|I think|possibly|it might be|I believe|not entirely sure)\b/i;

/** Scores of each failed check. Zero means "never accept"; the rest leave room for a generous threshold. */
const SCORE = {
  empty: 0,
  contentFilter: 0,
  // A cut-off answer is rarely usable, but a caller may set maxTokens low on purpose: 0.2, not 0.
  truncated: 0.2,
  refusal: 0.2,
  // Hedges often precede a correct answer; they halve confidence rather than veto it.
  hedging: 0.5,
  tooShort: 0.5,
} as const;

/** Options of {@link textChecks}. */
export interface TextChecksOptions {
  /** Minimum words in an answer to a `hard` query. Default 20: below that, an explanation is unlikely. */
  minWordsForHardQuery?: number;
}

/**
 * Checks of the answer text: empty, refused, cut off by the token limit (`finish_reason: length`), blocked
 * by a content filter, hedging, or too short for a hard question. A clean answer scores 1.
 *
 * @example
 * ```ts
 * const verdict = await textChecks().validate(context);
 * ```
 */
export function textChecks(options: TextChecksOptions = {}): QualityValidator {
  const minWords = options.minWordsForHardQuery ?? 20;
  return {
    name: 'text',
    validate(ctx) {
      const { response, responseFormat } = ctx;
      const text = response.content.trim();
      const failures: [number, string][] = [];
      if (response.finishReason === 'content_filter')
        failures.push([SCORE.contentFilter, 'blocked by the content filter']);
      if (response.finishReason === 'length')
        failures.push([SCORE.truncated, 'cut off by the max-tokens limit']);
      if (text === '' && response.toolCalls.length === 0) failures.push([SCORE.empty, 'empty answer']);
      const prose = text !== '' && (responseFormat?.type ?? 'text') === 'text';
      if (prose && REFUSAL.test(text)) failures.push([SCORE.refusal, 'the model refused']);
      if (prose && HEDGING.test(text)) failures.push([SCORE.hedging, 'the answer hedges']);
      if (prose && text.split(/\s+/).length < minWords && ctx.complexity === 'hard') {
        failures.push([SCORE.tooShort, `under ${minWords} words for a hard question`]);
      }
      if (failures.length === 0) return { score: 1, reasons: [] };
      return { score: Math.min(...failures.map(([s]) => s)), reasons: failures.map(([, r]) => r) };
    },
  };
}

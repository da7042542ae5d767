/**
 * The signals a calibrated cascade judges a draft by, the same offline (from recorded answers) and live
 * (from a validator's context): the model's own confidence, the text checks, and, above the first tier,
 * agreement with the answers of the tiers below and the score the tier below got.
 */

/** Names of the features, in vector order (tier 0 has only the first five). */
export const FEATURE_NAMES = [
  'p',
  'logprob',
  'has_signal',
  'text_checks',
  'text_model_logit',
  'agreement_max',
  'agreement_previous',
  'agreeing_share',
  'previous_score',
] as const;

/** Lower-cased word tokens of an answer, without punctuation or articles, for agreement. */
export function answerTokens(answer: string): Set<string> {
  const words = answer
    .toLowerCase()
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .split(/\s+/);
  return new Set(words.filter((w) => w !== '' && w !== 'a' && w !== 'an' && w !== 'the'));
}

/** Jaccard similarity of two answers' tokens: 1 for the same answer, 0 for nothing in common. */
export function agreement(a: string, b: string): number {
  const ta = answerTokens(a);
  const tb = answerTokens(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let both = 0;
  for (const t of ta) if (tb.has(t)) both++;
  return both / (ta.size + tb.size - both);
}

// Log-probs below -20 (p < 2e-9) carry no more information; the dataset writes p = 0 as -1000.
const MIN_LOGPROB = -20;

/** Builds a tier's feature vector. `previous` holds the answers and scores of the lower tiers, cheapest first. */
export function featureVector(
  confidence: number | null,
  textScore: number,
  textModelProbability: number,
  answer: string,
  previous: readonly { answer: string; score: number | null }[],
): number[] {
  const lp = confidence === null ? Math.log(0.5) : Math.max(MIN_LOGPROB, Math.min(0, confidence));
  const tp = Math.min(1 - 1e-6, Math.max(1e-6, textModelProbability));
  const base = [Math.exp(lp), lp, confidence === null ? 0 : 1, textScore, Math.log(tp / (1 - tp))];
  if (previous.length === 0) return base;
  const agreements = previous.map((p) => agreement(answer, p.answer));
  const last = previous[previous.length - 1]!;
  return [
    ...base,
    Math.max(...agreements),
    agreements[agreements.length - 1]!,
    agreements.filter((a) => a >= 0.5).length / agreements.length,
    last.score ?? 0.5,
  ];
}

/**
 * A draft's confidence from its log-probs: their mean over the answer's tokens, or null when there are none.
 * The calibrated validator scores live answers with it and the recording plugin records it, so that live and
 * recorded confidences are the same number.
 */
export function meanLogprob(lps: readonly { logprob: number }[] | undefined): number | null {
  if (!lps || lps.length === 0) return null;
  return lps.reduce((s, t) => s + t.logprob, 0) / lps.length;
}

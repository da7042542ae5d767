/** A rough difficulty class of a query. */
export type Complexity = 'simple' | 'moderate' | 'hard';

// Markers of multi-step work. The list follows the complexity detector of the Python CascadeFlow
// (keywords of reasoning, proof, code and analysis tasks); it is a heuristic, not a trained model.
const HARD_MARKERS =
  /\b(prove|derive|step[- ]by[- ]step|implement|refactor|debug|analy[sz]e|compare|optimi[sz]e|design|architecture|trade-?offs?|explain why|algorithm)\b/i;
const CODE_MARKERS = /```|\bfunction\b|\bclass\b|=>|\bdef\b|;\s*$/m;
const SIMPLE_OPENERS = /^\s*(what|who|when|where|which|is|are|does|do|how many|name)\b/i;

/**
 * Estimates how hard a query is from its text alone.
 *
 * @example
 * ```ts
 * estimateComplexity('What is the capital of France?'); // 'simple'
 * ```
 */
export function estimateComplexity(query: string): Complexity {
  const words = query.trim().split(/\s+/).filter(Boolean).length;
  // 150 words: beyond a typical single question (MMLU questions average under 60 words).
  if (HARD_MARKERS.test(query) || CODE_MARKERS.test(query) || words > 150) return 'hard';
  // 15 words: short factual questions (TriviaQA's average is about 14 words).
  if (words <= 15 && SIMPLE_OPENERS.test(query)) return 'simple';
  return 'moderate';
}

/**
 * How much a complexity class moves a tier's threshold when `adjustThresholdsByComplexity` is on: easy
 * questions can accept slightly less confident drafts, hard ones need more. ±0.05 is a small step on the
 * [0, 1] score scale, chosen so that a calibrated threshold is nudged, never overridden.
 *
 * @example
 * ```ts
 * const threshold = 0.8 + COMPLEXITY_THRESHOLD_SHIFT[estimateComplexity(query)];
 * ```
 */
export const COMPLEXITY_THRESHOLD_SHIFT: Record<Complexity, number> = {
  simple: -0.05,
  moderate: 0,
  hard: 0.05,
};

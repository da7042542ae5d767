import type { ChatMessage, ResponseFormat, ToolDefinition } from '../types/messages.js';
import type { CompletionRequest, CompletionResponse } from '../types/provider.js';
import type { Complexity } from './complexity.js';

/** Where a tier sits on the ladder. */
export type TierRole = 'drafter' | 'intermediate' | 'verifier';

/** A tier of the ladder as resolved for one run. */
export interface TierInfo {
  /** 0-based position on the ladder (0 is the cheapest). */
  index: number;
  name: string;
  model: string;
  provider: string;
  role: TierRole;
  /** Score a draft from this tier needs to be accepted; `null` for the last tier, which is always accepted. */
  threshold: number | null;
}

/** What a validator sees. */
export interface ValidationContext {
  /** Text of the last user message. */
  query: string;
  messages: ChatMessage[];
  response: CompletionResponse;
  responseFormat?: ResponseFormat;
  tools?: ToolDefinition[];
  tier: TierInfo;
  complexity: Complexity;
  signal: AbortSignal;
  /** Answers of the lower tiers tried earlier in this run, cheapest first (for agreement signals). */
  previous: readonly PreviousAnswer[];
  /**
   * Calls a model on behalf of the validator (a self-check, a judge). Defaults to this tier's provider and
   * model; the run's signal applies, and the call's usage and cost are added to this attempt's.
   */
  complete(
    request: Omit<CompletionRequest, 'model' | 'signal'> & { model?: string },
  ): Promise<CompletionResponse>;
}

/** What a validator knows of an earlier tier's answer. */
export interface PreviousAnswer {
  tier: TierInfo;
  content: string;
  score: number | null;
}

/** A score in [0, 1] (1 is certainly good) with the reasons behind it. */
export interface QualityVerdict {
  score: number;
  reasons: string[];
}

/** One validator's verdict, named. */
export interface CheckResult extends QualityVerdict {
  validator: string;
}

/**
 * Judges a response. Return `null` when the check does not apply (no log-probs, no JSON requested), so
 * that it does not count.
 *
 * @example
 * ```ts
 * const mentionsSource: QualityValidator = {
 *   name: 'mentions-source',
 *   validate: ({ response }) =>
 *     /source:/i.test(response.content) ? { score: 1, reasons: [] } : { score: 0.3, reasons: ['no source cited'] },
 * };
 * ```
 */
export interface QualityValidator {
  readonly name: string;
  validate(context: ValidationContext): QualityVerdict | null | Promise<QualityVerdict | null>;
}

/** The combined judgement of several validators. */
export interface QualityScore {
  /** Combined score; 1 when no validator applied. */
  score: number;
  reasons: string[];
  checks: CheckResult[];
}

/** How {@link scoreWith} combines verdicts: `min` (any failing check sinks the draft) or `mean`. */
export type CombineMode = 'min' | 'mean';

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/**
 * Runs validators on a response and combines their verdicts. The default `min` means every check is a
 * veto: a draft is only as good as its weakest signal.
 *
 * @example
 * ```ts
 * const { score, reasons } = await scoreWith(defaultValidators(), context);
 * ```
 */
export async function scoreWith(
  validators: readonly QualityValidator[],
  context: ValidationContext,
  mode: CombineMode = 'min',
): Promise<QualityScore> {
  const checks: CheckResult[] = [];
  for (const v of validators) {
    let verdict = v.validate(context);
    // Most validators are synchronous: skip the microtask hop an unconditional await costs.
    if (verdict instanceof Promise) verdict = await verdict;
    if (verdict) checks.push({ validator: v.name, score: clamp01(verdict.score), reasons: verdict.reasons });
  }
  if (checks.length === 0) return { score: 1, reasons: ['no validator applied'], checks };
  const scores = checks.map((c) => c.score);
  const score = mode === 'min' ? Math.min(...scores) : scores.reduce((a, b) => a + b, 0) / scores.length;
  return { score, reasons: checks.flatMap((c) => c.reasons.map((r) => `${c.validator}: ${r}`)), checks };
}

/**
 * Makes one validator out of several, combined with `mode`.
 *
 * @example
 * ```ts
 * const strict = composeValidators('strict', [logprobConfidence(), textChecks()], 'min');
 * ```
 */
export function composeValidators(
  name: string,
  validators: QualityValidator[],
  mode: CombineMode = 'min',
): QualityValidator {
  return {
    name,
    async validate(context) {
      const result = await scoreWith(validators, context, mode);
      return result.checks.length === 0 ? null : { score: result.score, reasons: result.reasons };
    },
  };
}

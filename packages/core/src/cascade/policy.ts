import { defineLazy } from '../agent/lazy-properties.js';
import type { ResolvedRequest } from '../agent/request.js';
import type { AttemptRecord, CascadeResult } from '../agent/result.js';
import type { Pricing } from '../pricing/pricing.js';
import { addUsage, ZERO_USAGE } from '../pricing/usage.js';
import { COMPLEXITY_THRESHOLD_SHIFT, type Complexity, estimateComplexity } from '../quality/complexity.js';
import {
  type CombineMode,
  type QualityValidator,
  scoreWith,
  type TierInfo,
  type ValidationContext,
} from '../quality/validator.js';
import type { Usage } from '../types/messages.js';
import type { CompletionRequest, CompletionResponse, Provider } from '../types/provider.js';
import { spendOf } from './spend.js';

/** How the policy prices calls: standard prices, or the providers' batch prices. */
export interface PriceMode {
  batch?: boolean;
}

/** What the policy needs from its agent. */
export interface PolicyOptions {
  pricing: Pricing;
  validators: readonly QualityValidator[];
  combine: CombineMode;
  adjustThresholdsByComplexity: boolean;
  /** Told once per call to a model without a price. */
  onUnknownPrice(model: string): void;
}

/** Per-run memo of what the policy derives from the query. */
export interface PolicyScratch {
  complexity?: Complexity;
}

/**
 * The cascade's one decision procedure, shared by `run()`, `judge()`, streaming and both batch strategies:
 * price an attempt, score it with the validators (paying their own model calls into the attempt), apply the
 * threshold, decide, and build the result. Nothing else in any package scores, decides or sums costs.
 */
export class CascadePolicy {
  readonly #o: PolicyOptions;

  constructor(options: PolicyOptions) {
    this.#o = options;
  }

  /** The cost of a response: the provider's own figure when it reports one, else the price table (null when unknown). */
  costOf(
    model: string,
    response: Pick<CompletionResponse, 'usage' | 'cost'>,
    mode: PriceMode = {},
  ): number | null {
    if (response.cost !== undefined) return response.cost;
    const cost = this.#o.pricing.cost(model, response.usage, mode);
    if (cost === null) this.#o.onUnknownPrice(model);
    return cost;
  }

  /** An attempt record for a tier's answer (or its failure when `response` is null), not yet decided. */
  record(
    tier: TierInfo,
    response: CompletionResponse | null,
    timing: { latencyMs: number; retries: number },
    mode: PriceMode = {},
  ): AttemptRecord {
    return {
      tier,
      model: tier.model,
      provider: tier.provider,
      status: response ? 'accepted' : 'failed',
      reason: '',
      score: null,
      reasons: [],
      checks: [],
      latencyMs: timing.latencyMs,
      retries: timing.retries,
      usage: response?.usage ?? null,
      cost: response ? this.costOf(tier.model, response, mode) : null,
      content: response?.content ?? '',
      toolCalls: response?.toolCalls ?? [],
      finishReason: response?.finishReason ?? null,
      ...(response?.stopSequence !== undefined ? { stopSequence: response.stopSequence } : {}),
      ...(response?.logprobs ? { logprobs: response.logprobs } : {}),
    };
  }

  /**
   * Scores an answered attempt and decides it in place: the last tier is always accepted; any other is
   * accepted when its combined score reaches its threshold (shifted by complexity when configured).
   * Validators' own model calls (self-checks, judges) go through `provider` and are added to the attempt's
   * usage and cost.
   */
  async decide(args: {
    request: ResolvedRequest;
    attempt: AttemptRecord;
    /** Earlier attempts of this run, cheapest first. */
    previous: readonly AttemptRecord[];
    provider: Provider;
    signal: AbortSignal;
    scratch: PolicyScratch;
    mode?: PriceMode;
  }): Promise<void> {
    const { request, attempt, previous, provider, signal, scratch } = args;
    const tier = attempt.tier;
    if (tier.threshold === null || tier.index === request.ladder.length - 1) {
      attempt.status = 'accepted';
      attempt.reason = 'last tier: always accepted';
      return;
    }
    const complexityOf = () => {
      scratch.complexity ??= estimateComplexity(request.query);
      return scratch.complexity;
    };
    const extra: { usage: Usage; cost: number | null; calls: number } = {
      usage: ZERO_USAGE,
      cost: 0,
      calls: 0,
    };
    const complete = async (call: Omit<CompletionRequest, 'model' | 'signal'> & { model?: string }) => {
      const model = call.model ?? tier.model;
      // Object.assign, not a spread with added keys (see defineLazy).
      const res = await provider.complete(Object.assign({}, call, { model, signal }));
      const cost = this.costOf(model, res, args.mode);
      extra.usage = addUsage(extra.usage, res.usage);
      extra.cost = extra.cost === null || cost === null ? null : extra.cost + cost;
      extra.calls++;
      return res;
    };
    const response: CompletionResponse = {
      content: attempt.content,
      toolCalls: attempt.toolCalls,
      finishReason: attempt.finishReason ?? 'other',
      usage: attempt.usage ?? ZERO_USAGE,
      logprobs: attempt.logprobs,
      model: attempt.model,
    };
    const quality = await scoreWith(
      this.#o.validators,
      defineLazy(
        {
          query: request.query,
          messages: request.messages,
          response,
          responseFormat: request.responseFormat,
          tools: request.tools,
          tier,
          signal,
          complete,
        } as Omit<ValidationContext, 'complexity' | 'previous'> as ValidationContext,
        {
          complexity: complexityOf,
          // Built only for validators that read it.
          previous: () =>
            previous
              .filter((a) => a.status !== 'failed')
              .map((a) => ({ tier: a.tier, content: a.content, score: a.score })),
        },
      ),
      this.#o.combine,
    );
    if (extra.calls > 0) {
      // Validation calls are part of what this attempt cost.
      attempt.usage = addUsage(attempt.usage ?? ZERO_USAGE, extra.usage);
      attempt.cost = attempt.cost === null || extra.cost === null ? null : attempt.cost + extra.cost;
    }
    const threshold = this.#o.adjustThresholdsByComplexity
      ? Math.min(1, Math.max(0, tier.threshold + COMPLEXITY_THRESHOLD_SHIFT[complexityOf()]))
      : tier.threshold;
    const accepted = quality.score >= threshold;
    const cmp = `score ${quality.score.toFixed(3)} ${accepted ? '≥' : '<'} threshold ${threshold.toFixed(3)}`;
    attempt.score = quality.score;
    attempt.threshold = threshold;
    attempt.reasons = quality.reasons;
    attempt.checks = quality.checks;
    attempt.status = accepted ? 'accepted' : 'rejected';
    attempt.reason = quality.reasons.length ? `${cmp} (${quality.reasons.join('; ')})` : cmp;
  }

  /** Of rejected attempts, the best-scored one: the answer when every tier above it failed. */
  bestRejected(attempts: readonly AttemptRecord[]): AttemptRecord | undefined {
    let best: AttemptRecord | undefined;
    for (const a of attempts) {
      if (a.status === 'rejected' && !a.abandonedEarly && (!best || (a.score ?? 0) > (best.score ?? 0)))
        best = a;
    }
    return best;
  }

  /**
   * The result of a run from its attempts and its answer: total cost by {@link spendOf}, and the baseline
   * (what the strongest tier would have cost for this answer's token counts).
   */
  result(args: {
    request: ResolvedRequest;
    runId: string;
    startedAt: number;
    attempts: readonly AttemptRecord[];
    answer: AttemptRecord;
    degraded: boolean;
    mode?: PriceMode;
  }): CascadeResult {
    const { request, attempts, answer } = args;
    const spend = spendOf(attempts);
    const strongest = request.ladder[request.ladder.length - 1]!;
    let baselineCost: number | null = null;
    let baselineEstimated = false;
    if (answer.tier.index === strongest.index && answer.usage) {
      baselineCost = answer.cost;
    } else if (answer.usage) {
      baselineCost = this.#o.pricing.cost(strongest.model, answer.usage, args.mode);
      baselineEstimated = true;
    }
    return {
      runId: args.runId,
      content: answer.content,
      toolCalls: answer.toolCalls,
      finishReason: answer.finishReason ?? 'other',
      ...(answer.stopSequence !== undefined ? { stopSequence: answer.stopSequence } : {}),
      model: answer.model,
      tier: answer.tier,
      attempts: attempts as AttemptRecord[],
      totalCost: spend.cost,
      baselineCost,
      baselineEstimated,
      saving: baselineCost !== null && spend.cost !== null ? baselineCost - spend.cost : null,
      escalations: answer.tier.index - (attempts[0]?.tier.index ?? 0),
      degraded: args.degraded,
      usage: spend.usage,
      timings: { totalMs: Date.now() - args.startedAt, startedAt: args.startedAt },
      userId: request.userId,
      metadata: request.metadata,
    };
  }
}

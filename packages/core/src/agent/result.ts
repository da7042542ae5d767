import type { CheckResult, TierInfo } from '../quality/validator.js';
import type { FinishReason, TokenLogprob, ToolCall, Usage } from '../types/messages.js';

/** What became of one tier's attempt. */
export type AttemptStatus = 'accepted' | 'rejected' | 'failed';

/** One tier's attempt: the call, its cost and the decision taken on it. */
export interface AttemptRecord {
  tier: TierInfo;
  model: string;
  provider: string;
  status: AttemptStatus;
  /** Why: the score against the threshold, "last tier", or the error. */
  reason: string;
  /** Combined quality score, or null when the attempt failed or was not scored (last tier). */
  score: number | null;
  /** The threshold the score was compared with (after any complexity shift); absent when not scored. */
  threshold?: number;
  /** True when a streamed draft was given up before its end by `earlyReject`. */
  abandonedEarly?: boolean;
  reasons: string[];
  checks: CheckResult[];
  /** Wall time of the attempt including retries, in ms. */
  latencyMs: number;
  /** Retries made after retryable errors. */
  retries: number;
  usage: Usage | null;
  /** True when `usage` is an estimate: the attempt was abandoned mid-stream before the provider reported it. */
  usageEstimated?: boolean;
  /** Cost in USD; null when the model has no price or the call failed before usage was known. */
  cost: number | null;
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  /** The stop sequence the answer ended before, when the provider said. */
  stopSequence?: string;
  /** Token log-probs of the answer, when the provider returned them. */
  logprobs?: TokenLogprob[];
  error?: { code: string; message: string; status?: number };
}

/**
 * The outcome of `agent.run()`.
 *
 * @example
 * ```ts
 * const r = await agent.run('What is 2+2?');
 * console.log(r.content, r.model, r.totalCost, r.saving, r.attempts.map((a) => a.status));
 * ```
 */
export interface CascadeResult {
  runId: string;
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The stop sequence the answer ended before, when its provider said (Anthropic's do). */
  stopSequence?: string;
  /** The model and tier that produced the answer. */
  model: string;
  tier: TierInfo;
  attempts: AttemptRecord[];
  /** Sum of every attempt's cost in USD; null if any attempt's price is unknown. */
  totalCost: number | null;
  /**
   * What sending the request straight to the strongest tier would have cost: exact when the strongest tier
   * answered, otherwise its prices applied to the answer's token counts. Null when unknown.
   */
  baselineCost: number | null;
  baselineEstimated: boolean;
  /** `baselineCost - totalCost`, null when either is unknown. Negative when escalation cost more. */
  saving: number | null;
  /** Tiers climbed past the first. */
  escalations: number;
  /**
   * True when the answer is a rejected draft returned because every higher tier failed with errors: the
   * best answer there was, but below its threshold.
   */
  degraded: boolean;
  usage: Usage;
  timings: { totalMs: number; startedAt: number };
  userId: string | undefined;
  metadata: Record<string, unknown>;
}

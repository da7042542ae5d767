import { CascadeAbortedError, type CascadeResult } from '@cascadeflow/core';
import { type Calibration, textProbabilityOf, tierFeatures } from '../calibrate/calibrate.js';
import { calibratedAgent } from '../calibrate/calibrated-validator.js';
import { predictLogistic } from '../calibrate/logistic.js';
import { checkLadder, type RecordedQuestion } from '../dataset/records.js';
import { ReplayProvider } from '../replay/replay-provider.js';
import {
  oracle,
  type PolicyPoint,
  randomAtQuality,
  randomEscalation,
  referenceOf,
  singleModel,
} from './metrics.js';

/** What `cascadeflow eval --json` prints: the cascade against its baselines on one set of questions. */
export interface EvalReport extends PolicyPoint {
  n: number;
  /** Share of questions that escalated past the first tier. */
  escalation_rate: number;
  /** Per tier but the last: share of the questions reaching it that it escalated. */
  escalation_rate_per_tier: Record<string, number>;
  ladder: string[];
  thresholds: number[];
  /** Share of questions each tier answered. */
  answered_by: Record<string, number>;
  accuracy: number;
  strongest_accuracy: number;
  baselines: {
    always_cheapest: PolicyPoint & { model: string };
    always_strongest: PolicyPoint & { model: string };
    random_same_rate: PolicyPoint;
    /**
     * The cheapest blind escalation (a drafter, then a random share of questions to the strongest model)
     * that reaches the cascade's quality: what the cascade's judging of drafts is worth.
     */
    random_same_quality: PolicyPoint & { drafter: string | null; escalated: number };
    oracle: PolicyPoint;
  };
  /** Set when the calibration found no saving (it is then "always the strongest model"), with the reason. */
  no_saving?: string;
}

/** Options of {@link runEval}. */
export interface EvalOptions {
  /** The full ladder the calibration chose from, cheapest first (for the "always cheapest" baseline). */
  fullLadder?: string[];
  signal?: AbortSignal;
  /** Sleep the recorded latencies, scaled (default 0: as fast as possible). */
  latencyScale?: number;
  source?: string;
  /** Called with each question and the engine's result for it, in order (to inspect or sample outcomes). */
  onResult?: (record: RecordedQuestion, result: CascadeResult) => void;
}

/** Which tier answers each question under a calibration, computed directly (no engine), for sweeps. */
export function simulateStops(records: readonly RecordedQuestion[], cal: Calibration): number[] {
  return records.map((r) => {
    const scores: number[] = [];
    for (let t = 0; t < cal.ladder.length - 1; t++) {
      const model = cal.ladder[t]!;
      const tp = textProbabilityOf(cal, model, r.userPrompt, r.models[model]!.answer);
      const s = Math.min(
        1 - 1e-12,
        predictLogistic(cal.weights[t]!, tierFeatures(r, cal.ladder, t, scores, tp)),
      );
      if (s >= Math.min(1, cal.thresholds[t]!)) return t;
      scores.push(s);
    }
    return cal.ladder.length - 1;
  });
}

/** Quality and cost of a calibration on records, from {@link simulateStops}. */
export function simulatePoint(
  records: readonly RecordedQuestion[],
  cal: Calibration,
  strongest: string,
): PolicyPoint {
  const ref = referenceOf(records, strongest);
  const stops = simulateStops(records, cal);
  let correct = 0;
  let cost = 0;
  records.forEach((r, q) => {
    for (let t = 0; t <= stops[q]!; t++) cost += r.models[cal.ladder[t]!]!.costUsd;
    correct += r.models[cal.ladder[stops[q]!]!]!.correct ? 1 : 0;
  });
  return { quality_ratio: correct / ref.correct, cost_ratio: cost / ref.cost };
}

/**
 * Runs every question through the real cascade engine (a `CascadeAgent` with the replay provider, the
 * calibrated validator and thresholds) and compares it with the baselines: always the cheapest model,
 * always the strongest, random escalation at the same per-tier rates, and the oracle at the same quality.
 *
 * @example
 * ```ts
 * const cal = calibrate(await loadRecords(trainFile), { ladder, targetQuality: 0.95 });
 * const report = await runEval(await loadRecords(testFile), cal, { fullLadder: ladder });
 * console.log(report.quality_ratio, report.cost_ratio);
 * ```
 */
export async function runEval(
  records: readonly RecordedQuestion[],
  cal: Calibration,
  options: EvalOptions = {},
): Promise<EvalReport> {
  const fullLadder = options.fullLadder ?? cal.ladder;
  checkLadder(records, [...new Set([...fullLadder, ...cal.ladder])], options.source ?? 'records');
  const strongest = cal.ladder[cal.ladder.length - 1]!;
  const ref = referenceOf(records, strongest);
  const replay = new ReplayProvider(records, { latencyScale: options.latencyScale ?? 0 });
  const reached = new Array<number>(cal.ladder.length).fill(0);
  const answered = new Array<number>(cal.ladder.length).fill(0);
  let correct = 0;
  let cost = 0;
  for (const record of records) {
    if (options.signal?.aborted) throw new CascadeAbortedError(options.signal.reason);
    const agent = calibratedAgent(cal, { replay: replay.bind(record) }, 'replay', {
      defaultPrices: false,
      retry: { maxRetries: 0 },
    });
    const result = await agent.run({
      messages: [
        { role: 'system', content: record.systemPrompt },
        { role: 'user', content: record.userPrompt },
      ],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.onResult?.(record, result);
    const stop = result.tier.index;
    for (let t = 0; t <= stop; t++) reached[t]!++;
    answered[stop]!++;
    correct += record.models[result.model]!.correct ? 1 : 0;
    cost += result.totalCost ?? Number.NaN;
  }
  const n = records.length;
  const rates = cal.ladder
    .slice(0, -1)
    .map((_, t) => (reached[t]! === 0 ? 0 : (reached[t]! - answered[t]!) / reached[t]!));
  return {
    n,
    quality_ratio: correct / ref.correct,
    cost_ratio: cost / ref.cost,
    escalation_rate: cal.ladder.length > 1 ? (n - answered[0]!) / n : 0,
    escalation_rate_per_tier: Object.fromEntries(rates.map((r, t) => [cal.ladder[t]!, r])),
    ladder: cal.ladder,
    thresholds: cal.thresholds,
    answered_by: Object.fromEntries(answered.map((a, t) => [cal.ladder[t]!, a / n])),
    accuracy: correct / n,
    strongest_accuracy: ref.correct / n,
    baselines: {
      always_cheapest: { model: fullLadder[0]!, ...singleModel(records, fullLadder[0]!, ref) },
      always_strongest: { model: strongest, quality_ratio: 1, cost_ratio: 1 },
      random_same_rate: randomEscalation(records, cal.ladder, rates, ref),
      random_same_quality: randomAtQuality(records, fullLadder, correct / ref.correct, ref),
      oracle: oracle(records, fullLadder, correct / ref.correct, ref),
    },
    ...(cal.noSaving ? { no_saving: cal.noSaving } : {}),
  };
}

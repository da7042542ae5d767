import { InvalidConfigError } from '@cascadeflow/core';
import { checkLadder, type RecordedQuestion } from '../dataset/records.js';
import { featureVector } from './features.js';
import { fitLogistic, predictLogistic } from './logistic.js';
import { textScore } from './text-score.js';

/** Where a calibrated cascade gets each draft's own confidence. */
export type SignalKind = 'logprob' | 'self-check' | 'none';

/**
 * The outcome of {@link calibrate}: a ladder (a sub-ladder of the one given, ending with its strongest model),
 * a threshold per tier, and the weights that turn each tier's signals into a probability of being correct.
 * Plain JSON: save it and load it in production.
 */
export interface Calibration {
  version: 1;
  signal: SignalKind;
  ladder: string[];
  /** Per tier but the last: accept when the calibrated probability is ≥ this (1 means never accept). */
  thresholds: number[];
  /** Per tier but the last: logistic-regression weights over `featureVector` (intercept first). */
  weights: number[][];
  targetQuality: number;
  confidence: number;
  /** How the calibration did on its own records (quality with its bootstrap lower bound, cost). */
  train: { n: number; quality: number; qualityLowerBound: number; costRatio: number };
}

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /** Models cheapest first; the last is the strongest, the reference for quality and cost. */
  ladder: string[];
  /** Quality to keep, as a share of the strongest model's accuracy (e.g. 0.95). */
  targetQuality: number;
  /** Longest sub-ladder to consider (default 4). */
  maxTiers?: number;
  /** Only these sub-ladders (each ends with the strongest model); default every sub-ladder up to `maxTiers`. */
  candidates?: string[][];
  /**
   * How sure to be that the target holds on unseen questions of the same kind: the chosen thresholds must
   * reach the target in this share of bootstrap resamples of the records. Default 0.9.
   */
  confidence?: number;
  /** Bootstrap resamples (default 200), cross-fitting folds (default 5), threshold grid points (default 21). */
  bootstrap?: number;
  folds?: number;
  gridPoints?: number;
  seed?: number;
  /** Source file name, for error messages. */
  source?: string;
}

/** A seeded PRNG (mulberry32), so that calibration is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function subsets<T>(items: readonly T[], maxSize: number): T[][] {
  const out: T[][] = [[]];
  for (const item of items) {
    const n = out.length;
    for (let i = 0; i < n; i++) if (out[i]!.length < maxSize) out.push([...out[i]!, item]);
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The signal kind of a set of records: log-probs, self-check, or none when every confidence is null. */
export function signalOf(records: readonly RecordedQuestion[], ladder: readonly string[]): SignalKind {
  const any = records.some((r) => ladder.some((m) => r.models[m]?.rawConf !== null));
  if (!any) return 'none';
  return records[0]?.signal === 'AskModelConfidence' ? 'self-check' : 'logprob';
}

/** Per question, the features of every tier of `ladder`, given the lower tiers' scores. */
export function tierFeatures(
  r: RecordedQuestion,
  ladder: readonly string[],
  tier: number,
  scores: readonly number[],
): number[] {
  const a = r.models[ladder[tier]!]!;
  const previous = ladder
    .slice(0, tier)
    .map((m, j) => ({ answer: r.models[m]!.answer, score: scores[j] ?? null }));
  return featureVector(a.rawConf, textScore(a.answer, r.userPrompt), a.answer, previous);
}

interface Candidate {
  ladder: string[];
  weights: number[][];
  /** Out-of-fold scores [tier][question]. */
  oof: number[][];
}

function fitCandidate(records: readonly RecordedQuestion[], ladder: string[], folds: number): Candidate {
  const n = records.length;
  const oof: number[][] = [];
  const weights: number[][] = [];
  for (let t = 0; t < ladder.length - 1; t++) {
    const X = records.map((r, q) =>
      tierFeatures(
        r,
        ladder,
        t,
        oof.map((s) => s[q]!),
      ),
    );
    const y = records.map((r) => (r.models[ladder[t]!]!.correct ? 1 : 0));
    const scores = new Array<number>(n).fill(0);
    for (let f = 0; f < folds; f++) {
      const trainX: number[][] = [];
      const trainY: number[] = [];
      for (let q = 0; q < n; q++) {
        if (q % folds !== f) {
          trainX.push(X[q]!);
          trainY.push(y[q]!);
        }
      }
      const w = fitLogistic(trainX, trainY);
      for (let q = f; q < n; q += folds) scores[q] = predictLogistic(w, X[q]!);
    }
    oof.push(scores);
    weights.push(fitLogistic(X, y));
  }
  return { ladder, weights, oof };
}

/**
 * Chooses a ladder and per-tier thresholds on recorded outcomes so that the target quality holds on
 * unseen questions: each tier's signals become a probability of being correct (logistic regression,
 * cross-fitted so the thresholds are chosen on out-of-sample scores), and among every sub-ladder and grid of
 * thresholds the cheapest is kept whose quality reaches the target in `confidence` of bootstrap resamples,
 * not just on average (the plain "cheapest that reaches the target on train" misses it on test).
 *
 * @example
 * ```ts
 * const train = await loadRecords('mmlu_llama_train.jsonl');
 * const cal = calibrate(train, { ladder: ['llama3.1-8b', 'llama3.1-70b', 'llama3.1-405b'], targetQuality: 0.95 });
 * cal.ladder; cal.thresholds; // use with calibratedAgent(cal, providers)
 * ```
 */
export function calibrate(records: readonly RecordedQuestion[], options: CalibrateOptions): Calibration {
  const source = options.source ?? 'records';
  if (!(options.targetQuality > 0 && options.targetQuality <= 1.5)) {
    throw new InvalidConfigError(
      'targetQuality',
      `must be a share of the strongest model's accuracy in (0, 1.5], got ${options.targetQuality}`,
    );
  }
  const confidence = options.confidence ?? 0.9;
  if (!(confidence >= 0 && confidence < 1)) throw new InvalidConfigError('confidence', 'must be in [0, 1)');
  if (records.length < 20)
    throw new InvalidConfigError(
      'records',
      `need at least 20 recorded questions to calibrate, got ${records.length}`,
    );
  checkLadder(records, options.ladder, source);
  const strongest = options.ladder[options.ladder.length - 1]!;
  const folds = options.folds ?? 5;
  const gridPoints = options.gridPoints ?? 21;
  const n = records.length;
  const topCorrect = records.map((r) => (r.models[strongest]!.correct ? 1 : 0));
  const topCost = records.reduce((s, r) => s + r.models[strongest]!.costUsd, 0);
  const topSum = topCorrect.reduce((a: number, b) => a + b, 0);
  if (topSum === 0)
    throw new InvalidConfigError(
      'ladder',
      `the strongest model "${strongest}" answered no question correctly; quality has no reference`,
    );

  const random = rng(options.seed ?? 1);
  const boots = Array.from({ length: options.bootstrap ?? 200 }, () =>
    Int32Array.from({ length: n }, () => Math.floor(random() * n)),
  );
  const bootTop = boots.map((idx) => idx.reduce((s, q) => s + topCorrect[q]!, 0));

  const candidates =
    options.candidates ??
    subsets(options.ladder.slice(0, -1), (options.maxTiers ?? 4) - 1).map((s) => [...s, strongest]);
  let best: {
    cost: number;
    quality: number;
    lower: number;
    candidate: Candidate;
    thresholds: number[];
  } | null = null;

  for (const ladder of candidates) {
    if (ladder[ladder.length - 1] !== strongest) {
      throw new InvalidConfigError(
        'candidates',
        `every candidate ladder must end with the strongest model "${strongest}"`,
      );
    }
    const candidate = fitCandidate(records, ladder, folds);
    const k = ladder.length;
    const correct = records.map((r) => ladder.map((m) => (r.models[m]!.correct ? 1 : 0)));
    const cumCost = records.map((r) => {
      let c = 0;
      return ladder.map((m) => (c += r.models[m]!.costUsd));
    });
    // Threshold options per tier: quantiles of its scores (accepting more or fewer), or 1 (never accept).
    const grids = candidate.oof.map((scores) => {
      const sorted = [...scores].sort((a, b) => a - b);
      const qs = new Set<number>();
      for (let g = 0; g < gridPoints; g++) qs.add(quantile(sorted, g / (gridPoints - 1)));
      qs.add(1);
      return [...qs];
    });
    const accept = grids.map((grid, t) =>
      grid.map((th) => Uint8Array.from(candidate.oof[t]!, (s) => (th < 1 && s >= th ? 1 : 0))),
    );
    const choice = new Array<number>(k - 1).fill(0);
    const stopCorrect = new Uint8Array(n);
    const total = grids.reduce((p, g) => p * g.length, 1);
    for (let c = 0; c < total; c++) {
      let rest = c;
      for (let t = 0; t < k - 1; t++) {
        choice[t] = rest % grids[t]!.length;
        rest = Math.floor(rest / grids[t]!.length);
      }
      let cost = 0;
      let good = 0;
      for (let q = 0; q < n; q++) {
        let stop = k - 1;
        for (let t = 0; t < k - 1; t++) {
          if (accept[t]![choice[t]!]![q]) {
            stop = t;
            break;
          }
        }
        cost += cumCost[q]![stop]!;
        stopCorrect[q] = correct[q]![stop]!;
        good += stopCorrect[q]!;
      }
      const costRatio = cost / topCost;
      if (best && costRatio >= best.cost) continue;
      const quality = good / topSum;
      if (quality < options.targetQuality) continue;
      const ratios = boots.map((idx, b) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += stopCorrect[idx[i]!]!;
        return s / Math.max(1, bootTop[b]!);
      });
      ratios.sort((a, b) => a - b);
      const lower = quantile(ratios, 1 - confidence);
      if (lower < options.targetQuality) continue;
      best = { cost: costRatio, quality, lower, candidate, thresholds: choice.map((g, t) => grids[t]![g]!) };
    }
  }
  if (!best) {
    throw new InvalidConfigError(
      'targetQuality',
      `no ladder reaches ${options.targetQuality} with ${Math.round(confidence * 100)}% confidence on these records; lower the target or the confidence, or record more questions`,
    );
  }
  return {
    version: 1,
    signal: signalOf(records, options.ladder),
    ladder: best.candidate.ladder,
    thresholds: best.thresholds,
    weights: best.candidate.weights,
    targetQuality: options.targetQuality,
    confidence,
    train: { n, quality: best.quality, qualityLowerBound: best.lower, costRatio: best.cost },
  };
}

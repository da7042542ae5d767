import { InvalidConfigError, questionOf } from '@cascadeflow/core';
import { checkLadder, type RecordedQuestion } from '../dataset/records.js';
import { featureVector } from './features.js';
import { fitLogistic, predictLogistic } from './logistic.js';
import { fitTextModel, scoreText, type TextModel } from './text-model.js';
import { textScore } from './text-score.js';

/** Where a calibrated cascade gets each draft's own confidence. */
export type SignalKind = 'logprob' | 'self-check' | 'none';

/** How well one tier's calibrated score told its right answers from its wrong ones on the records. */
export interface TierDiagnostics {
  model: string;
  /** Area under the ROC curve of the out-of-fold scores: 0.5 is no better than chance, 1 is perfect. */
  auroc: number;
  /** True when the score was (nearly) the same for every record: such a tier can only accept all or none. */
  constant: boolean;
}

/**
 * The outcome of {@link calibrate}: a ladder (a sub-ladder of the one given, ending with its strongest model),
 * a threshold per tier, and the weights that turn each tier's signals into a probability of being correct.
 * Plain JSON: save it and load it in production.
 */
export interface Calibration {
  version: 2;
  signal: SignalKind;
  ladder: string[];
  /**
   * Per tier but the last: accept when the calibrated probability is ≥ this. 0 accepts every answer of the
   * tier, 1 never accepts (the tier is called only for its answer's agreement with the tiers above).
   */
  thresholds: number[];
  /** Per tier but the last: logistic-regression weights over `featureVector` (intercept first). */
  weights: number[][];
  /** Per tier but the last, by model: the text model that scores an answer from its text alone. */
  textModels: Record<string, TextModel>;
  targetQuality: number;
  confidence: number;
  /**
   * How the calibration did on its own records: quality with its bootstrap lower bound, cost with its
   * bootstrap upper bound (both at `confidence`).
   */
  train: { n: number; quality: number; qualityLowerBound: number; costRatio: number; costUpperBound: number };
  /** Per drafter of the ladder given, how well its score separated right from wrong answers. */
  diagnostics: TierDiagnostics[];
  /**
   * Set when no plan cheaper than always using the strongest model reached the target with the required
   * confidence: the calibration is then "always the strongest" and this says why.
   */
  noSaving?: string;
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
   * The margin: how sure to be, on unseen questions of the same kind, that the target quality holds and
   * that the plan costs less than always using the strongest model. A plan must reach the target in this
   * share of bootstrap resamples of the records, and cost less than the strongest model in the same share.
   * Default 0.9; higher is safer and dearer, 0.5 is the plain average.
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

/** Per question, the features of every tier of `ladder`, given the lower tiers' scores and its text model's. */
export function tierFeatures(
  r: RecordedQuestion,
  ladder: readonly string[],
  tier: number,
  scores: readonly number[],
  textProbability: number,
): number[] {
  const a = r.models[ladder[tier]!]!;
  const previous = ladder
    .slice(0, tier)
    .map((m, j) => ({ answer: r.models[m]!.answer, score: scores[j] ?? null }));
  return featureVector(a.rawConf, checksOf(r, ladder[tier]!), textProbability, a.answer, previous);
}

// The text checks' score of one model's answer to one record: the same for every candidate ladder, fold and
// sweep point, so it is computed once per record and model.
const CHECKS = new WeakMap<RecordedQuestion, Map<string, number>>();

function checksOf(r: RecordedQuestion, model: string): number {
  let byModel = CHECKS.get(r);
  if (!byModel) {
    byModel = new Map();
    CHECKS.set(r, byModel);
  }
  let score = byModel.get(model);
  if (score === undefined) {
    score = textScore(r.models[model]!.answer, questionOf(r.userPrompt));
    byModel.set(model, score);
  }
  return score;
}

/** The text model's probability for one tier of a calibration (0.5 when it has none). */
export function textProbabilityOf(cal: Calibration, model: string, question: string, answer: string): number {
  const m = cal.textModels[model];
  return m ? scoreText(m, question, answer) : 0.5;
}

interface Candidate {
  ladder: string[];
  weights: number[][];
  /** Out-of-fold scores [tier][question]. */
  oof: number[][];
  /** The scores the deployed calibration gives the same records [tier][question] (in sample). */
  deployed: number[][];
  /**
   * Per tier: true when its signals are the same for every record, so that its scores differ only by the
   * noise of cross-fitting: no threshold may split them.
   */
  constant: boolean[];
}

/**
 * Per drafter model: its text model fitted on every record, and its probabilities per record out of fold
 * (to fit on) and in fold (to tell whether the score varies at all).
 */
interface TextFits {
  models: Record<string, TextModel>;
  oof: Record<string, number[]>;
  full: Record<string, number[]>;
}

function fitTextModels(
  records: readonly RecordedQuestion[],
  drafters: readonly string[],
  folds: number,
): TextFits {
  const models: Record<string, TextModel> = {};
  const oof: Record<string, number[]> = {};
  const full: Record<string, number[]> = {};
  for (const m of drafters) {
    // The question as the validator will score it (core's `query`: coding agents' context blocks left out).
    const examples = records.map((r) => ({
      question: questionOf(r.userPrompt),
      answer: r.models[m]!.answer,
      correct: r.models[m]!.correct,
    }));
    const scores = new Array<number>(records.length).fill(0.5);
    for (let f = 0; f < folds; f++) {
      const model = fitTextModel(examples.filter((_, q) => q % folds !== f));
      for (let q = f; q < records.length; q += folds)
        scores[q] = scoreText(model, examples[q]!.question, examples[q]!.answer);
    }
    oof[m] = scores;
    models[m] = fitTextModel(examples);
    full[m] = examples.map((e) => scoreText(models[m]!, e.question, e.answer));
  }
  return { models, oof, full };
}

function fitCandidate(
  records: readonly RecordedQuestion[],
  ladder: string[],
  folds: number,
  text: TextFits,
): Candidate {
  const n = records.length;
  const oof: number[][] = [];
  const deployed: number[][] = [];
  const weights: number[][] = [];
  const constant: boolean[] = [];
  for (let t = 0; t < ladder.length - 1; t++) {
    const textOof = text.oof[ladder[t]!]!;
    const textFull = text.full[ladder[t]!]!;
    // The features as the deployed calibration computes them: full models all the way down.
    const inFold = records.map((r, q) =>
      tierFeatures(
        r,
        ladder,
        t,
        deployed.map((s) => s[q]!),
        textFull[q]!,
      ),
    );
    constant.push(inFold.every((x) => x.every((v, i) => Math.abs(v - inFold[0]![i]!) < TIE)));
    const X = records.map((r, q) =>
      tierFeatures(
        r,
        ladder,
        t,
        oof.map((s) => s[q]!),
        textOof[q]!,
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
    const w = fitLogistic(X, y);
    weights.push(w);
    deployed.push(inFold.map((x) => Math.min(1 - 1e-12, predictLogistic(w, x))));
  }
  return { ladder, weights, oof, deployed, constant };
}

/** Area under the ROC curve of scores against labels (ties count half). */
function auroc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]![1]) {
        pos++;
        rankSum += rank;
      } else neg++;
    }
    i = j;
  }
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Cost and correct answers of a plan on records, when each tier's scores are `scores`. */
function deployedPoint(
  scores: readonly number[][],
  thresholds: readonly number[],
  cumCost: readonly number[][],
  correct: readonly number[][],
): { cost: number; correct: number } {
  let cost = 0;
  let good = 0;
  for (let q = 0; q < cumCost.length; q++) {
    let stop = thresholds.length;
    for (let t = 0; t < thresholds.length; t++) {
      if (thresholds[t]! < 1 && scores[t]![q]! >= thresholds[t]!) {
        stop = t;
        break;
      }
    }
    cost += cumCost[q]![stop]!;
    good += correct[q]![stop]!;
  }
  return { cost, correct: good };
}

// Scores closer than this are one value: a threshold between them would split a tie by noise.
const TIE = 1e-6;

/**
 * Threshold options for one tier's out-of-fold scores: 0 (accept all), 1 (never accept), and midpoints
 * between distinct scores at the grid's quantiles. A threshold never sits inside a run of (nearly) equal
 * scores, so a constant score (no signal) can only accept all or nothing: the degenerate "threshold equal
 * to the constant" that flips on unseen questions is never offered.
 */
function thresholdGrid(scores: readonly number[], gridPoints: number, constant: boolean): number[] {
  const sorted = [...scores].sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const s of sorted)
    if (distinct.length === 0 || s - distinct[distinct.length - 1]! > TIE) distinct.push(s);
  const grid = new Set<number>([0, 1]);
  if (constant || distinct.length < 2) return [...grid];
  for (let g = 1; g < gridPoints - 1; g++) {
    const v = quantile(sorted, g / (gridPoints - 1));
    // The first distinct value above v, and the midpoint between it and the one below.
    let hi = distinct.findIndex((d) => d > v + TIE / 2);
    if (hi <= 0) hi = hi === 0 ? 1 : distinct.length - 1;
    grid.add((distinct[hi - 1]! + distinct[hi]!) / 2);
  }
  return [...grid].sort((a, b) => a - b);
}

/**
 * Chooses a ladder and per-tier thresholds on recorded outcomes so that the target quality holds on
 * unseen questions and the plan costs less than always using the strongest model. Each tier's signals (its
 * log-prob or self-check when recorded, a text model of the question and answer, the text checks, and its
 * agreement with the tiers below) become a probability of being correct (logistic regression, cross-fitted
 * so the thresholds are chosen on out-of-sample scores). Among every sub-ladder and grid of thresholds the
 * cheapest is kept whose quality reaches the target, and whose cost stays below the strongest model's, in
 * `confidence` of bootstrap resamples. When no plan qualifies, the calibration is "always the strongest
 * model" and `noSaving` says why: it never costs more than the strongest model on the records.
 *
 * @example
 * ```ts
 * const train = await loadRecords('mmlu_llama_train.jsonl');
 * const cal = calibrate(train, { ladder: ['llama3.1-8b', 'llama3.1-70b', 'llama3.1-405b'], targetQuality: 0.95 });
 * cal.ladder; cal.thresholds; cal.noSaving; // use with calibratedAgent(cal, providers)
 * ```
 */
export function calibrate(input: readonly RecordedQuestion[], options: CalibrateOptions): Calibration {
  const source = options.source ?? 'records';
  // Folds and bootstrap resamples go by position: in a canonical order, the same records calibrate the same
  // way however they arrived (a recording is in the order its shadow calls finished).
  const records = [...input].sort(
    (a, b) =>
      a.benchmark.localeCompare(b.benchmark) ||
      a.split.localeCompare(b.split) ||
      a.chain.localeCompare(b.chain) ||
      a.idx - b.idx,
  );
  if (!(options.targetQuality > 0 && options.targetQuality <= 1)) {
    throw new InvalidConfigError(
      'targetQuality',
      `must be a share of the strongest model's accuracy in (0, 1], got ${options.targetQuality}`,
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
  const topCosts = records.map((r) => r.models[strongest]!.costUsd);
  const topCost = topCosts.reduce((s, c) => s + c, 0);
  const topSum = topCorrect.reduce((a: number, b) => a + b, 0);
  if (topSum === 0)
    throw new InvalidConfigError(
      'ladder',
      `the strongest model "${strongest}" answered no question correctly; quality has no reference`,
    );
  if (!(topCost > 0))
    throw new InvalidConfigError(
      'records',
      `the strongest model "${strongest}" cost nothing; cost has no reference`,
    );

  const random = rng(options.seed ?? 1);
  const boots = Array.from({ length: options.bootstrap ?? 200 }, () =>
    Int32Array.from({ length: n }, () => Math.floor(random() * n)),
  );
  const bootTop = boots.map((idx) => idx.reduce((s, q) => s + topCorrect[q]!, 0));
  const bootTopCost = boots.map((idx) => idx.reduce((s, q) => s + topCosts[q]!, 0));

  const candidates =
    options.candidates ??
    subsets(options.ladder.slice(0, -1), (options.maxTiers ?? 4) - 1).map((s) => [...s, strongest]);
  for (const ladder of candidates) {
    if (ladder[ladder.length - 1] !== strongest) {
      throw new InvalidConfigError(
        'candidates',
        `every candidate ladder must end with the strongest model "${strongest}"`,
      );
    }
  }
  const drafters = [...new Set(candidates.flatMap((l) => l.slice(0, -1)))];
  const text = fitTextModels(records, drafters, folds);
  const diagnostics: TierDiagnostics[] = [];

  let best: {
    cost: number;
    costUpper: number;
    quality: number;
    lower: number;
    candidate: Candidate;
    thresholds: number[];
  } = {
    cost: 1,
    costUpper: 1,
    quality: 1,
    lower: 1,
    candidate: { ladder: [strongest], weights: [], oof: [], deployed: [], constant: [] },
    thresholds: [],
  };
  let bestReachesTarget = false;

  for (const ladder of candidates) {
    const candidate = fitCandidate(records, ladder, folds, text);
    const k = ladder.length;
    const correct = records.map((r) => ladder.map((m) => (r.models[m]!.correct ? 1 : 0)));
    const cumCost = records.map((r) => {
      let c = 0;
      return ladder.map((m) => (c += r.models[m]!.costUsd));
    });
    const grids = candidate.oof.map((scores, t) => {
      const constant = candidate.constant[t]!;
      if (k === 2) {
        const labels = records.map((r) => (r.models[ladder[t]!]!.correct ? 1 : 0));
        const area = constant ? 0.5 : auroc(scores, labels);
        diagnostics.push({ model: ladder[t]!, auroc: +area.toFixed(4), constant });
      }
      return thresholdGrid(scores, gridPoints, constant);
    });
    const accept = grids.map((grid, t) =>
      grid.map((th) => Uint8Array.from(candidate.oof[t]!, (s) => (th < 1 && s >= th ? 1 : 0))),
    );
    const choice = new Array<number>(k - 1).fill(0);
    const stopCorrect = new Uint8Array(n);
    const stopCost = new Float64Array(n);
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
        stopCost[q] = cumCost[q]![stop]!;
        cost += stopCost[q]!;
        stopCorrect[q] = correct[q]![stop]!;
        good += stopCorrect[q]!;
      }
      const costRatio = cost / topCost;
      if (costRatio >= best.cost) continue;
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
      bestReachesTarget = true;
      const costs = boots.map((idx, b) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += stopCost[idx[i]!]!;
        return s / bootTopCost[b]!;
      });
      costs.sort((a, b) => a - b);
      const costUpper = quantile(costs, confidence);
      if (costUpper >= 1) continue;
      // As deployed (full models, not the cross-fitted ones), the plan must still save and keep the target:
      // a threshold in a run of near-equal scores that only the folds' noise split accepts nothing there.
      const thresholds = choice.map((g, t) => grids[t]![g]!);
      const asDeployed = deployedPoint(candidate.deployed, thresholds, cumCost, correct);
      if (asDeployed.cost >= topCost) continue;
      best = { cost: costRatio, costUpper, quality, lower, candidate, thresholds };
    }
  }
  const calibration: Calibration = {
    version: 2,
    signal: signalOf(records, options.ladder),
    ladder: best.candidate.ladder,
    thresholds: best.thresholds,
    weights: best.candidate.weights,
    textModels: Object.fromEntries(best.candidate.ladder.slice(0, -1).map((m) => [m, text.models[m]!])),
    targetQuality: options.targetQuality,
    confidence,
    train: {
      n,
      quality: best.quality,
      qualityLowerBound: best.lower,
      costRatio: best.cost,
      costUpperBound: best.costUpper,
    },
    diagnostics,
  };
  if (best.candidate.ladder.length === 1) {
    const pct = Math.round(confidence * 100);
    const blind = diagnostics.filter((d) => d.constant || d.auroc < 0.6).map((d) => d.model);
    calibration.noSaving =
      `no plan cheaper than always "${strongest}" reached quality ${options.targetQuality} with ${pct}% confidence on ${n} records` +
      (bestReachesTarget
        ? `: the plans that reached it cost as much as "${strongest}" in more than ${100 - pct}% of bootstrap resamples`
        : '') +
      (blind.length > 0
        ? `; the scores of ${blind.map((m) => `"${m}"`).join(', ')} barely separate right from wrong answers (AUROC < 0.6)`
        : '') +
      '. Record more questions, add a confidence signal (log-probs or a self-check), or lower the target or the confidence.';
  }
  return calibration;
}

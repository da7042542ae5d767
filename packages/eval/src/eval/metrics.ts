import type { RecordedQuestion } from '../dataset/records.js';

/** Quality and cost of a policy, relative to always asking the strongest model. */
export interface PolicyPoint {
  /** Accuracy as a share of the strongest model's accuracy. */
  quality_ratio: number;
  /** Cost as a share of always using the strongest model. */
  cost_ratio: number;
}

/** Sums needed to express outcomes relative to the strongest model. */
export interface Reference {
  strongest: string;
  correct: number;
  cost: number;
}

export function referenceOf(records: readonly RecordedQuestion[], strongest: string): Reference {
  let correct = 0;
  let cost = 0;
  for (const r of records) {
    const a = r.models[strongest]!;
    correct += a.correct ? 1 : 0;
    cost += a.costUsd;
  }
  return { strongest, correct, cost };
}

/** Always one model. */
export function singleModel(
  records: readonly RecordedQuestion[],
  model: string,
  ref: Reference,
): PolicyPoint {
  let correct = 0;
  let cost = 0;
  for (const r of records) {
    correct += r.models[model]!.correct ? 1 : 0;
    cost += r.models[model]!.costUsd;
  }
  return { quality_ratio: correct / ref.correct, cost_ratio: cost / ref.cost };
}

/**
 * Random escalation at given per-tier rates: the expected quality and cost of a cascade over `ladder` that
 * escalates from tier i with probability `rates[i]` regardless of the draft (exact expectation, no sampling).
 */
export function randomEscalation(
  records: readonly RecordedQuestion[],
  ladder: readonly string[],
  rates: readonly number[],
  ref: Reference,
): PolicyPoint {
  let correct = 0;
  let cost = 0;
  for (const r of records) {
    let reach = 1;
    for (let t = 0; t < ladder.length; t++) {
      const a = r.models[ladder[t]!]!;
      cost += reach * a.costUsd;
      const stop = t === ladder.length - 1 ? 1 : 1 - (rates[t] ?? 0);
      correct += reach * stop * (a.correct ? 1 : 0);
      reach *= 1 - stop;
    }
  }
  return { quality_ratio: correct / ref.correct, cost_ratio: cost / ref.cost };
}

/**
 * The oracle at a target: it knows which drafts are wrong. Every question starts at the ladder's first tier;
 * wrong answers are fixed by climbing to the first tier that is right, cheapest fixes first, until the
 * target quality is met. No real cascade can be cheaper at that quality.
 */
export function oracle(
  records: readonly RecordedQuestion[],
  ladder: readonly string[],
  target: number,
  ref: Reference,
): PolicyPoint {
  let correct = 0;
  let cost = 0;
  const fixes: number[] = [];
  for (const r of records) {
    const first = r.models[ladder[0]!]!;
    cost += first.costUsd;
    if (first.correct) {
      correct++;
      continue;
    }
    let extra = 0;
    for (let t = 1; t < ladder.length; t++) {
      const a = r.models[ladder[t]!]!;
      extra += a.costUsd;
      if (a.correct) {
        fixes.push(extra);
        break;
      }
    }
  }
  fixes.sort((a, b) => a - b);
  for (const extra of fixes) {
    if (correct / ref.correct >= target) break;
    correct++;
    cost += extra;
  }
  return { quality_ratio: correct / ref.correct, cost_ratio: cost / ref.cost };
}

/**
 * The cheapest random escalation that reaches `quality`: for each drafter of `ladder`, ask it every question
 * and escalate a random share p of them to the strongest model, with p just large enough for the quality
 * (exact expectation, no sampling); the cheapest drafter wins. When even p = 1 falls short, p = 1.
 * A cascade that judges its drafts must beat this: it is what escalating blindly costs.
 */
export function randomAtQuality(
  records: readonly RecordedQuestion[],
  ladder: readonly string[],
  quality: number,
  ref: Reference,
): PolicyPoint & { drafter: string | null; escalated: number } {
  let best: PolicyPoint & { drafter: string | null; escalated: number } = {
    drafter: null,
    escalated: 1,
    quality_ratio: 1,
    cost_ratio: 1,
  };
  for (const drafter of ladder) {
    if (drafter === ref.strongest) continue;
    const d = singleModel(records, drafter, ref);
    const p =
      d.quality_ratio >= quality
        ? 0
        : d.quality_ratio >= 1
          ? 0
          : Math.min(1, (quality - d.quality_ratio) / (1 - d.quality_ratio));
    const cost = d.cost_ratio + p;
    if (cost < best.cost_ratio) {
      best = { drafter, escalated: p, quality_ratio: (1 - p) * d.quality_ratio + p, cost_ratio: cost };
    }
  }
  return best;
}

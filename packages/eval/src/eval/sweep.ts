import { type Calibration, calibrate } from '../calibrate/calibrate.js';
import type { RecordedQuestion } from '../dataset/records.js';
import type { ChartPoint } from './chart.js';
import { simulatePoint } from './run-eval.js';

/** Targets the chart's curve is drawn through. */
export const SWEEP_TARGETS = [0.8, 0.85, 0.9, 0.925, 0.95, 0.97, 0.985, 1.0];

/**
 * The cascade's cost/quality curve across thresholds: recalibrates the chosen ladder on `train` for each
 * target and measures the result on `test`.
 *
 * @example
 * ```ts
 * const curve = sweep(train, test, calibration); // [{ label: 'target 0.9', quality_ratio, cost_ratio }, …]
 * ```
 */
export function sweep(
  train: readonly RecordedQuestion[],
  test: readonly RecordedQuestion[],
  cal: Calibration,
  targets = SWEEP_TARGETS,
): ChartPoint[] {
  const strongest = cal.ladder[cal.ladder.length - 1]!;
  const points: ChartPoint[] = [];
  for (const target of targets) {
    let c: Calibration;
    try {
      c = calibrate(train, {
        ladder: cal.ladder,
        candidates: [cal.ladder],
        targetQuality: target,
        confidence: cal.confidence,
      });
    } catch {
      continue; // unreachable at this target
    }
    points.push({ label: `target ${target}`, ...simulatePoint(test, c, strongest) });
  }
  return points;
}

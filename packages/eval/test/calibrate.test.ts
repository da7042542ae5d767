import { describe, expect, it } from 'vitest';
import { simulatePoint } from '../src/eval/run-eval.js';
import { calibrate, loadRecords, type RecordedQuestion, runEval } from '../src/index.js';
import { recordLine, tempJsonl } from './helpers.js';

/** A toy world with a known answer: the drafter is right exactly when its log-prob is above -0.7. */
function synthetic(n: number, seed: number, withConf = true): string[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => {
    const conf = -1.4 * rand();
    const right = conf > -0.7;
    return recordLine(i, {
      small: { answer: right ? 'A' : 'B', correct: right, raw_conf: withConf ? conf : null, cost_usd: 1 },
      big: { answer: 'A', correct: true, raw_conf: withConf ? -0.01 : null, cost_usd: 10 },
    });
  });
}

describe('calibrate', () => {
  it('finds the threshold of a synthetic set with a known answer, and it holds on unseen questions', async () => {
    const train = await loadRecords(tempJsonl(synthetic(300, 1)));
    const test = await loadRecords(tempJsonl(synthetic(500, 2)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.95 });
    expect(cal.ladder).toEqual(['small', 'big']);
    expect(cal.signal).toBe('logprob');
    expect(cal.train.qualityLowerBound).toBeGreaterThanOrEqual(0.95);
    const report = await runEval(test, cal);
    // Half the drafts are right; a perfect split escalates only the wrong half: cost (1 + 0.5·10) / 10 = 0.6.
    expect(report.quality_ratio).toBeGreaterThanOrEqual(0.95);
    expect(report.cost_ratio).toBeGreaterThan(0.55);
    expect(report.cost_ratio).toBeLessThan(0.68);
    expect(report.escalation_rate).toBeGreaterThan(0.45);
    expect(report.baselines.oracle.cost_ratio).toBeLessThanOrEqual(report.cost_ratio);
  });

  it('the engine replays exactly what the calibration simulates', async () => {
    const train = await loadRecords(tempJsonl(synthetic(200, 3)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.9 });
    const report = await runEval(train, cal);
    const sim = simulatePoint(train, cal, 'big');
    expect(report.quality_ratio).toBeCloseTo(sim.quality_ratio, 12);
    expect(report.cost_ratio).toBeCloseTo(sim.cost_ratio, 12);
  });

  it('works on a dataset without confidence: the text alone decides', async () => {
    const train = await loadRecords(tempJsonl(synthetic(200, 4, false)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.95 });
    expect(cal.signal).toBe('none');
    const report = await runEval(train, cal);
    // Nothing tells right drafts from wrong: reaching 95% means sending (nearly) everything to "big".
    expect(report.quality_ratio).toBeGreaterThanOrEqual(0.95);
    expect(report.cost_ratio).toBeGreaterThan(0.9);
  });

  it('rejects a bad target and too few records with the field named', async () => {
    const few: RecordedQuestion[] = await loadRecords(tempJsonl(synthetic(5, 5)));
    expect(() => calibrate(few, { ladder: ['small', 'big'], targetQuality: 0.95 })).toThrow(
      /records: need at least 20/,
    );
    const many = await loadRecords(tempJsonl(synthetic(50, 6)));
    expect(() => calibrate(many, { ladder: ['small', 'big'], targetQuality: 0 })).toThrow(/targetQuality/);
    expect(() => calibrate(many, { ladder: ['small', 'nope'], targetQuality: 0.9 })).toThrow(
      /model "nope" is not in the dataset/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { simulatePoint } from '../src/eval/run-eval.js';
import {
  type Calibration,
  calibrate,
  calibratedValidator,
  loadRecords,
  type RecordedQuestion,
  runEval,
} from '../src/index.js';
import { recordLine, tempJsonl } from './helpers.js';

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** A toy world with a known answer: the drafter is right exactly when its log-prob is above -0.7. */
function synthetic(n: number, seed: number, withConf = true): string[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, (_, i) => {
    const conf = -1.4 * rand();
    const right = conf > -0.7;
    return recordLine(i, {
      small: { answer: right ? 'A' : 'B', correct: right, raw_conf: withConf ? conf : null, cost_usd: 1 },
      big: { answer: 'A', correct: true, raw_conf: withConf ? -0.01 : null, cost_usd: 10 },
    });
  });
}

/** Answers without confidence where the text tells: wrong drafts hedge ("I think B") 90% of the time. */
function textWorld(n: number, seed: number): string[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, (_, i) => {
    const right = rand() < 0.6;
    const hedged = right ? rand() < 0.05 : rand() < 0.9;
    const letter = right ? 'A' : 'BCD'[Math.floor(rand() * 3)]!;
    return recordLine(i, {
      small: { answer: hedged ? `I think ${letter}` : letter, correct: right, raw_conf: null, cost_usd: 1 },
      big: { answer: 'A', correct: true, raw_conf: null, cost_usd: 10 },
    });
  });
}

/** Answers without confidence where nothing tells: the drafter always says "A", right with probability p. */
function blindWorld(n: number, seed: number, p: number): string[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, (_, i) =>
    recordLine(i, {
      small: { answer: 'A', correct: rand() < p, raw_conf: null, cost_usd: 1 },
      big: { answer: 'A', correct: true, raw_conf: null, cost_usd: 10 },
    }),
  );
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

  it('its validator answers without a promise from log-probs, and waits only for a self-check call', async () => {
    const train = await loadRecords(tempJsonl(synthetic(200, 5)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.95 });
    const validator = calibratedValidator(cal);
    const ctx = (logprobs: number[] | undefined) =>
      ({
        tier: { index: 0, model: 'small' },
        query: 'q',
        messages: [{ role: 'user', content: 'q' }],
        response: { content: 'A', logprobs: logprobs?.map((logprob) => ({ token: 'A', logprob })) },
        previous: [],
        complete: async () => ({ content: 'Yes', logprobs: [{ token: 'Yes', logprob: -0.01 }] }),
      }) as never;
    const sure = validator.validate(ctx([-0.01]));
    expect(sure).not.toBeInstanceOf(Promise);
    const unsure = validator.validate(ctx([-3]));
    expect((sure as { score: number }).score).toBeGreaterThan((unsure as { score: number }).score);
    // Without log-probs a self-check calibration asks the model: then, and only then, a promise.
    const selfCheck = calibratedValidator({ ...cal, signal: 'self-check' }).validate(ctx(undefined));
    expect(selfCheck).toBeInstanceOf(Promise);
    expect(await selfCheck).toMatchObject({ score: expect.any(Number) });
  });

  it('the engine replays exactly what the calibration simulates', async () => {
    const train = await loadRecords(tempJsonl(synthetic(200, 3)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.9 });
    const report = await runEval(train, cal);
    const sim = simulatePoint(train, cal, 'big');
    expect(report.quality_ratio).toBeCloseTo(sim.quality_ratio, 12);
    expect(report.cost_ratio).toBeCloseTo(sim.cost_ratio, 12);
  });

  it('without confidence, learns from the answer text: hedged drafts escalate, plain ones do not', async () => {
    const train = await loadRecords(tempJsonl(textWorld(300, 4)));
    const test = await loadRecords(tempJsonl(textWorld(500, 5)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.95 });
    expect(cal.signal).toBe('none');
    expect(cal.ladder).toEqual(['small', 'big']);
    expect(cal.noSaving).toBeUndefined();
    const report = await runEval(test, cal);
    // Wrong drafts hedge 90% of the time: escalating the hedged ones keeps quality at a fraction of the cost.
    expect(report.quality_ratio).toBeGreaterThanOrEqual(0.95);
    expect(report.cost_ratio).toBeLessThan(0.75);
    expect(report.cost_ratio).toBeLessThan(report.baselines.random_same_quality.cost_ratio);
    // The calibration is plain JSON: a saved and reloaded one decides the same.
    const reloaded = JSON.parse(JSON.stringify(cal)) as Calibration;
    expect(simulatePoint(test, reloaded, 'big')).toEqual(simulatePoint(test, cal, 'big'));
  });

  it('when nothing separates right drafts from wrong, finds no saving, says why, and costs exactly the strongest', async () => {
    const train = await loadRecords(tempJsonl(blindWorld(300, 6, 0.7)));
    const test = await loadRecords(tempJsonl(blindWorld(400, 7, 0.7)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.95 });
    expect(cal.ladder).toEqual(['big']);
    expect(cal.thresholds).toEqual([]);
    expect(cal.noSaving).toMatch(/no plan cheaper than always "big" reached quality 0.95/);
    expect(cal.noSaving).toMatch(/"small" barely separate/);
    expect(cal.diagnostics).toEqual([{ model: 'small', auroc: 0.5, constant: true }]);
    const report = await runEval(test, cal);
    expect(report.cost_ratio).toBe(1);
    expect(report.quality_ratio).toBe(1);
    expect(report.no_saving).toBe(cal.noSaving);
  });

  it('never splits a constant score with a threshold: a blind drafter is accepted always or never', async () => {
    // The drafter is right 99% of the time but nothing says when: accepting all of it meets the target.
    const train = await loadRecords(tempJsonl(blindWorld(300, 8, 0.99)));
    const cal = calibrate(train, { ladder: ['small', 'big'], targetQuality: 0.95 });
    expect(cal.ladder).toEqual(['small', 'big']);
    expect(cal.thresholds).toEqual([0]);
    const test = await loadRecords(tempJsonl(blindWorld(400, 9, 0.99)));
    const report = await runEval(test, cal);
    expect(report.escalation_rate).toBe(0);
    expect(report.cost_ratio).toBeCloseTo(0.1, 10);
  });

  it('refuses a plan whose cost could exceed the strongest model on unseen questions', async () => {
    // A drafter that costs 95% of the strongest on average, 1 or 18 a question: accepting it always saves 5%
    // on these records, but on resamples of them it costs more than the strongest in well over 10% of cases.
    const lines = blindWorld(300, 10, 0.99).map((l, i) => {
      const r = JSON.parse(l);
      r.models.small.cost_usd = i % 2 === 0 ? 1 : 18;
      return JSON.stringify(r);
    });
    const cal = calibrate(await loadRecords(tempJsonl(lines)), {
      ladder: ['small', 'big'],
      targetQuality: 0.95,
    });
    expect(cal.ladder).toEqual(['big']);
    expect(cal.train.costRatio).toBe(1);
    expect(cal.noSaving).toMatch(/cost as much as "big"/);
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

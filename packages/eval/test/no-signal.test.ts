import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitTextModel, scoreText } from '../src/calibrate/text-model.js';
import { randomAtQuality, referenceOf } from '../src/eval/metrics.js';
import { calibrate, loadRecords, runEval, withoutSignal, writeNoSignalDataset } from '../src/index.js';
import { fixture, recordLine, tempJsonl } from './helpers.js';

describe('the no-signal variant of a dataset', () => {
  it('writeNoSignalDataset copies every file with each raw_conf null and everything else kept', async () => {
    const from = dirname(fixture('mmlu_qwen_oai_test'));
    const to = mkdtempSync(join(tmpdir(), 'cf-nosignal-test-'));
    const written = await writeNoSignalDataset(from, to);
    expect(written.map((f) => f.split('/').pop()).sort()).toEqual(
      readdirSync(from)
        .filter((f) => f.endsWith('.jsonl.gz'))
        .sort(),
    );
    const original = await loadRecords(fixture('triviaqa_llama_test'));
    const stripped = await loadRecords(join(to, 'triviaqa_llama_test.jsonl.gz'));
    expect(stripped).toEqual(withoutSignal(original));
    expect(stripped.every((r) => Object.values(r.models).every((a) => a.rawConf === null))).toBe(true);
    expect(original.some((r) => Object.values(r.models).some((a) => a.rawConf !== null))).toBe(true);
  });

  it('a calibration on real answers without signal never costs more than the strongest model, and says so when it saves nothing', async () => {
    const ladder = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
    const train = withoutSignal(await loadRecords(fixture('mmlu_qwen_oai_train')));
    const test = withoutSignal(await loadRecords(fixture('mmlu_qwen_oai_test')));
    for (const targetQuality of [0.9, 0.95, 1]) {
      const cal = calibrate(train, { ladder, targetQuality });
      expect(cal.signal).toBe('none');
      expect(cal.train.costUpperBound).toBeLessThanOrEqual(1);
      const report = await runEval(test, cal, { fullLadder: ladder });
      if (cal.noSaving) expect(report.cost_ratio).toBe(1);
      else expect(cal.train.costRatio).toBeLessThan(1);
    }
  });
});

describe('text model', () => {
  const examples = Array.from({ length: 200 }, (_, i) => {
    const correct = i % 2 === 0;
    return {
      question: `What is item ${i % 7} of the list?`,
      answer: correct ? `It is ${i}.` : `I'm not sure, maybe ${i}?`,
      correct,
    };
  });

  it('learns hedging from the text alone and scores unseen answers by it', () => {
    const model = fitTextModel(examples);
    expect(scoreText(model, 'What is item 3 of the list?', 'It is 4000.')).toBeGreaterThan(0.8);
    expect(scoreText(model, 'What is item 3 of the list?', "I'm not sure, maybe 4000?")).toBeLessThan(0.2);
  });

  it('is deterministic and survives JSON', () => {
    const a = fitTextModel(examples);
    const b = JSON.parse(JSON.stringify(fitTextModel(examples)));
    expect(b).toEqual(a);
    expect(scoreText(b, 'q', 'It is 1.')).toBe(scoreText(a, 'q', 'It is 1.'));
  });
});

describe('random escalation at the same quality', () => {
  it('is the cheapest drafter plus just enough blind escalation', async () => {
    // small: right half the time, cost 1; mid: right 90%, cost 4; big: always right, cost 10.
    const lines = Array.from({ length: 100 }, (_, i) =>
      recordLine(i, {
        small: { answer: 'A', correct: i % 2 === 0, raw_conf: null, cost_usd: 1 },
        mid: { answer: 'A', correct: i % 10 !== 0, raw_conf: null, cost_usd: 4 },
        big: { answer: 'A', correct: true, raw_conf: null, cost_usd: 10 },
      }),
    );
    const records = await loadRecords(tempJsonl(lines));
    const ref = referenceOf(records, 'big');
    // Quality 0.95: small needs p = 0.9 (cost 0.1 + 0.9 = 1.0); mid needs p = 0.5 (0.4 + 0.5 = 0.9).
    const r = randomAtQuality(records, ['small', 'mid', 'big'], 0.95, ref);
    expect(r.drafter).toBe('mid');
    expect(r.escalated).toBeCloseTo(0.5, 12);
    expect(r.cost_ratio).toBeCloseTo(0.9, 12);
    expect(r.quality_ratio).toBeCloseTo(0.95, 12);
    // Quality 0.9 is mid alone.
    expect(randomAtQuality(records, ['small', 'mid', 'big'], 0.9, ref).cost_ratio).toBeCloseTo(0.4, 12);
  });
});

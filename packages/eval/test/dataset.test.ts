import { describe, expect, it } from 'vitest';
import { checkLadder } from '../src/dataset/records.js';
import { DatasetError, loadRecords } from '../src/index.js';
import { fixture, recordLine, tempJsonl } from './helpers.js';

const ok = (i: number) =>
  recordLine(i, { small: { answer: 'A', correct: true, raw_conf: -0.1, cost_usd: 1e-6 } });

describe('dataset files', () => {
  it('streams .jsonl.gz records with every field', async () => {
    const records = await loadRecords(fixture('mmlu_qwen_oai_test'));
    expect(records).toHaveLength(200);
    const r = records[0]!;
    expect(r).toMatchObject({
      benchmark: 'mmlu',
      split: 'test',
      chain: 'qwen_oai',
      idx: 0,
      signal: 'ModelIntrinsicLogProb',
    });
    expect(Object.keys(r.models)).toEqual([
      'gpt-4o-mini',
      'qwen2.5-32b-coder-instruct',
      'qwen2.5-72b-instruct',
      'gpt-4o',
    ]);
    expect(r.models['gpt-4o']).toMatchObject({ correct: expect.any(Boolean), costUsd: expect.any(Number) });
  });

  it('names the line of malformed JSON', async () => {
    const file = tempJsonl([ok(0), ok(1), '{"benchmark": "x", oops', ok(3)]);
    const err = await loadRecords(file).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toMatchObject({ code: 'invalid_dataset', line: 3 });
    expect(err.message).toMatch(/data\.jsonl:3: not valid JSON/);
  });

  it('names the line and field of a missing or wrong field', async () => {
    const bad = JSON.parse(ok(1));
    delete bad.models.small.correct;
    const err = await loadRecords(tempJsonl([ok(0), JSON.stringify(bad)])).catch((e) => e);
    expect(err).toMatchObject({ line: 2, field: 'models.small.correct' });
    const noPrompt = JSON.parse(ok(0));
    delete noPrompt.user_prompt;
    await expect(loadRecords(tempJsonl([JSON.stringify(noPrompt)]))).rejects.toMatchObject({
      line: 1,
      field: 'user_prompt',
    });
  });

  it('rejects a ladder model the dataset does not have, listing the ones it has', async () => {
    const records = await loadRecords(tempJsonl([ok(0)]));
    expect(() => checkLadder(records, ['small', 'huge'], 'data.jsonl')).toThrow(
      /model "huge" is not in the dataset \(it has: small\)/,
    );
  });

  it('says when a file does not exist', async () => {
    await expect(loadRecords('/nonexistent/x.jsonl')).rejects.toThrow(/cannot open/);
  });
});

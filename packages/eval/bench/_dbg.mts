import { calibrate, loadRecords, runEval } from '../src/index.js';

const D = '/work/shared/datasets/rational-cascades/';
const ladder = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
for (const b of ['mmlu', 'medmcqa', 'triviaqa']) {
  const train = await loadRecords(`${D}${b}_qwen_oai_train.jsonl`);
  const test = await loadRecords(`${D}${b}_qwen_oai_test.jsonl`);
  const held = test.slice(500);
  const base = calibrate(train, { ladder, targetQuality: 0.95 });
  const rb = await runEval(held, base, { fullLadder: ladder });
  for (const n of [150, 300, 500]) {
    const live = structuredClone(test.slice(0, n));

    const cal = calibrate(live, { ladder, targetQuality: 0.95 });
    const rr = await runEval(held, cal, { fullLadder: ladder });
    console.log(
      b,
      n,
      'loop q',
      rr.quality_ratio.toFixed(3),
      'c',
      rr.cost_ratio.toFixed(3),
      '| train-cal q',
      rb.quality_ratio.toFixed(3),
      'c',
      rb.cost_ratio.toFixed(3),
      cal.noSaving ? 'NOSAVE' : '',
    );
  }
}

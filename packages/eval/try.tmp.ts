import { calibrate, loadRecords, runEval, simulatePoint } from '@cascadeflow/eval';

const D = '/work/shared/datasets/rational-cascades/';
const CH: Record<string, string[]> = {
  llama: ['llama3.2-1b', 'llama3.2-3b', 'llama3.1-8b', 'llama3.1-70b', 'llama3.1-405b'],
  qwen_oai: ['gpt-4o-mini', 'qwen2.5-32b-coder-instruct', 'qwen2.5-72b-instruct', 'gpt-4o'],
};
const conf = Number(process.argv[2] ?? 0.9);
let sq = 0,
  sc = 0,
  k = 0;
for (const chain of Object.keys(CH))
  for (const b of ['mmlu', 'medmcqa', 'triviaqa', 'truthfulqa']) {
    const t0 = Date.now();
    const train = await loadRecords(`${D}${b}_${chain}_train.jsonl`);
    const test = await loadRecords(`${D}${b}_${chain}_test.jsonl`);
    const cal = calibrate(train, { ladder: CH[chain]!, targetQuality: 0.95, confidence: conf });
    const t1 = Date.now();
    const r = await runEval(test, cal, { fullLadder: CH[chain] });
    const sim = simulatePoint(test, cal, CH[chain]!.at(-1)!);
    const t2 = Date.now();
    sq += r.quality_ratio;
    sc += r.cost_ratio;
    k++;
    console.log(
      chain,
      b,
      cal.ladder.join('/'),
      'train',
      cal.train.quality.toFixed(3),
      cal.train.costRatio.toFixed(3),
      '| test',
      r.quality_ratio.toFixed(3),
      r.cost_ratio.toFixed(3),
      'sim',
      sim.quality_ratio.toFixed(3),
      sim.cost_ratio.toFixed(3),
      `cal ${t1 - t0}ms eval ${t2 - t1}ms`,
    );
  }
console.log('MEAN', (sq / k).toFixed(4), (sc / k).toFixed(4));

/**
 * The eval over the eight test splits of the rational-cascades dataset (calibrated on their train splits,
 * target 0.95) and the replay speed of the real engine. Writes bench-results/eval.json at the repository
 * root. Needs the dataset at ../shared/datasets/rational-cascades (CASCADEFLOW_DATASET overrides).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate, loadRecords, runEval } from '../dist/index.js';
import { simulateStops } from '../src/eval/run-eval.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const data = process.env.CASCADEFLOW_DATASET ?? join(root, '../shared/datasets/rational-cascades');
if (!existsSync(data))
  throw new Error(`No dataset at ${data}; set CASCADEFLOW_DATASET to the rational-cascades directory.`);
const chains: Record<string, string[]> = {
  llama: ['llama3.2-1b', 'llama3.2-3b', 'llama3.1-8b', 'llama3.1-70b', 'llama3.1-405b'],
  qwen_oai: ['gpt-4o-mini', 'qwen2.5-32b-coder-instruct', 'qwen2.5-72b-instruct', 'gpt-4o'],
};
let quality = 0;
let cost = 0;
let splits = 0;
let questions = 0;
let engineMs = 0;
let simMs = 0;
for (const [chain, ladder] of Object.entries(chains)) {
  for (const bench of ['mmlu', 'medmcqa', 'triviaqa', 'truthfulqa']) {
    const train = await loadRecords(join(data, `${bench}_${chain}_train.jsonl`));
    const test = await loadRecords(join(data, `${bench}_${chain}_test.jsonl`));
    const cal = calibrate(train, { ladder, targetQuality: 0.95 });
    let t = performance.now();
    const report = await runEval(test, cal, { fullLadder: ladder });
    engineMs += performance.now() - t;
    t = performance.now();
    simulateStops(test, cal);
    simMs += performance.now() - t;
    questions += test.length;
    quality += report.quality_ratio;
    cost += report.cost_ratio;
    splits++;
    process.stdout.write(
      `${chain} ${bench}: quality ${report.quality_ratio.toFixed(4)} cost ${report.cost_ratio.toFixed(4)}\n`,
    );
  }
}
const qps = questions / (engineMs / 1000);
const results = [
  {
    name: 'eval_mean_quality_ratio',
    value: +(quality / splits).toFixed(4),
    unit: 'share of the strongest model',
    target: 0.95,
    ratio: +(quality / splits / 0.95).toFixed(4),
  },
  {
    name: 'eval_mean_cost_ratio',
    value: +(cost / splits).toFixed(4),
    unit: 'share of always-strongest cost',
    target: 0.3,
    ratio: +(cost / splits / 0.3).toFixed(4),
  },
  {
    name: 'replay_questions_per_s',
    value: Math.round(qps),
    unit: 'questions/s through the engine',
    baseline: Math.round(questions / (simMs / 1000)),
    ratio: +(engineMs === 0 ? 0 : simMs / engineMs).toFixed(4),
  },
];
const out = join(root, 'bench-results/eval.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
for (const r of results)
  process.stdout.write(
    `${r.name}: ${r.value} (${'target' in r ? `target ${r.target}` : `measured baseline ${r.baseline}`}, ratio ${r.ratio})\n`,
  );

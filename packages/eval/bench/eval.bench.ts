/**
 * The eval over the eight test splits of the rational-cascades dataset (calibrated on their train splits,
 * target 0.95), once as recorded and once with every confidence removed (raw_conf null), and the replay speed of the real engine. Writes bench-results/eval.json at the repository
 * root. Needs the dataset at ../shared/datasets/rational-cascades (CASCADEFLOW_DATASET overrides).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate, loadRecords, runEval, writeNoSignalDataset } from '../dist/index.js';
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
interface Totals {
  quality: number;
  cost: number;
  random: number;
  maxCost: number;
  splits: number;
  questions: number;
  engineMs: number;
  simMs: number;
}

/** Calibrates on each train split, runs the engine on its test split; sums over the eight splits. */
async function evalSplits(dir: string, label: string): Promise<Totals> {
  const t: Totals = {
    quality: 0,
    cost: 0,
    random: 0,
    maxCost: 0,
    splits: 0,
    questions: 0,
    engineMs: 0,
    simMs: 0,
  };
  for (const [chain, ladder] of Object.entries(chains)) {
    for (const bench of ['mmlu', 'medmcqa', 'triviaqa', 'truthfulqa']) {
      const train = await loadRecords(join(dir, `${bench}_${chain}_train.jsonl`));
      const test = await loadRecords(join(dir, `${bench}_${chain}_test.jsonl`));
      const cal = calibrate(train, { ladder, targetQuality: 0.95 });
      let start = performance.now();
      const report = await runEval(test, cal, { fullLadder: ladder });
      t.engineMs += performance.now() - start;
      start = performance.now();
      simulateStops(test, cal);
      t.simMs += performance.now() - start;
      t.questions += test.length;
      t.quality += report.quality_ratio;
      t.cost += report.cost_ratio;
      t.random += report.baselines.random_same_quality.cost_ratio;
      t.maxCost = Math.max(t.maxCost, report.cost_ratio);
      t.splits++;
      process.stdout.write(
        `${label} ${chain} ${bench}: ${cal.ladder.join(' > ')} quality ${report.quality_ratio.toFixed(4)} cost ${report.cost_ratio.toFixed(4)} (random, same quality: ${report.baselines.random_same_quality.cost_ratio.toFixed(4)})${report.no_saving ? ' no saving' : ''}\n`,
      );
    }
  }
  return t;
}

const withSignal = await evalSplits(data, 'signal');
// The no-signal variant: the same files with every raw_conf null, written by the library's own script.
const noSignalDir = mkdtempSync(join(tmpdir(), 'cf-nosignal-'));
await writeNoSignalDataset(data, noSignalDir);
const noSignal = await evalSplits(noSignalDir, 'no-signal');
rmSync(noSignalDir, { recursive: true, force: true });

const mean = (t: Totals, k: 'quality' | 'cost' | 'random') => t[k] / t.splits;
const qps = withSignal.questions / (withSignal.engineMs / 1000);
const results = [
  {
    name: 'eval_mean_quality_ratio',
    value: +mean(withSignal, 'quality').toFixed(4),
    unit: 'share of the strongest model',
    target: 0.95,
    ratio: +(mean(withSignal, 'quality') / 0.95).toFixed(4),
  },
  {
    name: 'eval_mean_cost_ratio',
    value: +mean(withSignal, 'cost').toFixed(4),
    unit: 'share of always-strongest cost',
    target: 0.3,
    ratio: +(mean(withSignal, 'cost') / 0.3).toFixed(4),
  },
  {
    name: 'eval_vs_random_cost_ratio',
    value: +(withSignal.cost / withSignal.random).toFixed(4),
    unit: 'mean cost over blind random escalation at the same quality, same splits, same run',
    baseline: +mean(withSignal, 'random').toFixed(4),
    ratio: +(withSignal.cost / withSignal.random).toFixed(4),
  },
  {
    name: 'eval_nosignal_mean_quality_ratio',
    value: +mean(noSignal, 'quality').toFixed(4),
    unit: 'share of the strongest model, every raw_conf null',
    target: 0.95,
    ratio: +(mean(noSignal, 'quality') / 0.95).toFixed(4),
  },
  {
    name: 'eval_nosignal_mean_cost_ratio',
    value: +mean(noSignal, 'cost').toFixed(4),
    unit: 'share of always-strongest cost, every raw_conf null',
    baseline: +mean(noSignal, 'random').toFixed(4),
    ratio: +(noSignal.cost / noSignal.random).toFixed(4),
  },
  {
    name: 'eval_nosignal_vs_random_cost_ratio',
    value: +(noSignal.cost / noSignal.random).toFixed(4),
    unit: 'mean cost over blind random escalation at the same quality, same splits, same run',
    target: 0.8,
    ratio: +(noSignal.cost / noSignal.random / 0.8).toFixed(4),
  },
  {
    name: 'eval_nosignal_max_split_cost_ratio',
    value: +noSignal.maxCost.toFixed(4),
    unit: 'highest cost of the eight splits, every raw_conf null',
    target: 1,
    ratio: +noSignal.maxCost.toFixed(4),
  },
  {
    name: 'replay_questions_per_s',
    value: Math.round(qps),
    unit: 'questions/s through the engine',
    baseline: Math.round(withSignal.questions / (withSignal.simMs / 1000)),
    ratio: +(withSignal.engineMs === 0 ? 0 : withSignal.simMs / withSignal.engineMs).toFixed(4),
  },
];
const out = join(root, 'bench-results/eval.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
for (const r of results)
  process.stdout.write(
    `${r.name}: ${r.value} (${'target' in r ? `target ${r.target}` : `measured baseline ${r.baseline}`}, ratio ${r.ratio})\n`,
  );

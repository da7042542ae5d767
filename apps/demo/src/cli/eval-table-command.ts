import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, type SplitResult } from './evaluate.js';

export const EVAL_TABLE_HELP = `cascadeflow eval-table: evaluate every test split and regenerate the results table

  --data <dir>      the rational-cascades dataset (default ../shared/datasets/rational-cascades)
  --out <dir>       where to write RESULTS.md, results.json and the charts (default docs/eval)
  --readme <file>   a README whose <!-- eval-table --> section is replaced (default README.md; "" for none)
  --target <q>      quality to keep (default 0.95)
  --confidence <p>  bootstrap confidence (default 0.9)`;

const CHAINS = ['llama', 'qwen_oai'];
const BENCHMARKS = ['mmlu', 'medmcqa', 'triviaqa', 'truthfulqa'];
const START = '<!-- eval-table:start -->';
const END = '<!-- eval-table:end -->';

export const CITATION =
  'Data: Zellinger & Thomson, "Rational Tuning of LLM Cascades via Probabilistic Modeling", arXiv:2501.09345 (2025), ' +
  'from the public repository mzelling/rational-llm-cascades (commit 0d9c8610).';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fx = (x: number) => x.toFixed(3);
const short = (m: string) =>
  m
    .replace(/^llama3\.\d-/, '')
    .replace('-instruct', '')
    .replace('qwen2.5-', 'qwen-');

export function tableMarkdown(
  rows: { split: string; result: SplitResult }[],
  target: number,
  confidence: number,
): string {
  const lines = [
    `Calibrated on each train split (target ${target}, ${Math.round(confidence * 100)}% bootstrap confidence), measured on the test split through the real engine. Quality is accuracy as a share of the chain's strongest model; cost is a share of always using it.`,
    '',
    '| split | ladder chosen | quality | cost | escalated | always cheapest (q / c) | random, same rate (q / c) | oracle cost, same quality |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let q = 0;
  let c = 0;
  let rq = 0;
  let rc = 0;
  let oc = 0;
  for (const { split, result } of rows) {
    const r = result.report;
    const b = r.baselines;
    q += r.quality_ratio;
    c += r.cost_ratio;
    rq += b.random_same_rate.quality_ratio;
    rc += b.random_same_rate.cost_ratio;
    oc += b.oracle.cost_ratio;
    lines.push(
      `| ${split} | ${r.ladder.map(short).join(' → ')} | ${pct(r.quality_ratio)} | ${fx(r.cost_ratio)} | ${pct(r.escalation_rate)} | ${pct(b.always_cheapest.quality_ratio)} / ${fx(b.always_cheapest.cost_ratio)} | ${pct(b.random_same_rate.quality_ratio)} / ${fx(b.random_same_rate.cost_ratio)} | ${fx(b.oracle.cost_ratio)} |`,
    );
  }
  const n = rows.length;
  lines.push(
    `| **mean** | | **${pct(q / n)}** | **${fx(c / n)}** | | | ${pct(rq / n)} / ${fx(rc / n)} | ${fx(oc / n)} |`,
  );
  lines.push('', CITATION);
  return lines.join('\n');
}

export async function evalTableCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: '../shared/datasets/rational-cascades' },
      out: { type: 'string', default: 'docs/eval' },
      readme: { type: 'string', default: 'README.md' },
      target: { type: 'string', default: '0.95' },
      confidence: { type: 'string', default: '0.9' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${EVAL_TABLE_HELP}\n`);
    return;
  }
  const target = Number(values.target);
  const confidence = Number(values.confidence);
  if (!existsSync(values.data)) throw new Error(`--data: no dataset directory at ${values.data}`);
  mkdirSync(values.out, { recursive: true });
  const rows: { split: string; result: SplitResult }[] = [];
  for (const chain of CHAINS) {
    for (const bench of BENCHMARKS) {
      const split = `${chain} ${bench}`;
      const result = await evaluate({
        dataset: join(values.data, `${bench}_${chain}_test.jsonl`),
        calibrateFile: join(values.data, `${bench}_${chain}_train.jsonl`),
        target,
        confidence,
        title: `${bench} / ${chain}: cost vs quality (test split)`,
        signal,
      });
      writeFileSync(join(values.out, `${bench}_${chain}.svg`), result.chart);
      rows.push({ split, result });
      out.write(
        `${split}: quality ${pct(result.report.quality_ratio)}, cost ${fx(result.report.cost_ratio)}\n`,
      );
    }
  }
  const table = tableMarkdown(rows, target, confidence);
  const charts = rows.map(({ split }) => {
    const [chain, bench] = split.split(' ');
    return `![${split}](${bench}_${chain}.svg)`;
  });
  writeFileSync(
    join(values.out, 'RESULTS.md'),
    `# Eval results\n\nRegenerate with \`pnpm cascadeflow eval-table\`.\n\n${table}\n\n## Charts\n\n${charts.join('\n')}\n`,
  );
  const json = rows.map(({ split, result }) => ({
    split,
    ...result.report,
    calibration: result.calibration,
  }));
  writeFileSync(join(values.out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (values.readme) {
    const readme = readFileSync(values.readme, 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    if (a === -1 || b === -1) throw new Error(`--readme: ${values.readme} has no ${START} … ${END} section`);
    writeFileSync(values.readme, `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`);
  }
  const mean = (f: (r: SplitResult) => number) => rows.reduce((s, r) => s + f(r.result), 0) / rows.length;
  out.write(
    `mean: quality ${pct(mean((r) => r.report.quality_ratio))}, cost ${fx(mean((r) => r.report.cost_ratio))}\n`,
  );
}

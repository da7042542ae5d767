import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeNoSignalDataset } from '@cascadeflow/eval';
import { evaluate, type SplitResult } from './evaluate.js';

export const EVAL_TABLE_HELP = `cascadeflow eval-table: evaluate every test split, with and without confidence signals, and regenerate the results tables

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
  variant: 'signal' | 'no-signal' = 'signal',
): string {
  const lines = [
    variant === 'signal'
      ? `**With confidence signals** (as recorded: log-probs on MMLU and MedMCQA, a self-check on TriviaQA and TruthfulQA). Calibrated on each train split (target ${target}, ${Math.round(confidence * 100)}% bootstrap confidence), measured on the test split through the real engine. Quality is accuracy as a share of the chain's strongest model; cost is a share of always using it.`
      : `**Without any confidence signal** (the same splits with every \`raw_conf\` null, written by \`writeNoSignalDataset\`): the cascade judges the answers' text and their agreement alone. Same target and confidence.`,
    '',
    '| split | ladder chosen | quality | cost | escalated | always cheapest (q / c) | random, same rate (q / c) | random, same quality (c) | oracle cost, same quality |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let q = 0;
  let c = 0;
  let rq = 0;
  let rc = 0;
  let oc = 0;
  let sq = 0;
  for (const { split, result } of rows) {
    const r = result.report;
    const b = r.baselines;
    q += r.quality_ratio;
    c += r.cost_ratio;
    rq += b.random_same_rate.quality_ratio;
    rc += b.random_same_rate.cost_ratio;
    oc += b.oracle.cost_ratio;
    sq += b.random_same_quality.cost_ratio;
    const ladder = r.no_saving
      ? `${r.ladder.map(short).join(' → ')} (no saving found)`
      : r.ladder.map(short).join(' → ');
    lines.push(
      `| ${split} | ${ladder} | ${pct(r.quality_ratio)} | ${fx(r.cost_ratio)} | ${pct(r.escalation_rate)} | ${pct(b.always_cheapest.quality_ratio)} / ${fx(b.always_cheapest.cost_ratio)} | ${pct(b.random_same_rate.quality_ratio)} / ${fx(b.random_same_rate.cost_ratio)} | ${fx(b.random_same_quality.cost_ratio)} | ${fx(b.oracle.cost_ratio)} |`,
    );
  }
  const n = rows.length;
  lines.push(
    `| **mean** | | **${pct(q / n)}** | **${fx(c / n)}** | | | ${pct(rq / n)} / ${fx(rc / n)} | ${fx(sq / n)} | ${fx(oc / n)} |`,
  );
  lines.push(
    '',
    `"Random, same quality" is the cheapest blind escalation reaching the cascade's quality on the same questions: ask one drafter, escalate a random share to the strongest model. The cascade's mean cost over its mean cost: **${fx(c / sq)}**.`,
  );
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
  const evaluateAll = async (data: string, variant: 'signal' | 'no-signal') => {
    const rows: { split: string; result: SplitResult }[] = [];
    for (const chain of CHAINS) {
      for (const bench of BENCHMARKS) {
        const split = `${chain} ${bench}`;
        const result = await evaluate({
          dataset: join(data, `${bench}_${chain}_test.jsonl`),
          calibrateFile: join(data, `${bench}_${chain}_train.jsonl`),
          target,
          confidence,
          title: `${bench} / ${chain}${variant === 'no-signal' ? ', no signal' : ''}: cost vs quality (test split)`,
          signal,
        });
        writeFileSync(
          join(values.out, `${bench}_${chain}${variant === 'no-signal' ? '_nosignal' : ''}.svg`),
          result.chart,
        );
        rows.push({ split, result });
        out.write(
          `${variant} ${split}: quality ${pct(result.report.quality_ratio)}, cost ${fx(result.report.cost_ratio)}\n`,
        );
      }
    }
    return rows;
  };
  const rows = await evaluateAll(values.data, 'signal');
  const noSignalDir = mkdtempSync(join(tmpdir(), 'cf-nosignal-'));
  let noSignalRows: { split: string; result: SplitResult }[];
  try {
    await writeNoSignalDataset(values.data, noSignalDir, { signal });
    noSignalRows = await evaluateAll(noSignalDir, 'no-signal');
  } finally {
    rmSync(noSignalDir, { recursive: true, force: true });
  }
  const table = `${tableMarkdown(rows, target, confidence, 'signal')}\n\n${tableMarkdown(noSignalRows, target, confidence, 'no-signal')}\n\n${CITATION}`;
  const charts = rows.flatMap(({ split }) => {
    const [chain, bench] = split.split(' ');
    return [`![${split}](${bench}_${chain}.svg)`, `![${split}, no signal](${bench}_${chain}_nosignal.svg)`];
  });
  writeFileSync(
    join(values.out, 'RESULTS.md'),
    `# Eval results\n\nRegenerate with \`pnpm cascadeflow eval-table\`.\n\n${table}\n\n## Charts\n\n${charts.join('\n')}\n`,
  );
  const json = [
    ...rows.map((r) => Object.assign({}, r, { variant: 'signal' })),
    ...noSignalRows.map((r) => Object.assign({}, r, { variant: 'no-signal' })),
  ].map(({ split, result, variant }) => ({
    split,
    variant,
    ...result.report,
    // The text models' weights are thousands of numbers a split: the results keep their size only.
    calibration: Object.assign({}, result.calibration, {
      textModels: Object.fromEntries(
        Object.entries(result.calibration.textModels).map(([m, t]) => [
          m,
          { weights: Object.keys(t.weights).length },
        ]),
      ),
    }),
  }));
  writeFileSync(join(values.out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (values.readme) {
    const readme = readFileSync(values.readme, 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    if (a === -1 || b === -1) throw new Error(`--readme: ${values.readme} has no ${START} … ${END} section`);
    writeFileSync(values.readme, `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`);
  }
  for (const [variant, rs] of [
    ['signal', rows],
    ['no-signal', noSignalRows],
  ] as const) {
    const mean = (f: (r: SplitResult) => number) => rs.reduce((s, r) => s + f(r.result), 0) / rs.length;
    out.write(
      `${variant} mean: quality ${pct(mean((r) => r.report.quality_ratio))}, cost ${fx(mean((r) => r.report.cost_ratio))}\n`,
    );
  }
}

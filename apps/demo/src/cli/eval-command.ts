import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { saveCalibrationFile } from '@cascadeflow/eval';
import { listArg, numberArg } from './args.js';
import { evaluate } from './evaluate.js';

export const EVAL_HELP = `cascadeflow eval: replay recorded answers through the real cascade engine

  --dataset <test.jsonl[.gz]>     questions to evaluate on (required)
  --calibrate <train.jsonl[.gz]>  questions to calibrate thresholds on (required)
  --ladder <model,model,...>      models cheapest first (default: the dataset's order)
  --target <quality>              quality to keep, share of the strongest model (default 0.95)
  --confidence <p>                bootstrap confidence that the target holds (default 0.9)
  --chart <file.svg>              where to write the cost/quality chart (default: none)
  --save-calibration <file.json>  write the calibration file (the gateway's "calibration" loads it)
  --json                          print one JSON object to stdout`;

export async function evalCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      calibrate: { type: 'string' },
      ladder: { type: 'string' },
      target: { type: 'string' },
      confidence: { type: 'string' },
      chart: { type: 'string' },
      'save-calibration': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${EVAL_HELP}\n`);
    return;
  }
  if (!values.dataset)
    throw new Error('--dataset is required (a .jsonl or .jsonl.gz file of recorded answers)');
  if (!values.calibrate)
    throw new Error('--calibrate is required (the training split to choose thresholds on)');
  const target = numberArg('target', values.target, 0.95);
  const result = await evaluate({
    dataset: values.dataset,
    calibrateFile: values.calibrate,
    ladder: listArg(values.ladder),
    target,
    confidence: numberArg('confidence', values.confidence, 0.9),
    signal,
  });
  if (values.chart) writeFileSync(values.chart, result.chart);
  if (values['save-calibration'])
    await saveCalibrationFile(values['save-calibration'], result.calibration, {
      records: result.calibration.train.n,
      labelledBy: 'dataset',
      note: values.calibrate,
    });
  const r = result.report;
  if (values.json) {
    out.write(`${JSON.stringify(Object.assign({}, r, { calibration: result.calibration }))}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `questions:   ${r.n}`,
    `ladder:      ${r.ladder.join(' → ')}  (thresholds ${r.thresholds.map((t) => t.toFixed(3)).join(', ') || 'none'})`,
    `quality:     ${pct(r.quality_ratio)} of ${r.ladder.at(-1)} (accuracy ${pct(r.accuracy)} vs ${pct(r.strongest_accuracy)})`,
    `cost:        ${r.cost_ratio.toFixed(3)} of always ${r.ladder.at(-1)}`,
    `escalated:   ${pct(r.escalation_rate)} past the first tier; per tier ${Object.entries(
      r.escalation_rate_per_tier,
    )
      .map(([m, x]) => `${m} ${pct(x)}`)
      .join(', ')}`,
    'baselines:',
    `  always ${r.baselines.always_cheapest.model}: quality ${pct(r.baselines.always_cheapest.quality_ratio)}, cost ${r.baselines.always_cheapest.cost_ratio.toFixed(3)}`,
    `  always ${r.baselines.always_strongest.model}: quality 100.0%, cost 1.000`,
    `  random escalation, same rate: quality ${pct(r.baselines.random_same_rate.quality_ratio)}, cost ${r.baselines.random_same_rate.cost_ratio.toFixed(3)}`,
    `  random escalation, same quality: cost ${r.baselines.random_same_quality.cost_ratio.toFixed(3)}`,
    `  oracle at the same quality: cost ${r.baselines.oracle.cost_ratio.toFixed(3)}`,
    ...(r.no_saving ? [`no saving:   ${r.no_saving}`] : []),
  ];
  if (values.chart) lines.push(`chart:       ${values.chart}`);
  out.write(`${lines.join('\n')}\n`);
}

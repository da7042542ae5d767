import {
  type Calibration,
  type ChartPoint,
  calibrate,
  costQualityChart,
  type EvalReport,
  loadRecords,
  type RecordedQuestion,
  runEval,
  sweep,
} from '@cascadeflow/eval';

/** One evaluation: calibrate on train, run the engine on test, draw the chart. */
export interface SplitResult {
  report: EvalReport;
  calibration: Calibration;
  chart: string;
  ladder: string[];
}

export interface EvaluateArgs {
  dataset: string;
  calibrateFile: string;
  ladder?: string[];
  target: number;
  confidence: number;
  title?: string;
  signal?: AbortSignal;
}

function defaultLadder(records: readonly RecordedQuestion[]): string[] {
  return Object.keys(records[0]!.models);
}

export async function evaluate(args: EvaluateArgs): Promise<SplitResult> {
  const train = await loadRecords(args.calibrateFile, { signal: args.signal });
  const test = await loadRecords(args.dataset, { signal: args.signal });
  const ladder = args.ladder ?? defaultLadder(train);
  const calibration = calibrate(train, {
    ladder,
    targetQuality: args.target,
    confidence: args.confidence,
    source: args.calibrateFile,
  });
  const report = await runEval(test, calibration, {
    fullLadder: ladder,
    source: args.dataset,
    signal: args.signal,
  });
  const curve = sweep(train, test, calibration);
  const b = report.baselines;
  const baselines: ChartPoint[] = [
    { label: `always ${b.always_cheapest.model}`, ...b.always_cheapest },
    { label: `always ${b.always_strongest.model}`, ...b.always_strongest },
    { label: 'random, same rate', ...b.random_same_rate },
    { label: 'random, same quality', ...b.random_same_quality },
    { label: 'oracle, same quality', ...b.oracle },
  ];
  const chart = costQualityChart({
    title: args.title ?? `${args.dataset.split('/').pop()}: cost vs quality`,
    curve,
    cascade: {
      label: `CascadeFlow (target ${args.target})`,
      quality_ratio: report.quality_ratio,
      cost_ratio: report.cost_ratio,
    },
    baselines,
    target: args.target,
  });
  return { report, calibration, chart, ladder };
}

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  calibrate,
  GRADE_PROMPT,
  type Judge,
  labelRecords,
  loadFeedback,
  loadLiveRecords,
  modelJudge,
  referenceJudge,
  saveCalibrationFile,
} from '@cascadeflow/eval';
import { loadConfig } from '../config.js';
import { liveProviders } from '../engine.js';
import { listArg, numberArg } from './args.js';

export const CALIBRATE_HELP = `cascadeflow calibrate: calibrate the live cascade on recorded traffic

  --records <file.jsonl>     live records written by the gateway's recording (required)
  --out <file.json>          the calibration file to write (default .cascadeflow/calibration.json); a
                             gateway with "calibration" set to it reloads it when it changes
  --ladder <model,...>       models cheapest first (default: the records' models, in order)
  --target <quality>         quality to keep, share of the strongest model's answers (default 0.95)
  --confidence <p>           bootstrap confidence for quality and cost (default 0.9)
  --feedback <file.jsonl>    users' thumbs up/down (default .cascadeflow/feedback.jsonl when present)
  --judge reference|model:<name>
                             how answers are labelled: "reference" (right when the same as the strongest
                             model's answer, no calls; default), or a judge model on the live provider that
                             grades every answer, the strongest model's too (GRADE_PROMPT)
  --config <file>            the gateway config, for the judge model's provider (default cascadeflow.config.json)
  --json                     print one JSON object to stdout`;

function judgeOf(spec: string, configFile: string): Judge & { grades: boolean } {
  if (spec === 'reference') return Object.assign({}, referenceJudge(), { grades: false });
  const model = /^model:(.+)$/.exec(spec)?.[1];
  if (!model) throw new Error(`--judge: "${spec}" is neither "reference" nor "model:<name>"`);
  const live = liveProviders(loadConfig(configFile));
  if (!live)
    throw new Error(
      '--judge model:… needs a live provider: set OPENAI_API_KEY, ANTHROPIC_API_KEY or live.baseURL in the config',
    );
  const [provider] = Object.values(live.providers);
  return Object.assign({}, modelJudge({ provider: provider!, model, prompt: GRADE_PROMPT }), {
    grades: true,
  });
}

export async function calibrateCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  signal: AbortSignal,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      out: { type: 'string', default: '.cascadeflow/calibration.json' },
      ladder: { type: 'string' },
      target: { type: 'string' },
      confidence: { type: 'string' },
      feedback: { type: 'string' },
      judge: { type: 'string', default: 'reference' },
      config: { type: 'string', default: 'cascadeflow.config.json' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CALIBRATE_HELP}\n`);
    return;
  }
  if (!values.records)
    throw new Error('--records is required (the gateway writes them with "recording" set)');
  const live = await loadLiveRecords(values.records);
  const feedbackFile =
    values.feedback ??
    (existsSync('.cascadeflow/feedback.jsonl') ? '.cascadeflow/feedback.jsonl' : undefined);
  if (values.feedback && !existsSync(values.feedback))
    throw new Error(`--feedback: no file at ${values.feedback}`);
  const feedback = feedbackFile ? await loadFeedback(feedbackFile) : new Map<string, 'up' | 'down'>();
  const judge = judgeOf(values.judge, values.config);
  const ladder = listArg(values.ladder) ?? Object.keys(live[0]!.models);
  const { records, summary } = await labelRecords(live, {
    judge,
    feedback,
    judgeReference: judge.grades,
    signal,
  });
  const calibration = calibrate(records, {
    ladder,
    targetQuality: numberArg('target', values.target, 0.95),
    confidence: numberArg('confidence', values.confidence, 0.9),
    source: values.records,
  });
  const file = await saveCalibrationFile(values.out, calibration, {
    records: records.length,
    labelledBy: judge.name,
    fromFeedback: summary.fromFeedback,
    note: values.records,
  });
  if (values.json) {
    out.write(`${JSON.stringify({ file: values.out, labels: summary, ...file })}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const t = calibration.train;
  out.write(
    [
      `records:     ${records.length} (${summary.matched} answers the same as the strongest, ${summary.judged} judged by ${judge.name}, ${summary.fromFeedback} from users' feedback)`,
      `ladder:      ${calibration.ladder.join(' → ')}  (thresholds ${calibration.thresholds.map((x) => x.toFixed(3)).join(', ') || 'none'})`,
      `expected:    quality ${pct(t.quality)} (≥ ${pct(t.qualityLowerBound)} with ${pct(calibration.confidence)} confidence), cost ${t.costRatio.toFixed(3)} of always ${calibration.ladder.at(-1)} (≤ ${t.costUpperBound.toFixed(3)})`,
      ...(calibration.noSaving ? [`no saving:   ${calibration.noSaving}`] : []),
      `written:     ${values.out}`,
    ].join('\n') + '\n',
  );
}

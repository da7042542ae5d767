import { CascadeFlowError } from '@cascadeflow/core';

/** How a record's confidence was obtained (see the rational-cascades dataset README). */
export type ConfidenceSignal = 'ModelIntrinsicLogProb' | 'AskModelConfidence';

/** One model's recorded answer to one question. */
export interface RecordedAnswer {
  answer: string;
  correct: boolean;
  /** A log-probability: of the answer token, or of "Y" in a self-check. Null when there is no signal. */
  rawConf: number | null;
  /** Cost in USD; for `AskModelConfidence` it includes the self-check call. */
  costUsd: number;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
}

/** One question with every model's recorded answer, in the format of the rational-cascades dataset. */
export interface RecordedQuestion {
  benchmark: string;
  split: string;
  chain: string;
  idx: number;
  signal: ConfidenceSignal;
  systemPrompt: string;
  userPrompt: string;
  gold: string | null;
  /** Answers by model name, in the order the file lists them (cheapest first in the dataset). */
  models: Record<string, RecordedAnswer>;
}

/**
 * A dataset file could not be read: names the file, the line and the field.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof DatasetError) console.error(`${e.file}:${e.line} ${e.field}`); }
 * ```
 */
export class DatasetError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.eval.DatasetError';
  readonly file: string;
  readonly line: number | null;
  readonly field: string | null;
  constructor(file: string, line: number | null, field: string | null, problem: string) {
    const where = line === null ? file : `${file}:${line}`;
    super('invalid_dataset', `${where}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'DatasetError';
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

function need(cond: unknown, file: string, line: number, field: string, problem: string): asserts cond {
  if (!cond) throw new DatasetError(file, line, field, problem);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Validates one parsed JSONL line into a {@link RecordedQuestion}. */
export function toRecord(raw: unknown, file: string, line: number): RecordedQuestion {
  need(
    typeof raw === 'object' && raw !== null && !Array.isArray(raw),
    file,
    line,
    '(line)',
    'is not a JSON object',
  );
  const r = raw as Record<string, unknown>;
  for (const f of ['benchmark', 'split', 'chain', 'system_prompt', 'user_prompt']) {
    need(typeof r[f] === 'string', file, line, f, 'missing or not a string');
  }
  need(Number.isInteger(r.idx), file, line, 'idx', 'missing or not an integer');
  need(
    r.conf_signal_type === 'ModelIntrinsicLogProb' || r.conf_signal_type === 'AskModelConfidence',
    file,
    line,
    'conf_signal_type',
    'must be "ModelIntrinsicLogProb" or "AskModelConfidence"',
  );
  need(typeof r.models === 'object' && r.models !== null, file, line, 'models', 'missing or not an object');
  const models: Record<string, RecordedAnswer> = {};
  for (const [name, value] of Object.entries(r.models as Record<string, unknown>)) {
    const m = value as Record<string, unknown>;
    const at = `models.${name}`;
    need(typeof m === 'object' && m !== null, file, line, at, 'not an object');
    need(typeof m.answer === 'string', file, line, `${at}.answer`, 'missing or not a string');
    need(typeof m.correct === 'boolean', file, line, `${at}.correct`, 'missing or not a boolean');
    need(m.raw_conf === null || isNum(m.raw_conf), file, line, `${at}.raw_conf`, 'must be a number or null');
    need(isNum(m.cost_usd) && m.cost_usd >= 0, file, line, `${at}.cost_usd`, 'missing or not a number ≥ 0');
    models[name] = {
      answer: m.answer as string,
      correct: m.correct as boolean,
      rawConf: (m.raw_conf as number | null) ?? null,
      costUsd: m.cost_usd as number,
      tokensIn: isNum(m.tokens_in) ? m.tokens_in : 0,
      tokensOut: isNum(m.tokens_out) ? m.tokens_out : 0,
      latencyMs: isNum(m.latency_ms) ? m.latency_ms : 0,
    };
  }
  need(Object.keys(models).length > 0, file, line, 'models', 'is empty');
  return {
    benchmark: r.benchmark as string,
    split: r.split as string,
    chain: r.chain as string,
    idx: r.idx as number,
    signal: r.conf_signal_type as ConfidenceSignal,
    systemPrompt: r.system_prompt as string,
    userPrompt: r.user_prompt as string,
    gold: typeof r.gold === 'string' ? r.gold : null,
    models,
  };
}

/** Checks that every record has an answer from every model of `ladder`. */
export function checkLadder(
  records: readonly RecordedQuestion[],
  ladder: readonly string[],
  file: string,
): void {
  if (ladder.length === 0) throw new DatasetError(file, null, 'ladder', 'is empty; name at least one model');
  const first = records[0];
  for (const model of ladder) {
    if (first && !(model in first.models)) {
      throw new DatasetError(
        file,
        null,
        'ladder',
        `model "${model}" is not in the dataset (it has: ${Object.keys(first.models).join(', ')})`,
      );
    }
  }
  records.forEach((r, i) => {
    for (const model of ladder) {
      if (!(model in r.models))
        throw new DatasetError(
          file,
          i + 1,
          `models.${model}`,
          'missing: every question needs an answer from every ladder model',
        );
    }
  });
}

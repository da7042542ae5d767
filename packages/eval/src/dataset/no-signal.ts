import { createWriteStream, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { readRecords } from './read.js';
import type { RecordedQuestion } from './records.js';

/**
 * The same records with every confidence removed (`rawConf: null`), as most real traffic is: Anthropic's API
 * returns no log-probs, many OpenAI-compatible servers none, and recorded traffic often has only the
 * questions, the answers and whether they were right.
 *
 * @example
 * ```ts
 * const cal = calibrate(withoutSignal(train), { ladder, targetQuality: 0.95 }); // judges the text alone
 * ```
 */
export function withoutSignal(records: readonly RecordedQuestion[]): RecordedQuestion[] {
  return records.map(stripSignal);
}

function stripSignal(r: RecordedQuestion): RecordedQuestion {
  return Object.assign({}, r, {
    models: Object.fromEntries(
      Object.entries(r.models).map(([m, a]) => [m, Object.assign({}, a, { rawConf: null })]),
    ),
  });
}

function toLine(r: RecordedQuestion): string {
  return JSON.stringify({
    benchmark: r.benchmark,
    split: r.split,
    chain: r.chain,
    idx: r.idx,
    conf_signal_type: r.signal,
    system_prompt: r.systemPrompt,
    user_prompt: r.userPrompt,
    gold: r.gold,
    models: Object.fromEntries(
      Object.entries(r.models).map(([m, a]) => [
        m,
        {
          answer: a.answer,
          correct: a.correct,
          raw_conf: a.rawConf,
          cost_usd: a.costUsd,
          tokens_in: a.tokensIn,
          tokens_out: a.tokensOut,
          latency_ms: a.latencyMs,
        },
      ]),
    ),
  });
}

/**
 * Writes records to a `.jsonl` (or, by its name, `.jsonl.gz`) file in the dataset format.
 *
 * @example
 * ```ts
 * await writeRecords('subset.jsonl.gz', records.slice(0, 100));
 * ```
 */
export async function writeRecords(
  file: string,
  records: Iterable<RecordedQuestion> | AsyncIterable<RecordedQuestion>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  async function* lines() {
    for await (const r of records) yield `${toLine(r)}\n`;
  }
  const out = createWriteStream(file);
  if (file.endsWith('.gz')) await pipeline(lines(), createGzip(), out, { signal: options.signal });
  else await pipeline(lines(), out, { signal: options.signal });
}

/**
 * Writes a no-signal variant of a dataset directory: every `.jsonl` / `.jsonl.gz` file of `from` is copied to
 * `to` with each `raw_conf` set to null. Returns the files written.
 *
 * @example
 * ```ts
 * await writeNoSignalDataset('../shared/datasets/rational-cascades', '/tmp/rational-cascades-nosignal');
 * ```
 */
export async function writeNoSignalDataset(
  from: string,
  to: string,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  mkdirSync(to, { recursive: true });
  const files = readdirSync(from).filter((f) => f.endsWith('.jsonl') || f.endsWith('.jsonl.gz'));
  const written: string[] = [];
  for (const f of files) {
    const target = join(to, basename(f));
    async function* stripped() {
      for await (const r of readRecords(join(from, f), options)) yield stripSignal(r);
    }
    await writeRecords(target, stripped(), options);
    written.push(target);
  }
  return written;
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { CascadeAbortedError } from '@cascadeflow/core';
import { DatasetError, type RecordedQuestion, toRecord } from './records.js';

/** Options of {@link jsonLines}. */
export interface JsonLinesOptions {
  signal?: AbortSignal;
  /**
   * A last line that is not JSON (a write cut short by a crash) is skipped and reported here instead of
   * failing the file. Without it, any line that is not JSON throws.
   */
  onTruncated?: (line: number) => void;
}

/**
 * The parsed JSON lines of a `.jsonl` or `.jsonl.gz` file, with their line numbers, in bounded memory. Every
 * failure is a {@link DatasetError} naming the file and the line.
 */
export async function* jsonLines(
  file: string,
  options: JsonLinesOptions = {},
): AsyncGenerator<{ line: number; raw: unknown }> {
  const stream = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) =>
      reject(new DatasetError(file, null, null, `cannot open: ${(e as Error).message}`)),
    );
  });
  await opened;
  const source = file.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
  const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let broken: DatasetError | null = null;
  try {
    for await (const text of lines) {
      n++;
      if (options.signal?.aborted) throw new CascadeAbortedError(options.signal.reason);
      if (text.trim() === '') continue;
      if (broken) throw broken;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        broken = new DatasetError(file, n, null, `not valid JSON (${(e as Error).message})`);
        if (!options.onTruncated) throw broken;
        continue;
      }
      yield { line: n, raw };
    }
  } catch (e) {
    if (e instanceof DatasetError || e instanceof CascadeAbortedError) throw e;
    throw new DatasetError(file, n || null, null, `cannot read: ${(e as Error).message}`);
  } finally {
    lines.close();
    stream.destroy();
  }
  if (broken) options.onTruncated?.(broken.line!);
}

/**
 * Streams the records of a `.jsonl` or `.jsonl.gz` file, one validated record at a time, in bounded memory.
 * A malformed line throws a {@link DatasetError} naming the file, the line number and the field.
 *
 * @example
 * ```ts
 * for await (const q of readRecords('mmlu_llama_test.jsonl.gz')) console.log(q.idx, Object.keys(q.models));
 * ```
 */
export async function* readRecords(
  file: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<RecordedQuestion> {
  for await (const { line, raw } of jsonLines(file, options)) yield toRecord(raw, file, line);
}

/**
 * Reads a whole dataset file into memory.
 *
 * @example
 * ```ts
 * const train = await loadRecords('../shared/datasets/rational-cascades/mmlu_llama_train.jsonl');
 * ```
 */
export async function loadRecords(
  file: string,
  options: { signal?: AbortSignal } = {},
): Promise<RecordedQuestion[]> {
  const out: RecordedQuestion[] = [];
  for await (const r of readRecords(file, options)) out.push(r);
  if (out.length === 0) throw new DatasetError(file, null, null, 'has no records');
  return out;
}

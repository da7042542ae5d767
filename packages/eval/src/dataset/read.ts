import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { CascadeAbortedError } from '@cascadeflow/core';
import { DatasetError, type RecordedQuestion, toRecord } from './records.js';

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
  try {
    for await (const line of lines) {
      n++;
      if (options.signal?.aborted) throw new CascadeAbortedError(options.signal.reason);
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (e) {
        throw new DatasetError(file, n, null, `not valid JSON (${(e as Error).message})`);
      }
      yield toRecord(raw, file, n);
    }
  } catch (e) {
    if (e instanceof DatasetError || e instanceof CascadeAbortedError) throw e;
    throw new DatasetError(file, n || null, null, `cannot read: ${(e as Error).message}`);
  } finally {
    lines.close();
    stream.destroy();
  }
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

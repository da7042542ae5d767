import { jsonLines } from '../dataset/read.js';
import { DatasetError } from '../dataset/records.js';
import { type LiveRecord, toLiveRecord } from './live-record.js';

/**
 * Reads a recording written by `recordingPlugin` (with `jsonlRecordSink`); a bad line throws a
 * `DatasetError` naming the file, the line and the field, except a last line cut short by a crash mid-write,
 * which is skipped (and reported to `onTruncated`): the records before it are kept.
 *
 * @example
 * ```ts
 * const live = await loadLiveRecords('.cascadeflow/records.jsonl');
 * ```
 */
export async function loadLiveRecords(
  file: string,
  options: { onTruncated?: (line: number) => void } = {},
): Promise<LiveRecord[]> {
  const out: LiveRecord[] = [];
  for await (const { line, raw } of jsonLines(file, { onTruncated: options.onTruncated ?? (() => {}) }))
    out.push(toLiveRecord(raw, file, line));
  if (out.length === 0) throw new DatasetError(file, null, null, 'has no records yet');
  return out;
}

/**
 * Reads users' feedback (JSONL of `{ "response_id", "rating": "up" | "down" }`, as the gateway's
 * `POST /v1/feedback` writes it); the last rating of a response wins. Response ids are the records' ids
 * (the recording plugin's `idOf`). A missing file is no feedback.
 *
 * @example
 * ```ts
 * const feedback = await loadFeedback('.cascadeflow/feedback.jsonl');
 * ```
 */
export async function loadFeedback(file: string): Promise<Map<string, 'up' | 'down'>> {
  const out = new Map<string, 'up' | 'down'>();
  try {
    for await (const { line, raw } of jsonLines(file)) {
      const r = raw as { response_id?: unknown; rating?: unknown };
      if (typeof r.response_id !== 'string')
        throw new DatasetError(file, line, 'response_id', 'missing or not a string');
      if (r.rating !== 'up' && r.rating !== 'down')
        throw new DatasetError(file, line, 'rating', 'must be "up" or "down"');
      out.set(r.response_id, r.rating);
    }
  } catch (e) {
    if (e instanceof DatasetError && e.line === null && /cannot open/.test(e.message)) return out;
    throw e;
  }
  return out;
}

import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LiveRecord } from './live-record.js';

/** Where the recording plugin puts its records. */
export interface RecordSink {
  append(record: LiveRecord): Promise<void>;
}

/**
 * Appends records to a JSONL file, one line each, in order (writes are serialised, so lines never
 * interleave). The directory is created when missing.
 *
 * @example
 * ```ts
 * const sink = jsonlRecordSink('.cascadeflow/records.jsonl');
 * ```
 */
export function jsonlRecordSink(file: string): RecordSink {
  let chain: Promise<void> = mkdir(dirname(file), { recursive: true }).then(() => undefined);
  return {
    append(record) {
      const line = `${JSON.stringify(record)}\n`;
      const write = chain.then(() => appendFile(file, line));
      chain = write.catch(() => undefined);
      return write;
    },
  };
}

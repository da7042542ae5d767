import { createReadStream, createWriteStream, existsSync, readFileSync, truncateSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CascadeAgent } from '@cascadeflow/core';
import { type BatchConfig, resolveConfig } from './config.js';
import { type BatchInput, type BatchItemOutcome, InvalidLine } from './items.js';
import { type BatchProgress, progressOf } from './progress.js';
import { runConcurrent } from './strategies/concurrent.js';

/** Totals of a file batch (results are in the output file, not in memory). */
export interface FileBatchSummary {
  successCount: number;
  failureCount: number;
  totalCost: number;
  totalTime: number;
  /** Items found already done in the output file and skipped (a resumed run). */
  resumed: number;
}

/** What one output line holds. */
interface OutputLine {
  index: number;
  id: string;
  ok: boolean;
  content?: string;
  model?: string;
  cost?: number | null;
  error?: { code: string; message: string };
}

function lineOf(o: BatchItemOutcome): string {
  const out: OutputLine = o.ok
    ? {
        index: o.index,
        id: o.id,
        ok: true,
        content: o.result!.content,
        model: o.result!.model,
        cost: o.result!.totalCost,
      }
    : { index: o.index, id: o.id, ok: false, error: o.error! };
  return `${JSON.stringify(out)}\n`;
}

/**
 * One input line: JSON (a query string or a request object), or plain text when it does not look like JSON.
 * A line that starts like JSON but does not parse, `null`, a number or a boolean is an error for that item
 * alone, never sent to a model as text.
 */
function parseLine(line: string): BatchInput | InvalidLine {
  try {
    return JSON.parse(line) as BatchInput;
  } catch (e) {
    if (!/^\s*[[{"]/.test(line)) return line; // a plain text question
    return new InvalidLine(`invalid JSON (${(e as Error).message}); fix the line or write it as plain text`);
  }
}

/** Indices already written, after cutting a torn last line. */
function resumeFrom(path: string): Set<number> {
  const done = new Set<number>();
  if (!existsSync(path)) return done;
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(path, end); // a crash mid-line: that item runs again
  for (const line of text.slice(0, end).split('\n')) {
    if (!line) continue;
    done.add((JSON.parse(line) as OutputLine).index);
  }
  return done;
}

/**
 * Runs a JSONL file of queries (one string or request object a line) through the concurrent strategy and
 * writes one result line per item as it finishes. Input and output are streamed: memory stays bounded
 * whatever the file size. The output file is the checkpoint: run again with the same paths to resume
 * (items already written are skipped; only items in flight when the process died run again).
 *
 * @example
 * ```ts
 * await runBatchFile(agent, 'in.jsonl', 'out.jsonl', { maxParallel: 32 }, (p) => bar.update(p.done));
 * ```
 */
export async function runBatchFile(
  agent: CascadeAgent,
  inPath: string,
  outPath: string,
  config: BatchConfig = {},
  onProgress?: (p: BatchProgress) => void,
): Promise<FileBatchSummary> {
  const c = resolveConfig(Object.assign({}, config, { preserveOrder: false }));
  const started = Date.now();
  const done = resumeFrom(outPath);
  const out = createWriteStream(outPath, { flags: 'a' });
  let ok = 0;
  let failed = 0;
  let cost = 0;
  let lineNo = 0;
  async function* inputs(): AsyncGenerator<BatchInput> {
    const lines = createInterface({ input: createReadStream(inPath), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      lineNo++;
      if (done.has(lineNo - 1)) {
        yield '';
        continue;
      }
      yield parseLine(line) as BatchInput;
    }
  }
  await runConcurrent(
    agent,
    inputs(),
    c,
    {
      outcome(o) {
        // Items cut off by the batch ending (abort, total timeout, stop on error) are not done: no line, so
        // that a resumed run picks them up.
        if (o.pending) return;
        out.write(lineOf(o));
        if (o.ok) {
          ok++;
          cost += o.result?.totalCost ?? 0;
        } else failed++;
        onProgress?.(progressOf(ok, failed, null, cost, started));
      },
    },
    (i) => done.has(i),
    (i) => `line ${i + 1}`,
  );
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return {
    successCount: ok,
    failureCount: failed,
    totalCost: cost,
    totalTime: (Date.now() - started) / 1000,
    resumed: done.size,
  };
}

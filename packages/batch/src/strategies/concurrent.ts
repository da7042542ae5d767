import { setMaxListeners } from 'node:events';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import {
  CascadeAbortedError,
  type CascadeAgent,
  CascadeFlowError,
  type CascadeResult,
  InvalidConfigError,
  RequestRejectedError,
  type RunRequest,
} from '@cascadeflow/core';
import type { ResolvedBatchConfig } from '../config.js';
import { batchDeadline } from '../deadline.js';
import { type BatchInput, type BatchItemOutcome, normalizeItem } from '../items.js';
import { sleep } from '../sleep.js';

/** Callbacks of a concurrent run: each outcome as it is known. */
export interface ConcurrentSink {
  outcome(o: BatchItemOutcome): void;
}

function errorOf(e: unknown): { code: string; message: string } {
  if (CascadeFlowError.isInstance(e)) return { code: String(e.code), message: e.message };
  return { code: 'internal_error', message: e instanceof Error ? e.message : String(e) };
}

/** Why an item did not run to the end when the batch itself ended: total timeout, stop on error, or abort. */
function endedBy(reason: unknown): { code: string; message: string } {
  if (CascadeFlowError.isInstance(reason)) return { code: String(reason.code), message: reason.message };
  return {
    code: 'aborted',
    message: `The batch was aborted${reason instanceof Error ? `: ${reason.message}` : ''}.`,
  };
}

/** A rejection that asks to come back later (rate limit, concurrency): wait it out instead of failing. */
function retryAfter(e: unknown): number | null {
  if (!(e instanceof RequestRejectedError) || !e.retryable) return null;
  // A concurrency limit names no time: its slot frees when a run ends, soon.
  return e.retryAfterMs ?? 25;
}

/** Errors that the same request would meet again: not worth a retry. */
function isPermanent(e: unknown): boolean {
  return (
    (e instanceof RequestRejectedError && !e.retryable) ||
    e instanceof InvalidConfigError ||
    e instanceof CascadeAbortedError
  );
}

/** Outcomes already recorded in a checkpoint log (one JSON line per finished item; a torn last line is ignored). */
export function readConcurrentCheckpoint(path: string | undefined): Map<number, BatchItemOutcome> {
  const done = new Map<number, BatchItemOutcome>();
  if (!path || !existsSync(path)) return done;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as BatchItemOutcome;
      done.set(o.index, o);
    } catch {
      // the line a crash cut short: that item runs again
    }
  }
  return done;
}

/**
 * Runs items through `agent.run()` with at most `maxParallel` in flight, so that every plugin (profiles,
 * limits, guardrails) applies to every item. Per-item timeout, total timeout, one retry, rate limits waited
 * out, stop on error, checkpointing of every finished item.
 */
export async function runConcurrent(
  agent: CascadeAgent,
  items: AsyncIterable<BatchInput> | Iterable<BatchInput>,
  config: ResolvedBatchConfig,
  sink: ConcurrentSink,
  /** Items to pass over without running (done in an earlier run). */
  skip?: (index: number) => boolean,
  /** How errors name an item: "item 3" (default), "line 4" for a file. */
  labelOf: (index: number) => string = (i) => `item ${i}`,
): Promise<void> {
  const batch = new AbortController();
  // Every item in flight listens to the batch's signal: lift Node's 10-listener warning for it.
  setMaxListeners(0, batch.signal);
  // The total timeout and the caller's signal both end the batch (with their own reason).
  const deadline = batchDeadline(config.totalTimeout, config.signal);
  const onEnd = () => batch.abort(deadline.signal.reason);
  if (deadline.signal.aborted) onEnd();
  else deadline.signal.addEventListener('abort', onEnd, { once: true });
  const already = readConcurrentCheckpoint(config.checkpoint);
  // An item the batch's end cut off is pending: never checkpointed, so that a resume runs it.
  const record = (o: BatchItemOutcome) => {
    if (config.checkpoint && !o.pending) appendFileSync(config.checkpoint, `${JSON.stringify(o)}\n`);
    sink.outcome(o);
  };
  const cutOff = (index: number, id: string, runs: number): BatchItemOutcome => ({
    index,
    id,
    ok: false,
    result: null,
    error: endedBy(batch.signal.reason),
    runs,
    pending: true,
  });

  const runOne = async (index: number, input: BatchInput): Promise<void> => {
    const item = normalizeItem(input, labelOf(index), config.maxQueryChars);
    if ('error' in item) {
      record({ index, id: item.id, ok: false, result: null, error: item.error, runs: 0 });
      return;
    }
    let runs = 0;
    let retried = false;
    for (;;) {
      if (batch.signal.aborted) {
        record(cutOff(index, item.id, runs));
        return;
      }
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('timeout'));
      }, config.timeoutPerQuery);
      timer.unref?.();
      const forward = () => controller.abort(batch.signal.reason);
      batch.signal.addEventListener('abort', forward, { once: true });
      runs++;
      try {
        const request: RunRequest = Object.assign({}, item.request, {
          signal: controller.signal,
          batch: { index, id: item.id },
        });
        const result: CascadeResult = await agent.run(request);
        record({ index, id: item.id, ok: true, result, error: null, runs });
        return;
      } catch (e) {
        if (batch.signal.aborted && !timedOut) {
          record(cutOff(index, item.id, runs));
          return;
        }
        const wait = retryAfter(e);
        if (wait !== null) {
          try {
            await sleep(wait, batch.signal);
          } catch {
            // the batch ended while waiting; the loop records it
          }
          continue;
        }
        const error = timedOut
          ? {
              code: 'query_timeout',
              message: `item ${index}: no answer within timeoutPerQuery (${config.timeoutPerQuery} ms); the request was aborted`,
            }
          : errorOf(e);
        if (config.retryFailed && !retried && (timedOut || !isPermanent(e))) {
          retried = true;
          continue;
        }
        record({ index, id: item.id, ok: false, result: null, error, runs });
        if (config.stopOnError)
          batch.abort(
            new CascadeFlowError(
              'stopped_on_error',
              `The batch stopped after item ${index} failed (stopOnError): ${error.message}`,
            ),
          );
        return;
      } finally {
        clearTimeout(timer);
        batch.signal.removeEventListener('abort', forward);
      }
    }
  };

  const inFlight = new Set<Promise<void>>();
  let index = 0;
  try {
    for await (const input of items as AsyncIterable<BatchInput>) {
      const i = index++;
      if (skip?.(i)) continue;
      const known = already.get(i);
      if (known) {
        sink.outcome(known);
        continue;
      }
      if (batch.signal.aborted) {
        record(cutOff(i, String(i), 0));
        continue;
      }
      const p = runOne(i, input).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= config.maxParallel) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    deadline.clear();
    deadline.signal.removeEventListener('abort', onEnd);
  }
}

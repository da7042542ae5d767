import type { CascadeAgent, CascadeResult } from '@cascadeflow/core';
import { type Observable, Subject } from 'rxjs';
import { type BatchConfig, resolveConfig } from './config.js';
import type { BatchInput, BatchItemOutcome } from './items.js';
import { type BatchProgress, progressOf } from './progress.js';
import { runConcurrent } from './strategies/concurrent.js';
import { runNative, supportsNativeBatch } from './strategies/native.js';

/** The outcome of a batch: every item's outcome, in input order, and the totals. */
export interface BatchResult {
  /** Every item's outcome (input order, or completion order with `preserveOrder: false`). */
  items: BatchItemOutcome[];
  /** Per item: the result or null. */
  results: (CascadeResult | null)[];
  /** Per item: the error message or null. */
  errors: (string | null)[];
  successCount: number;
  failureCount: number;
  successRate: number;
  /** USD; null if any answered item's price is unknown. */
  totalCost: number | null;
  averageCost: number | null;
  /** Seconds. */
  totalTime: number;
  averageTime: number;
  strategyUsed: 'concurrent' | 'native';
  metadata: Record<string, unknown>;
}

/** A running batch: its progress as an Observable, and its result. */
export interface BatchRun {
  progress$: Observable<BatchProgress>;
  result: Promise<BatchResult>;
}

function summarize(
  items: BatchItemOutcome[],
  started: number,
  strategy: 'concurrent' | 'native',
  metadata: Record<string, unknown>,
): BatchResult {
  const successCount = items.filter((i) => i.ok).length;
  const failureCount = items.length - successCount;
  const costs = items.filter((i) => i.ok).map((i) => i.result!.totalCost);
  const totalCost = costs.some((c) => c === null) ? null : (costs as number[]).reduce((s, c) => s + c, 0);
  const totalTime = (Date.now() - started) / 1000;
  const n = Math.max(1, items.length);
  return {
    items,
    results: items.map((i) => i.result),
    errors: items.map((i) => i.error?.message ?? null),
    successCount,
    failureCount,
    successRate: items.length ? successCount / items.length : 0,
    totalCost,
    averageCost: totalCost === null ? null : totalCost / n,
    totalTime,
    averageTime: totalTime / n,
    strategyUsed: strategy,
    metadata,
  };
}

/**
 * Starts a batch and returns its progress (an Observable, for progress bars) and its result.
 *
 * @example
 * ```ts
 * const run = startBatch(agent, ['What is TCP?', 'What is UDP?'], { maxParallel: 8 });
 * run.progress$.subscribe((p) => bar.update(p.done + p.failed, p.total));
 * const result = await run.result;
 * ```
 */
export function startBatch(
  agent: CascadeAgent,
  inputs: readonly BatchInput[],
  config: BatchConfig = {},
): BatchRun {
  const c = resolveConfig(config);
  const progress = new Subject<BatchProgress>();
  const started = Date.now();
  const total = inputs.length;
  // `auto` takes the providers' batch APIs only when they can apply and the caller can wait for them: every
  // tier on OpenAI or Anthropic, no plugins (their per-request hooks would not run), and a total timeout of a day or more
  // (providers finish batches within 24 hours, often much sooner).
  const native =
    c.strategy === 'native' ||
    (c.strategy === 'auto' &&
      agent.plugins.length === 0 &&
      supportsNativeBatch(agent) &&
      c.totalTimeout >= 86_400_000);
  const strategy = native ? 'native' : 'concurrent';
  const result = (async () => {
    try {
      if (strategy === 'native') {
        let last: BatchProgress = progressOf(0, 0, total, 0, started);
        const outcomes = await runNative(agent, inputs, c, (p) => {
          last = Object.assign(
            {},
            progressOf(
              p.done ?? last.done,
              p.failed ?? last.failed,
              total,
              p.costSoFar ?? last.costSoFar,
              started,
            ),
            p.phase ? { phase: p.phase } : {},
          );
          progress.next(last);
        });
        return summarize(outcomes, started, 'native', c.metadata);
      }
      const outcomes: BatchItemOutcome[] = [];
      let done = 0;
      let failed = 0;
      let cost = 0;
      await runConcurrent(agent, inputs, c, {
        outcome(o) {
          outcomes.push(o);
          if (o.ok) {
            done++;
            cost += o.result?.totalCost ?? 0;
          } else failed++;
          progress.next(progressOf(done, failed, total, cost, started));
        },
      });
      if (c.preserveOrder) outcomes.sort((a, b) => a.index - b.index);
      return summarize(outcomes, started, 'concurrent', c.metadata);
    } finally {
      progress.complete();
    }
  })();
  result.catch(() => {}); // the caller awaits `result`; an unobserved rejection must not crash the process
  return { progress$: progress.asObservable(), result };
}

/**
 * Runs many queries through the cascade: bounded concurrency through `agent.run()` (every plugin applies),
 * or the providers' batch APIs tier by tier (`strategy: 'native'`, half price). A bad item fails alone.
 *
 * @example
 * ```ts
 * const r = await runBatch(agent, queries, { maxParallel: 16, timeoutPerQuery: 20_000, checkpoint: 'run.ckpt' });
 * console.log(r.successCount, r.failureCount, r.totalCost);
 * ```
 */
export function runBatch(
  agent: CascadeAgent,
  inputs: readonly BatchInput[],
  config: BatchConfig = {},
): Promise<BatchResult> {
  return startBatch(agent, inputs, config).result;
}

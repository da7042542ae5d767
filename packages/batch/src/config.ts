import { InvalidConfigError } from '@cascadeflow/core';
import { z } from 'zod';

/** How a batch runs: `concurrent` (every item through `agent.run()`), `native` (provider batch APIs), or `auto`. */
export type BatchStrategy = 'auto' | 'native' | 'concurrent';

/** Options of `runBatch`. */
export interface BatchConfig {
  /** Items per provider batch in the native strategy. Default 10,000 (well under OpenAI's 50,000 a file). */
  batchSize?: number;
  /** Items in flight at once in the concurrent strategy. Default 3. */
  maxParallel?: number;
  /** Per item, ms; aborts that request. Default 30,000. */
  timeoutPerQuery?: number;
  /** For the whole batch, ms; aborts what is left. Default: `timeoutPerQuery × batchSize`, at least 10 min. */
  totalTimeout?: number;
  /**
   * `concurrent`, `native`, or `auto` (default): native when every tier is on OpenAI, the agent has no
   * plugins, and `totalTimeout` allows a provider batch (24 h or more); concurrent otherwise.
   */
  strategy?: BatchStrategy;
  /** Stop (and abort what is in flight) at the first failed item. Default false. */
  stopOnError?: boolean;
  /** Retry a failed item once. Default true. Rate-limit refusals are waited out, not counted as the retry. */
  retryFailed?: boolean;
  /** Results in input order (default) or in completion order. */
  preserveOrder?: boolean;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
  /** A file where progress is checkpointed; a run given the same file resumes. */
  checkpoint?: string;
  /** Longest query, in characters. Default 100,000. */
  maxQueryChars?: number;
  /** Native strategy: first and longest wait between polls, ms. Defaults 500 and 30,000. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
}

export type ResolvedBatchConfig = Required<Omit<BatchConfig, 'signal' | 'checkpoint' | 'metadata'>> &
  Pick<BatchConfig, 'signal' | 'checkpoint'> & { metadata: Record<string, unknown> };

const schema = z.object({
  batchSize: z.number().int().min(1).max(50_000).optional(),
  maxParallel: z.number().int().min(1, 'must be at least 1').max(10_000).optional(),
  timeoutPerQuery: z.number().positive().optional(),
  totalTimeout: z.number().positive().optional(),
  strategy: z.enum(['auto', 'native', 'concurrent']).optional(),
  stopOnError: z.boolean().optional(),
  retryFailed: z.boolean().optional(),
  preserveOrder: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  checkpoint: z.string().min(1).optional(),
  maxQueryChars: z.number().int().positive().optional(),
  pollIntervalMs: z.number().positive().optional(),
  maxPollIntervalMs: z.number().positive().optional(),
});

export function resolveConfig(config: BatchConfig = {}): ResolvedBatchConfig {
  const { signal, ...rest } = config;
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidConfigError(
      ['config', ...(issue?.path ?? []).map(String)].join('.'),
      issue?.message ?? 'is invalid',
    );
  }
  const c = parsed.data;
  const timeoutPerQuery = c.timeoutPerQuery ?? 30_000;
  const batchSize = c.batchSize ?? 10_000;
  return {
    batchSize,
    maxParallel: c.maxParallel ?? 3,
    timeoutPerQuery,
    totalTimeout: c.totalTimeout ?? Math.max(600_000, timeoutPerQuery * Math.min(batchSize, 10)),
    strategy: c.strategy ?? 'auto',
    stopOnError: c.stopOnError ?? false,
    retryFailed: c.retryFailed ?? true,
    preserveOrder: c.preserveOrder ?? true,
    metadata: c.metadata ?? {},
    maxQueryChars: c.maxQueryChars ?? 100_000,
    pollIntervalMs: c.pollIntervalMs ?? 500,
    maxPollIntervalMs: c.maxPollIntervalMs ?? 30_000,
    ...(signal ? { signal } : {}),
    ...(c.checkpoint ? { checkpoint: c.checkpoint } : {}),
  };
}

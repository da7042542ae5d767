import {
  type AttemptRecord,
  type CascadeAgent,
  CascadeFlowError,
  type CascadeResult,
  type RunRequest,
  type TierInfo,
} from '@cascadeflow/core';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint.js';
import type { ResolvedBatchConfig } from '../config.js';
import { type BatchInput, type BatchItemOutcome, normalizeItem } from '../items.js';
import type { BatchProgress } from '../progress.js';
import { sleep } from '../sleep.js';
import { backendFor } from './backends.js';

/** What the native strategy checkpoints: every item's state and every provider batch it submitted. */
interface NativeState {
  strategy: 'native';
  total: number;
  items: {
    index: number;
    id: string;
    tier: number;
    status: 'pending' | 'done' | 'failed';
    startedAt: number;
    /** Decided attempts, as the agent's policy recorded them. */
    attempts: AttemptRecord[];
    error?: { code: string; message: string };
  }[];
  phases: {
    tier: number;
    chunk: number;
    batchId: string;
    indices: number[];
    collected: boolean;
    submittedAt: number;
  }[];
}

/**
 * True when every tier of the agent's ladder is on a provider with a batch API (OpenAI, Anthropic).
 *
 * @example
 * ```ts
 * if (supportsNativeBatch(agent)) await runBatch(agent, queries, { strategy: 'native' });
 * ```
 */
export function supportsNativeBatch(agent: CascadeAgent): boolean {
  return agent.ladder.every((t) => backendFor(agent.provider(t.provider)) !== null);
}

/**
 * The cascade through the providers' batch APIs, tier by tier (OpenAI Batch API: JSONL upload, batch
 * create, poll, output file; Anthropic Message Batches: requests, poll, JSONL results): every draft goes
 * out as one provider batch, the answers are judged with the agent's validators and
 * thresholds, and only the rejected items go to the next tier as the next batch. Costs use batch prices.
 * Every submitted batch id is checkpointed before it is polled, so a resumed run polls the same batch:
 * nothing is paid twice. Plugins' per-request hooks do not run here (no `agent.run()`): use the concurrent
 * strategy when limits or guardrails must apply to each item.
 */
export async function runNative(
  agent: CascadeAgent,
  inputs: readonly BatchInput[],
  config: ResolvedBatchConfig,
  onProgress: (p: Partial<BatchProgress> & { phase?: BatchProgress['phase'] }) => void,
): Promise<BatchItemOutcome[]> {
  const signal = config.signal ?? new AbortController().signal;
  const requests = inputs.map((input, index) => normalizeItem(input, index, config.maxQueryChars));
  const startedAt = Date.now();
  let state = config.checkpoint ? loadCheckpoint<NativeState>(config.checkpoint) : null;
  if (state && (state.strategy !== 'native' || state.total !== inputs.length)) {
    throw new CascadeFlowError(
      'checkpoint_mismatch',
      `The checkpoint ${config.checkpoint} is for another batch (${state.total} items, strategy ${state.strategy}); use a new checkpoint file.`,
    );
  }
  state ??= {
    strategy: 'native',
    total: inputs.length,
    items: requests.map((r, index) =>
      'error' in r
        ? { index, id: r.id, tier: 0, status: 'failed' as const, attempts: [], error: r.error, startedAt }
        : { index, id: r.id, tier: 0, status: 'pending' as const, attempts: [], startedAt },
    ),
    phases: [],
  };
  const save = () => config.checkpoint && saveCheckpoint(config.checkpoint, state);
  save();

  for (let tier = 0; tier < agent.ladder.length; tier++) {
    const t = agent.ladder[tier]!;
    const backend = backendFor(agent.provider(t.provider));
    if (!backend)
      throw new CascadeFlowError(
        'native_unsupported',
        `Tier ${t.name} is on a provider with no batch API CascadeFlow knows (OpenAI, Anthropic); use strategy 'concurrent'.`,
      );
    const pending = state.items.filter((i) => i.status === 'pending' && i.tier === tier).map((i) => i.index);
    for (
      let chunk = 0;
      chunk * config.batchSize < pending.length ||
      state.phases.some((p) => p.tier === tier && p.chunk === chunk && !p.collected);
      chunk++
    ) {
      let phase = state.phases.find((p) => p.tier === tier && p.chunk === chunk);
      if (phase?.collected) continue;
      if (!phase) {
        const indices = pending.slice(chunk * config.batchSize, (chunk + 1) * config.batchSize);
        if (indices.length === 0) break;
        const batchId = await backend.submit(
          t.model,
          t.maxTokens,
          indices.map((i) => ({ index: i, request: (requests[i] as { request: RunRequest }).request })),
          signal,
        );
        phase = { tier, chunk, batchId, indices, collected: false, submittedAt: Date.now() };
        state.phases.push(phase);
        save(); // before polling: a crash from here on resumes this batch instead of paying for a new one
      }
      // Poll with backoff until the provider finishes the batch.
      let wait = config.pollIntervalMs;
      let status = await backend.poll(phase.batchId, signal);
      while (!status.ended) {
        onProgress({ phase: { tier, model: t.model, batchId: phase.batchId, status: status.status } });
        await sleep(wait, signal);
        wait = Math.min(config.maxPollIntervalMs, wait * 1.5);
        status = await backend.poll(phase.batchId, signal);
      }
      const answers = await backend.results(phase.batchId, t.model, signal);
      const batch = { status: status.status };
      for (const i of phase.indices) {
        const item = state.items[i]!;
        const a = answers.get(i) ?? {
          error: `the provider batch ${phase.batchId} ended ${batch.status} without an answer`,
        };
        const last = tier === agent.ladder.length - 1;
        const latencyMs = Date.now() - phase.submittedAt;
        if (!a.response) {
          item.attempts.push({
            ...failedAttempt(t, `the provider batch answered: ${a.error}`),
            latencyMs,
          });
          if (last && item.attempts.some((x) => x.status === 'rejected')) {
            item.status = 'done'; // as run() does: the best rejected draft, marked degraded
          } else if (last) {
            item.status = 'failed';
            item.error = {
              code: 'all_tiers_failed',
              message: `item ${i}: every tier failed; last: ${a.error}`,
            };
          } else item.tier = tier + 1;
          continue;
        }
        const request = (requests[i] as { request: RunRequest }).request;
        // The same policy as run(): score, threshold, validators' own calls paid, batch prices.
        const attempt = await agent.judge({
          request,
          tierIndex: tier,
          response: a.response,
          previous: item.attempts,
          latencyMs,
          batch: true,
          signal,
        });
        item.attempts.push(attempt);
        if (attempt.status === 'accepted') item.status = 'done';
        else item.tier = tier + 1;
      }
      phase.collected = true;
      save();
      const done = state.items.filter((x) => x.status === 'done').length;
      const failed = state.items.filter((x) => x.status === 'failed').length;
      onProgress({
        done,
        failed,
        costSoFar: state.items.reduce((s, x) => s + x.attempts.reduce((c, a) => c + (a.cost ?? 0), 0), 0),
      });
    }
  }
  return state.items.map((item) => toOutcome(agent, item, requests[item.index]!));
}

function toOutcome(
  agent: CascadeAgent,
  item: NativeState['items'][number],
  req: ReturnType<typeof normalizeItem>,
): BatchItemOutcome {
  if (item.status !== 'done')
    return {
      index: item.index,
      id: item.id,
      ok: false,
      result: null,
      error: item.error ?? { code: 'incomplete', message: `item ${item.index} did not finish` },
      runs: item.attempts.length,
    };
  const request = 'request' in req ? req.request : { query: '' };
  const result: CascadeResult = agent.resultOf({
    request,
    attempts: item.attempts,
    runId: `batch_${item.index}`,
    startedAt: item.startedAt,
    batch: true,
  });
  return { index: item.index, id: item.id, ok: true, result, error: null, runs: item.attempts.length };
}

/** The record of a tier whose provider batch gave no answer for an item. */
function failedAttempt(tier: TierInfo, message: string): AttemptRecord {
  return {
    tier,
    model: tier.model,
    provider: tier.provider,
    status: 'failed',
    reason: `failed: ${message}`,
    score: null,
    reasons: [],
    checks: [],
    latencyMs: 0,
    retries: 0,
    usage: null,
    cost: null,
    content: '',
    toolCalls: [],
    finishReason: null,
    error: { code: 'batch_item_failed', message },
  };
}

import {
  type AttemptRecord,
  type CascadeAgent,
  CascadeFlowError,
  type CascadeResult,
  type ProviderBatchApi,
  type RunRequest,
  type TierInfo,
} from '@cascadeflow/core';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint.js';
import type { ResolvedBatchConfig } from '../config.js';
import { batchDeadline } from '../deadline.js';
import { type BatchInput, type BatchItemOutcome, normalizeItem } from '../items.js';
import type { BatchProgress } from '../progress.js';
import { sleep } from '../sleep.js';
import { backendFor, callOf } from './backends.js';
import { runConcurrent } from './concurrent.js';

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
 * True when every tier of the agent's ladder is on a provider that declares a batch API
 * (`capabilities.batch`: the OpenAI Batch API, Anthropic Message Batches).
 *
 * @example
 * ```ts
 * if (supportsNativeBatch(agent)) await runBatch(agent, queries, { strategy: 'native' });
 * ```
 */
export function supportsNativeBatch(agent: CascadeAgent): boolean {
  return agent.ladder.every((t) => backendFor(agent.provider(t.provider)) !== null);
}

/** Request fields a provider batch cannot carry: refused by name for that item. */
const NATIVE_UNSUPPORTED = ['ladder', 'timeoutMs', 'onDelta', 'onEvent', 'earlyReject'] as const;

/** A field of the request that the native strategy cannot honour, or null. */
function unsupportedField(r: RunRequest): string | null {
  for (const f of NATIVE_UNSUPPORTED) if ((r as Record<string, unknown>)[f] !== undefined) return f;
  return null;
}

/** Why the batch ended early, for the items it cut off. */
function endedBy(reason: unknown): { code: string; message: string } {
  if (CascadeFlowError.isInstance(reason)) return { code: String(reason.code), message: reason.message };
  return {
    code: 'aborted',
    message: `The batch was aborted${reason instanceof Error ? `: ${reason.message}` : ''}.`,
  };
}

/**
 * The cascade through the providers' batch APIs, tier by tier (OpenAI Batch API: JSONL upload, batch
 * create, poll, output file; Anthropic Message Batches: requests, poll, JSONL results): every draft goes
 * out as one provider batch, the answers are judged by the agent's policy (`agent.judge`: validators,
 * thresholds, the request's own thresholds, validators' calls paid, batch prices), and only the rejected
 * items go to the next tier as the next batch. Each request carries its tools, tool choice and response
 * format, mapped by the provider exactly as a live call is; a per-request ladder or timeout cannot apply to a
 * provider batch and is refused by name. Every submitted batch id is checkpointed before it is polled, so a
 * resumed run polls the same batch: nothing is paid twice.
 *
 * The batch config applies as far as it can: `totalTimeout` cancels the provider batch in flight and reports
 * what finished (the rest is pending); an abort stops polling and leaves the rest pending in the checkpoint
 * (a resume polls the same batch); `stopOnError` stops after the first item that fails; `retryFailed` runs
 * items whose provider batch failed them once more through the concurrent path; `preserveOrder: false`
 * returns items as they finished. Plugins' per-request hooks do not run here: use the concurrent strategy
 * when limits or guardrails must apply to each item.
 */
export async function runNative(
  agent: CascadeAgent,
  inputs: readonly BatchInput[],
  config: ResolvedBatchConfig,
  onProgress: (p: Partial<BatchProgress> & { phase?: BatchProgress['phase'] }) => void,
): Promise<BatchItemOutcome[]> {
  const deadline = batchDeadline(config.totalTimeout, config.signal);
  const signal = deadline.signal;
  const requests = inputs.map((input, index) => {
    const item = normalizeItem(input, `item ${index}`, config.maxQueryChars);
    if ('error' in item) return item;
    const field = unsupportedField(item.request);
    if (!field) return item;
    return {
      id: item.id,
      error: {
        code: 'native_unsupported',
        message: `item ${index}: ${field}: a provider batch cannot honour it; remove it or use strategy 'concurrent'`,
      },
    };
  });
  const startedAt = Date.now();
  let state = config.checkpoint ? loadCheckpoint<NativeState>(config.checkpoint) : null;
  if (state && (state.strategy !== 'native' || state.total !== inputs.length)) {
    deadline.clear();
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
  const st = state;
  const save = () => config.checkpoint && saveCheckpoint(config.checkpoint, st);
  save();
  const finishedOrder: number[] = [];
  let stopped: { code: string; message: string } | null = null;
  let current: { backend: ProviderBatchApi; batchId: string } | null = null;

  try {
    tiers: for (let tier = 0; tier < agent.ladder.length; tier++) {
      const t = agent.ladder[tier]!;
      const backend = backendFor(agent.provider(t.provider));
      if (!backend)
        throw new CascadeFlowError(
          'native_unsupported',
          `Tier ${t.name} is on provider "${t.provider}", which declares no batch API (capabilities.batch); use strategy 'concurrent'.`,
        );
      for (let chunk = 0; ; chunk++) {
        let phase = st.phases.find((p) => p.tier === tier && !p.collected);
        if (!phase) {
          const indices = st.items
            .filter((i) => i.status === 'pending' && i.tier === tier)
            .slice(0, config.batchSize)
            .map((i) => i.index);
          if (indices.length === 0) break;
          const tierCall = { model: t.model, maxTokens: t.maxTokens, temperature: t.temperature };
          const batchId = await backend.submit(
            indices.map((i) => ({
              customId: String(i),
              request: callOf(tierCall, (requests[i] as { request: RunRequest }).request),
            })),
            signal,
          );
          phase = { tier, chunk, batchId, indices, collected: false, submittedAt: Date.now() };
          st.phases.push(phase);
          save(); // before polling: a crash from here on resumes this batch instead of paying for a new one
        }
        current = { backend, batchId: phase.batchId };
        // Poll with backoff until the provider finishes the batch.
        let wait = config.pollIntervalMs;
        let status = await backend.poll(phase.batchId, signal);
        while (!status.ended) {
          onProgress({ phase: { tier, model: t.model, batchId: phase.batchId, status: status.status } });
          await sleep(wait, signal);
          wait = Math.min(config.maxPollIntervalMs, wait * 1.5);
          status = await backend.poll(phase.batchId, signal);
        }
        const answers = await backend.results(phase.batchId, signal);
        current = null;
        const cancelled = /^cancel/.test(status.status);
        for (const i of phase.indices) {
          const item = st.items[i]!;
          const a = answers.get(String(i));
          // A cancelled batch did not answer every item: those stay pending at this tier.
          if (!a && cancelled) continue;
          const last = tier === agent.ladder.length - 1;
          const latencyMs = Date.now() - phase.submittedAt;
          if (!a?.response) {
            const why =
              a?.error ?? `the provider batch ${phase.batchId} ended ${status.status} without an answer`;
            item.attempts.push(
              Object.assign({}, failedAttempt(t, `the provider batch answered: ${why}`), { latencyMs }),
            );
            if (last && item.attempts.some((x) => x.status === 'rejected')) {
              item.status = 'done'; // as run() does: the best rejected draft, marked degraded
              finishedOrder.push(i);
            } else if (last) {
              item.status = 'failed';
              item.error = {
                code: 'all_tiers_failed',
                message: `item ${i}: every tier failed; last: ${why}`,
              };
              finishedOrder.push(i);
              if (config.stopOnError)
                stopped ??= {
                  code: 'stopped_on_error',
                  message: `The batch stopped after item ${i} failed (stopOnError).`,
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
          if (attempt.status === 'accepted') {
            item.status = 'done';
            finishedOrder.push(i);
          } else item.tier = tier + 1;
        }
        phase.collected = true;
        save();
        const done = st.items.filter((x) => x.status === 'done').length;
        const failed = st.items.filter((x) => x.status === 'failed').length;
        onProgress({
          done,
          failed,
          costSoFar: st.items.reduce((s, x) => s + x.attempts.reduce((c, a) => c + (a.cost ?? 0), 0), 0),
        });
        if (stopped) break tiers;
      }
    }
  } catch (e) {
    if (!signal.aborted) throw e;
    stopped = endedBy(signal.reason);
    // Past the total timeout the provider batch in flight is cancelled (an abort leaves it running, so that a
    // resume collects it without paying again).
    if (deadline.timedOut() && current)
      await current.backend.cancel(current.batchId, AbortSignal.timeout(10_000)).catch(() => undefined);
  } finally {
    deadline.clear();
  }

  let outcomes = st.items.map((item) => toOutcome(agent, item, requests[item.index]!, stopped));
  // Items whose provider batch failed them get one more try through the concurrent path (agent.run).
  const retry = outcomes.filter((o) => !o.ok && !o.pending && o.error?.code === 'all_tiers_failed');
  if (config.retryFailed && !stopped && retry.length > 0) {
    const again = new Map<number, BatchItemOutcome>();
    await runConcurrent(
      agent,
      retry.map((o) => inputs[o.index]!),
      Object.assign({}, config, { retryFailed: false, checkpoint: undefined }),
      {
        outcome: (o) =>
          again.set(
            retry[o.index]!.index,
            Object.assign({}, o, { index: retry[o.index]!.index, runs: o.runs + 1 }),
          ),
      },
    );
    outcomes = outcomes.map((o) => again.get(o.index) ?? o);
  }
  if (config.preserveOrder) return outcomes;
  const rank = new Map(finishedOrder.map((index, n) => [index, n]));
  return [...outcomes].sort(
    (a, b) => (rank.get(a.index) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.index) ?? Number.MAX_SAFE_INTEGER),
  );
}

function toOutcome(
  agent: CascadeAgent,
  item: NativeState['items'][number],
  req: ReturnType<typeof normalizeItem>,
  stopped: { code: string; message: string } | null,
): BatchItemOutcome {
  if (item.status === 'pending')
    return {
      index: item.index,
      id: item.id,
      ok: false,
      result: null,
      error: stopped ?? { code: 'incomplete', message: `item ${item.index} did not finish` },
      runs: item.attempts.length,
      pending: true,
    };
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

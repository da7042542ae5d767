import {
  type AttemptRecord,
  addUsage,
  type CascadeAgent,
  CascadeFlowError,
  type CascadeResult,
  type CompletionResponse,
  type FinishReason,
  type RunRequest,
  ZERO_USAGE,
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
    attempts: {
      tier: number;
      content: string;
      score: number | null;
      cost: number | null;
      reason: string;
      status: AttemptRecord['status'];
      finishReason: FinishReason | null;
      usage: CompletionResponse['usage'] | null;
    }[];
    error?: { code: string; message: string };
  }[];
  phases: { tier: number; chunk: number; batchId: string; indices: number[]; collected: boolean }[];
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
        ? { index, id: r.id, tier: 0, status: 'failed' as const, attempts: [], error: r.error }
        : { index, id: r.id, tier: 0, status: 'pending' as const, attempts: [] },
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
        phase = { tier, chunk, batchId, indices, collected: false };
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
        if (!a.response) {
          item.attempts.push({
            tier,
            content: '',
            score: null,
            cost: null,
            reason: `failed: ${a.error}`,
            status: 'failed',
            finishReason: null,
            usage: null,
          });
          if (last) {
            item.status = 'failed';
            item.error = {
              code: 'all_tiers_failed',
              message: `item ${i}: every tier failed; last: ${a.error}`,
            };
          } else item.tier = tier + 1;
          continue;
        }
        const request = (requests[i] as { request: RunRequest }).request;
        const verdict = await agent.judge({
          request,
          tierIndex: tier,
          response: a.response,
          previous: item.attempts
            .filter((x) => x.status !== 'failed')
            .map((x) => ({ tier: x.tier, content: x.content, score: x.score })),
          signal,
        });
        const cost = agent.pricing.cost(t.model, a.response.usage, { batch: true });
        const accepted = verdict.accepted || last;
        item.attempts.push({
          tier,
          content: a.response.content,
          score: last ? null : verdict.score,
          cost,
          reason: last ? 'last tier: always accepted' : verdict.reason,
          status: accepted ? 'accepted' : 'rejected',
          finishReason: a.response.finishReason,
          usage: a.response.usage,
        });
        if (accepted) item.status = 'done';
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
  const attempts: AttemptRecord[] = item.attempts.map((a) => {
    const tier = agent.ladder[a.tier]!;
    return {
      tier,
      model: tier.model,
      provider: tier.provider,
      status: a.status,
      reason: a.reason,
      score: a.score,
      reasons: [],
      checks: [],
      latencyMs: 0,
      retries: 0,
      usage: a.usage,
      cost: a.cost,
      content: a.content,
      toolCalls: [],
      finishReason: a.finishReason,
    };
  });
  const answer = attempts[attempts.length - 1]!;
  const strongest = agent.ladder[agent.ladder.length - 1]!;
  const costs = attempts.filter((a) => a.usage).map((a) => a.cost);
  const totalCost = costs.some((c) => c === null) ? null : (costs as number[]).reduce((s, c) => s + c, 0);
  const baselineCost = answer.usage
    ? agent.pricing.cost(strongest.model, answer.usage, { batch: true })
    : null;
  const usage = attempts.reduce((u, a) => addUsage(u, a.usage), ZERO_USAGE);
  const request = 'request' in req ? req.request : {};
  const result: CascadeResult = {
    runId: `batch_${item.index}`,
    content: answer.content,
    toolCalls: [],
    finishReason: answer.finishReason ?? 'other',
    model: answer.model,
    tier: answer.tier,
    attempts,
    totalCost,
    baselineCost,
    baselineEstimated: answer.tier.index !== strongest.index,
    saving: baselineCost !== null && totalCost !== null ? baselineCost - totalCost : null,
    escalations: answer.tier.index,
    degraded: false,
    usage,
    timings: { totalMs: 0, startedAt: 0 },
    userId: request.userId,
    metadata: request.metadata ?? {},
  };
  return { index: item.index, id: item.id, ok: true, result, error: null, runs: item.attempts.length };
}

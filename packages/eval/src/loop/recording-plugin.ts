import {
  type AttemptRecord,
  type CascadePlugin,
  type ChatMessage,
  carriesDocuments,
  carriesImages,
  InvalidConfigError,
  type Provider,
  type ResolvedRequest,
  type RunContext,
  TypedEmitter,
} from '@cascadeflow/core';
import { meanLogprob } from '../calibrate/features.js';
import type { LiveAnswer, LiveRecord } from './live-record.js';
import { promptsOf } from './live-record.js';
import type { RecordSink } from './sink.js';

/** Events of the recording plugin (the library never logs). */
export interface RecordingEvents {
  /** A record was written. */
  'record:written': { id: string; shadowCalls: number; shadowCost: number };
  /** A sampled run was not recorded: why. */
  'record:skipped': {
    id: string;
    /** `images`, `documents`: the run's messages (a user's, or a tool result's) carry images or documents, which the records (text) and the text model cannot hold. */
    reason:
      | 'budget_exhausted'
      | 'queue_full'
      | 'shadow_failed'
      | 'not_answered'
      | 'closed'
      | 'images'
      | 'documents';
    model?: string;
    error?: Error;
  };
  /** Writing a record failed. */
  'record:failed': { id: string; error: Error };
}

/** Options of {@link recordingPlugin}. */
export interface RecordingOptions {
  /** The ladder to record, cheapest first, each model with the provider to call it on (shadow calls). */
  ladder: { model: string; provider: Provider }[];
  /** Share of answered runs to record, in [0, 1]. */
  sampleRate: number;
  /** Where records go (`jsonlRecordSink(file)`). */
  sink: RecordSink;
  /**
   * The recording's own budget in USD for shadow calls, separate from any user's: when the next record's
   * shadow calls would pass it (each model priced at the most it has cost so far), runs are no longer recorded
   * (`record:skipped` with `budget_exhausted`). Before a model's cost is known, the first record's calls may
   * pass it. Required: shadow calls cost money.
   */
  budgetUsd: number;
  /** Shadow calls in flight at most (default 2); sampled runs beyond `maxQueued` (default 100) waiting are dropped. */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Price of a shadow call when its provider reports none (default: the agent's price table). */
  price?: (
    model: string,
    usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number },
  ) => number | null;
  /**
   * The id a record gets, which users' feedback refers to (default: the run id). A gateway that answers with
   * its own response ids passes them in the run's metadata and reads them back here.
   */
  idOf?: (context: RunContext) => string;
  /** Deterministic sampling in tests (default Math.random). */
  random?: () => number;
  name?: string;
}

/** The plugin, with its events and its background work. */
export interface RecordingPlugin extends CascadePlugin {
  on: TypedEmitter<RecordingEvents>['on'];
  /** Shadow cost spent so far, in USD. */
  readonly spentUsd: number;
  /** Records written, and sampled runs not recorded by reason, so far. */
  readonly counts: {
    written: number;
    skipped: Partial<Record<RecordingEvents['record:skipped']['reason'], number>>;
  };
  /** Resolves when every record started so far is written or skipped. */
  flush(): Promise<void>;
  /** Stops recording: aborts the shadow calls in flight and waits for them. */
  close(): Promise<void>;
}

function answerOf(a: AttemptRecord): LiveAnswer {
  return {
    answer: a.content,
    raw_conf: meanLogprob(a.logprobs),
    cost_usd: a.cost ?? 0,
    tokens_in: a.usage?.inputTokens ?? 0,
    tokens_out: a.usage?.outputTokens ?? 0,
    latency_ms: a.latencyMs,
    shadow: false,
  };
}

/**
 * Records a share of live traffic in the eval's record format, so that a cascade can be calibrated on its
 * own traffic: for each sampled run that answered, it keeps the answers of the tiers the cascade ran and
 * calls the other models of `ladder` in the background (shadow calls), with log-probs asked for, then
 * appends one {@link LiveRecord}. The caller's answer is never delayed (the work starts after the run
 * settled and is not awaited); shadow calls are paid from the recording's own `budgetUsd`, never from the
 * user's limits, and stop when it is spent. Label the records with `labelRecords`, then `calibrate()`.
 *
 * @example
 * ```ts
 * const recorder = recordingPlugin({ ladder: [{ model: 'gpt-4o-mini', provider }, { model: 'gpt-4o', provider }],
 *   sampleRate: 0.05, budgetUsd: 5, sink: jsonlRecordSink('.cascadeflow/records.jsonl') });
 * const agent = new CascadeAgent({ providers, ladder, plugins: [recorder] });
 * ```
 */
export function recordingPlugin(options: RecordingOptions): RecordingPlugin {
  if (!(options.sampleRate >= 0 && options.sampleRate <= 1))
    throw new InvalidConfigError('sampleRate', `must be in [0, 1], got ${options.sampleRate}`);
  if (!(options.budgetUsd >= 0))
    throw new InvalidConfigError('budgetUsd', `must be a number of USD ≥ 0, got ${options.budgetUsd}`);
  if (options.ladder.length < 2)
    throw new InvalidConfigError('ladder', 'name at least two models, cheapest first');
  const events = new TypedEmitter<RecordingEvents>();
  const counts: RecordingPlugin['counts'] = { written: 0, skipped: {} };
  events.on('record:written', () => counts.written++);
  events.on('record:skipped', (e) => {
    counts.skipped[e.reason] = (counts.skipped[e.reason] ?? 0) + 1;
  });
  const random = options.random ?? Math.random;
  const maxConcurrent = options.maxConcurrent ?? 2;
  const maxQueued = options.maxQueued ?? 100;
  const stop = new AbortController();
  const pending = new Set<Promise<void>>();
  let active = 0;
  const waiting: (() => void)[] = [];
  let spent = 0;
  // Cost promised to shadow calls in flight, so that concurrent records cannot overrun the budget together.
  let reserved = 0;
  const maxCost = new Map<string, number>();
  let maxAny = 0;
  const seen = (model: string, cost: number) => {
    maxCost.set(model, Math.max(cost, maxCost.get(model) ?? 0));
    maxAny = Math.max(maxAny, cost);
  };

  const slot = async () => {
    if (active < maxConcurrent) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  async function record(
    id: string,
    userId: string | undefined,
    messages: ChatMessage[],
    asked: Pick<ResolvedRequest, 'maxTokens' | 'temperature' | 'sampling'>,
    attempts: readonly AttemptRecord[],
    answeredBy: string,
    price: (
      model: string,
      usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number },
    ) => number | null,
  ): Promise<void> {
    const ran = new Map<string, AttemptRecord>();
    for (const a of attempts) if (a.status !== 'failed' && !a.abandonedEarly) ran.set(a.model, a);
    const models: Record<string, LiveAnswer> = {};
    for (const a of ran.values()) seen(a.model, a.cost ?? 0);
    // What the shadow calls may cost: the most each model has cost so far (a model not seen yet: the most
    // any model has cost). The budget can be passed by one record's calls at most, before any is seen.
    const missing = options.ladder.filter((t) => !ran.has(t.model));
    const estimate = missing.reduce((sum, t) => sum + (maxCost.get(t.model) ?? maxAny), 0);
    if (spent + reserved + estimate > options.budgetUsd) {
      events.emit('record:skipped', { id, reason: 'budget_exhausted' });
      return;
    }
    reserved += estimate;
    let shadowCost = 0;
    try {
      for (const tier of options.ladder) {
        const done = ran.get(tier.model);
        if (done) {
          models[tier.model] = answerOf(done);
          continue;
        }
        if (stop.signal.aborted) {
          events.emit('record:skipped', { id, reason: 'closed' });
          return;
        }
        await slot();
        const started = performance.now();
        // One signal per call, tied to close(): the shared one would collect a listener per call.
        const call = new AbortController();
        const onClose = () => call.abort(stop.signal.reason);
        stop.signal.addEventListener('abort', onClose, { once: true });
        try {
          // Asked as the run asked its tiers, so that its answer compares with theirs.
          const r = await tier.provider.complete({
            model: tier.model,
            messages,
            ...(asked.maxTokens !== undefined ? { maxTokens: asked.maxTokens } : {}),
            ...(asked.temperature !== undefined ? { temperature: asked.temperature } : {}),
            ...(asked.sampling ? { sampling: asked.sampling } : {}),
            logprobs: true,
            signal: call.signal,
          });
          const cost = r.cost ?? price(tier.model, r.usage) ?? 0;
          seen(tier.model, cost);
          shadowCost += cost;
          spent += cost;
          models[tier.model] = {
            answer: r.content,
            raw_conf: meanLogprob(r.logprobs),
            cost_usd: cost,
            tokens_in: r.usage.inputTokens,
            tokens_out: r.usage.outputTokens,
            latency_ms: performance.now() - started,
            shadow: true,
          };
        } catch (e) {
          events.emit('record:skipped', {
            id,
            reason: stop.signal.aborted ? 'closed' : 'shadow_failed',
            model: tier.model,
            error: e as Error,
          });
          return;
        } finally {
          stop.signal.removeEventListener('abort', onClose);
          release();
        }
      }
    } finally {
      reserved -= estimate;
    }
    const { system, user } = promptsOf(messages);
    const line: LiveRecord = {
      format: 'cascadeflow.live-record',
      version: 1,
      id,
      at: new Date().toISOString(),
      user_id: userId ?? null,
      system_prompt: system,
      user_prompt: user,
      answered_by: answeredBy,
      models,
    };
    try {
      await options.sink.append(line);
      events.emit('record:written', { id, shadowCalls: missing.length, shadowCost });
    } catch (e) {
      events.emit('record:failed', { id, error: e as Error });
    }
  }

  return {
    name: options.name ?? 'recording',
    on: (type, listener) => events.on(type, listener),
    get spentUsd() {
      return spent;
    },
    counts,
    onSettle({ context, request, outcome }) {
      if (stop.signal.aborted || !request) return;
      if (random() >= options.sampleRate) return;
      const id = options.idOf?.(context) ?? context.runId;
      const result = outcome.result;
      if (outcome.status !== 'accepted' || !result) {
        events.emit('record:skipped', { id, reason: 'not_answered' });
        return;
      }
      if (carriesImages(request.messages)) {
        events.emit('record:skipped', { id, reason: 'images' });
        return;
      }
      if (carriesDocuments(request.messages)) {
        events.emit('record:skipped', { id, reason: 'documents' });
        return;
      }
      if (pending.size >= maxQueued) {
        events.emit('record:skipped', { id, reason: 'queue_full' });
        return;
      }
      const price = options.price ?? ((m, u) => context.pricing.cost(m, u));
      const work = record(
        id,
        context.userId,
        request.messages,
        request,
        outcome.attempts,
        result.model,
        price,
      ).finally(() => pending.delete(work));
      pending.add(work);
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async close() {
      stop.abort(new Error('recording closed'));
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

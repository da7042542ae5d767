import {
  type AttemptRecord,
  type CascadeAgent,
  CascadeFlowError,
  type EarlyRejectCheck,
  type RunEvent,
  type RunRequest,
  type StreamDelta,
  spendOf,
  type TierInfo,
} from '@cascadeflow/core';
import { Observable } from 'rxjs';
import { StreamStallError } from './errors.js';
import type { CascadeStreamEvent } from './events.js';
import { chooseMode, type ModeOption } from './mode.js';

/** Options of {@link streamCascade}. */
export interface StreamOptions {
  /** `buffer`, `stream` or `auto` (default). */
  mode?: ModeOption;
  /** Abort when no delta or decision arrives for this long, in ms. Default 30000. */
  stallTimeoutMs?: number;
  /**
   * Abandon a draft early when, after `afterTokens` tokens, its mean log-prob is below `minMeanLogprob`:
   * the draft's HTTP stream is closed and the next tier starts at once.
   */
  earlyAbort?: { afterTokens: number; minMeanLogprob: number };
  /** Emit a running usage estimate every this many deltas (default 32; 0 for none). */
  usageEvery?: number;
}

function earlyCheck(o: NonNullable<StreamOptions['earlyAbort']>): EarlyRejectCheck {
  return ({ logprobs }) => {
    if (logprobs.length < o.afterTokens) return null;
    const head = logprobs.slice(0, o.afterTokens);
    const mean = head.reduce((s, t) => s + t.logprob, 0) / head.length;
    return mean < o.minMeanLogprob
      ? `mean log-prob ${mean.toFixed(2)} of the first ${o.afterTokens} tokens < ${o.minMeanLogprob}`
      : null;
  };
}

/**
 * Streams one request through the cascade as an rxjs Observable of {@link CascadeStreamEvent}s. Cold: each
 * subscription runs the request once; unsubscribing aborts it and closes the provider's HTTP stream.
 *
 * - `buffer`: a draft's tokens are held until it is accepted; rejected text is never emitted. The last tier
 *   (always accepted) streams live.
 * - `stream`: tokens are emitted live; a rejected draft is followed by `retract`, then the next tier's tokens.
 *
 * @example
 * ```ts
 * streamCascade(agent, { query: 'Explain TCP slow start', maxTokens: 800 }, { mode: 'auto' }).subscribe((e) => {
 *   if (e.type === 'text') process.stdout.write(e.text);
 *   if (e.type === 'retract') console.log('\n[dropping the draft]');
 *   if (e.type === 'finish') console.log(`\n${e.result.model} $${e.result.totalCost}`);
 * });
 * ```
 */
export function streamCascade(
  agent: CascadeAgent,
  input: string | RunRequest,
  options: StreamOptions = {},
): Observable<CascadeStreamEvent> {
  return new Observable<CascadeStreamEvent>((subscriber) => {
    const request: RunRequest = typeof input === 'string' ? { query: input } : input;
    const controller = new AbortController();
    const onUserAbort = () => controller.abort(request.signal?.reason);
    if (request.signal?.aborted) controller.abort(request.signal.reason);
    else request.signal?.addEventListener('abort', onUserAbort, { once: true });

    const { mode, reason } = chooseMode(options.mode ?? 'auto', request);
    const stallMs = options.stallTimeoutMs ?? 30_000;
    const usageEvery = options.usageEvery ?? 32;
    let stalled: StreamStallError | null = null;
    let currentModel: string | undefined;
    // One timer for the whole stream: activity only raises a flag (no clock read per token); the timer
    // checks the flag every half stall period, so a stall is caught within 1 to 1.5 periods.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let active = true;
    let idleChecks = 0;
    const check = () => {
      if (active) {
        active = false;
        idleChecks = 0;
      } else if (++idleChecks >= 2) {
        stalled = new StreamStallError(stallMs, currentModel);
        controller.abort(stalled);
        return;
      }
      timer = setTimeout(check, stallMs / 2);
      timer.unref?.();
    };
    const arm = () => {
      active = true;
    };
    timer = setTimeout(check, stallMs / 2);
    timer.unref?.();

    // Per attempt: what is held back (buffer mode) and whether text was already shown (for retract).
    let held: CascadeStreamEvent[] = [];
    let shown = false;
    // The attempts so far: their usage and cost follow core's one rule (spendOf).
    const attempts: AttemptRecord[] = [];
    let spent = spendOf(attempts);
    let deltas = 0;
    let liveOutput = 0;

    const emit = (e: CascadeStreamEvent) => {
      if (!subscriber.closed) subscriber.next(e);
    };
    const isLive = (tier: TierInfo) => mode === 'stream' || tier.role === 'verifier';
    const retractIfShown = (tier: TierInfo, why: string) => {
      if (shown) emit({ type: 'retract', tier, model: tier.model, reason: why });
      shown = false;
      held = [];
    };

    const onDelta = (delta: StreamDelta, tier: TierInfo) => {
      arm();
      if (delta.type === 'finish') return;
      const event: CascadeStreamEvent =
        delta.type === 'text'
          ? { type: 'text', text: delta.text, tier, model: tier.model }
          : {
              type: 'tool_call',
              index: delta.index,
              ...(delta.id ? { id: delta.id } : {}),
              ...(delta.name ? { name: delta.name } : {}),
              argumentsDelta: delta.argumentsDelta,
              tier,
              model: tier.model,
            };
      if (isLive(tier)) {
        shown = true;
        emit(event);
      } else {
        held.push(event);
      }
      liveOutput++;
      if (usageEvery > 0 && ++deltas % usageEvery === 0) {
        const { usage, cost } = spent;
        const estimate = Object.assign({}, usage, { outputTokens: usage.outputTokens + liveOutput });
        const extra = agent.pricing.cost(tier.model, {
          inputTokens: 0,
          outputTokens: liveOutput,
          cachedInputTokens: 0,
        });
        emit({
          type: 'usage',
          usage: estimate,
          cost: cost === null || extra === null ? null : cost + extra,
          estimated: true,
        });
      }
    };

    const onAttemptEnd = (a: AttemptRecord) => {
      const accepted = a.status === 'accepted';
      emit({
        type: 'decision',
        tier: a.tier,
        model: a.model,
        status: a.status,
        accepted,
        score: a.score,
        reasons: a.reasons,
        reason: a.reason,
        early: a.abandonedEarly === true,
      });
      if (accepted) {
        for (const e of held) emit(e);
        held = [];
      } else {
        retractIfShown(
          a.tier,
          a.status === 'failed'
            ? `the attempt failed: ${a.error?.message ?? a.reason}`
            : `draft rejected: ${a.reason}`,
        );
      }
      attempts.push(a);
      spent = spendOf(attempts);
      liveOutput = 0;
      emit({ type: 'usage', usage: spent.usage, cost: spent.cost, estimated: a.usageEstimated === true });
    };

    const onEvent = (e: RunEvent) => {
      arm();
      switch (e.type) {
        case 'attempt_start':
          currentModel = e.tier.model;
          held = [];
          shown = false;
          liveOutput = 0;
          emit({ type: 'attempt_start', tier: e.tier, model: e.tier.model });
          break;
        case 'retry':
          retractIfShown(e.tier, `retrying after: ${e.error.message}`);
          liveOutput = 0;
          emit({
            type: 'retry',
            tier: e.tier,
            model: e.tier.model,
            error: e.error.message,
            retry: e.retry,
            delayMs: e.delayMs,
          });
          break;
        case 'attempt_end':
          onAttemptEnd(e.attempt);
          break;
        case 'escalate':
          emit({ type: 'switch', from: e.from, to: e.to, reason: e.reason });
          break;
      }
    };

    emit({ type: 'mode', mode, reason });
    arm();
    agent
      .run(
        Object.assign(
          {},
          request,
          { signal: controller.signal, onDelta, onEvent },
          options.earlyAbort ? { earlyReject: earlyCheck(options.earlyAbort) } : {},
        ),
      )
      .then((result) => {
        if (result.degraded) {
          // The answer is a draft that was held back or retracted: show it now, as the final answer.
          emit({ type: 'text', text: result.content, tier: result.tier, model: result.model });
        }
        emit({ type: 'finish', result });
        subscriber.complete();
      })
      .catch((error: unknown) => {
        subscriber.error(
          stalled ??
            (CascadeFlowError.isInstance(error)
              ? error
              : new CascadeFlowError('provider_error', String(error), { cause: error })),
        );
      })
      .finally(() => {
        if (timer) clearTimeout(timer);
        request.signal?.removeEventListener('abort', onUserAbort);
      });

    return () => {
      if (timer) clearTimeout(timer);
      request.signal?.removeEventListener('abort', onUserAbort);
      if (!controller.signal.aborted) controller.abort(new Error('unsubscribed'));
    };
  });
}

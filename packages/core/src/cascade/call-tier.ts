import type { CascadeEvents, TypedEmitter } from '../agent/events.js';
import { defineLazy } from '../agent/lazy-properties.js';
import type { ResolvedRequest, ResolvedTier, RunRequest } from '../agent/request.js';
import type { AttemptRecord } from '../agent/result.js';
import { type RetryOptions, retryDelay, sleep } from '../agent/retry.js';
import { attemptSignal } from '../agent/signals.js';
import { CascadeAbortedError, CascadeFlowError, ProviderError } from '../errors/errors.js';
import type { RunContext } from '../plugins/plugin.js';
import { flushThrough, type PluginRunner, pushThrough } from '../plugins/runner.js';
import { estimateInputTokens } from '../pricing/usage.js';
import { StreamCollector } from '../providers/collect-stream.js';
import type { CompletionRequest, CompletionResponse, Provider, StreamDelta } from '../types/provider.js';
import type { CascadePolicy } from './policy.js';

/**
 * The provider call of a tier for a request: the request's messages, tools, tool choice, parallel tool calls,
 * response format and sampling controls, its max tokens and temperature or else the tier's, and log-probs
 * asked for. The one mapping used by the
 * agent and by batch runners that call a provider's batch API.
 *
 * @example
 * ```ts
 * const call = completionRequestFor({ messages, maxTokens: 200 }, { model: 'gpt-4o-mini' });
 * ```
 */
export function completionRequestFor(
  request: Pick<ResolvedRequest, 'messages'> &
    Partial<
      Pick<
        ResolvedRequest,
        | 'maxTokens'
        | 'temperature'
        | 'tools'
        | 'toolChoice'
        | 'parallelToolCalls'
        | 'responseFormat'
        | 'sampling'
      >
    >,
  tier: { model: string; maxTokens?: number | undefined; temperature?: number | undefined },
): CompletionRequest {
  return {
    model: tier.model,
    messages: request.messages,
    maxTokens: request.maxTokens ?? tier.maxTokens,
    temperature: request.temperature ?? tier.temperature,
    tools: request.tools,
    toolChoice: request.toolChoice,
    parallelToolCalls: request.parallelToolCalls,
    responseFormat: request.responseFormat,
    sampling: request.sampling,
    logprobs: true,
  };
}

/** The per-run callbacks of a request. */
export interface LiveHooks {
  onDelta: RunRequest['onDelta'];
  onEvent: RunRequest['onEvent'];
  earlyReject: RunRequest['earlyReject'];
}

/** What one tier's call gave: the attempt (answered, abandoned early or failed) and, when failed, the error. */
export interface TierOutcome {
  attempt: AttemptRecord;
  error?: Error;
}

/** What calling a tier needs from the agent. */
export interface TierCallDeps {
  policy: CascadePolicy;
  retry: Required<RetryOptions>;
  events: TypedEmitter<CascadeEvents>;
  runner: PluginRunner;
  context: RunContext;
  live: LiveHooks;
}

/**
 * Thrown out of a tier call that was cut short (abort, or a stream transform that refused the output): it
 * carries the attempt as far as it got, so that what it cost is still counted.
 */
export class InterruptedAttempt extends Error {
  constructor(
    readonly attempt: AttemptRecord,
    readonly error: Error,
  ) {
    super(error.message);
  }
}

/** Thrown inside a streamed attempt when `earlyReject` gives up on the draft. */
class EarlyRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Calls one tier: the provider call with retries (honouring `retry-after`), streamed through the plugins'
 * text transforms when the run streams, with early rejection of a bad draft. Returns the attempt, not yet
 * decided (`accepted` means "answered"). An abort or a refusal mid-call throws {@link InterruptedAttempt}.
 */
export async function callTier(
  deps: TierCallDeps,
  provider: Provider,
  request: ResolvedRequest,
  tier: ResolvedTier,
): Promise<TierOutcome> {
  const { policy, context, live } = deps;
  const started = performance.now();
  const timeoutMs = tier.timeoutMs ?? request.timeoutMs;
  // A whole-answer call to a provider that enforces timeouts itself (the SDKs do) needs no timer of ours.
  const sdkTimer = !live.onDelta && provider.handlesTimeout === true;
  let retries = 0;
  for (;;) {
    const scope = attemptSignal(context.signal, sdkTimer ? undefined : timeoutMs);
    // Built without spreading: on Node 20 an object made by a spread and then given a key of its own
    // outlives the young-generation collections that should free it (see defineLazy).
    const call = completionRequestFor(request, tier);
    if (sdkTimer) call.timeoutMs = timeoutMs;
    // The attempt's signal is created when the provider reads it.
    defineLazy(call, { signal: () => scope.signal });
    const collector = live.onDelta ? new StreamCollector() : undefined;
    const timing = () => ({ latencyMs: performance.now() - started, retries });
    try {
      const response = collector
        ? await streamed(deps, provider, call, request, tier, collector)
        : await provider.complete(call);
      return { attempt: policy.record(tier, response, timing()) };
    } catch (e) {
      if (e instanceof EarlyRejection) {
        const abandoned = partial(policy, request, tier, collector, timing());
        abandoned.status = 'rejected';
        abandoned.abandonedEarly = true;
        abandoned.reason = `abandoned early: ${e.reason}`;
        return { attempt: abandoned };
      }
      let error = asError(e);
      if (context.signal.aborted) error = new CascadeAbortedError(context.signal.reason);
      const ownTimeout = scope.timedOut();
      if (
        context.signal.aborted ||
        (!ownTimeout && CascadeFlowError.isInstance(error) && !(error instanceof ProviderError))
      ) {
        // Cut short by the caller or refused by a plugin mid-stream: count what it got as far as.
        const cut = partial(policy, request, tier, collector, timing());
        cut.status = 'failed';
        cut.reason = `interrupted: ${error.message}`;
        cut.error = {
          code: CascadeFlowError.isInstance(error) ? String(error.code) : 'error',
          message: error.message,
        };
        throw new InterruptedAttempt(cut, error);
      }
      if (ownTimeout) {
        error = new ProviderError({
          code: 'provider_timeout',
          provider: provider.name,
          model: tier.model,
          message: `no answer within ${timeoutMs} ms; the request was aborted`,
          retryable: true,
          cause: e,
        });
      }
      const delay = retryDelay(error, retries + 1, deps.retry);
      if (delay === null) {
        const failed = policy.record(tier, null, timing());
        failed.reason = `failed: ${error.message}`;
        failed.error = {
          code: CascadeFlowError.isInstance(error) ? String(error.code) : 'provider_error',
          message: error.message,
          ...(error instanceof ProviderError && error.status !== undefined ? { status: error.status } : {}),
        };
        return { attempt: failed, error };
      }
      retries++;
      deps.events.emit('attempt:retry', {
        runId: context.runId,
        tier,
        error,
        retry: retries,
        delayMs: delay,
      });
      live.onEvent?.({ type: 'retry', tier, error, retry: retries, delayMs: delay });
      await sleep(delay, context.signal);
    } finally {
      scope.dispose();
    }
  }
}

/** An attempt from what a stream delivered before it was cut: usage estimated, priced like any other. */
function partial(
  policy: CascadePolicy,
  request: ResolvedRequest,
  tier: ResolvedTier,
  collector: StreamCollector | undefined,
  timing: { latencyMs: number; retries: number },
): AttemptRecord {
  const response: CompletionResponse = {
    ...(collector?.partial(tier.model) ?? {
      content: '',
      toolCalls: [],
      finishReason: 'other',
      model: tier.model,
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    }),
  };
  response.usage = {
    inputTokens: estimateInputTokens(request.messages),
    outputTokens: collector?.textDeltas ?? 0,
    cachedInputTokens: 0,
  };
  const record = policy.record(tier, response, timing);
  record.usageEstimated = true;
  return record;
}

/**
 * Streams one attempt. The provider's deltas are collected as they are (that is what gets scored); the
 * caller's `onDelta` gets the text after the plugins' transforms, with the delta's log-probs, and every
 * tool-call and finish delta untouched.
 */
async function streamed(
  deps: TierCallDeps,
  provider: Provider,
  call: CompletionRequest,
  request: ResolvedRequest,
  tier: ResolvedTier,
  collector: StreamCollector,
): Promise<CompletionResponse> {
  const { live } = deps;
  const onDelta = live.onDelta!;
  const check = tier.index < request.ladder.length - 1 ? live.earlyReject : undefined;
  const chain = deps.runner.textTransforms(request, tier);
  let finished: CompletionResponse | null = null;
  const handle = (delta: StreamDelta): void => {
    if (finished) return;
    finished = collector.add(delta);
    if (chain.length === 0 || delta.type === 'tool_call') {
      onDelta(delta, tier);
    } else if (delta.type === 'text') {
      const text = pushThrough(chain, delta.text);
      if (text !== '' || delta.logprobs) onDelta(shown(delta, text), tier);
    } else {
      const rest = flushThrough(chain);
      if (rest !== '') onDelta({ type: 'text', text: rest }, tier);
      onDelta(delta, tier);
    }
    if (check && delta.type === 'text') {
      const reason = check({ text: collector.text, logprobs: collector.logprobs, tier });
      // Throwing out of the loop closes the provider's stream (and its HTTP request) at once.
      if (reason !== null) throw new EarlyRejection(reason);
    }
  };
  if (provider.streamEach) {
    await provider.streamEach(call, handle);
  } else {
    for await (const delta of provider.stream(call)) {
      handle(delta);
      if (finished) break;
    }
  }
  if (finished) return finished;
  throw new ProviderError({
    provider: provider.name,
    model: tier.model,
    message: 'the stream ended without a finish delta',
    retryable: true,
  });
}

function shown(delta: Extract<StreamDelta, { type: 'text' }>, text: string): StreamDelta {
  return delta.logprobs ? { type: 'text', text, logprobs: delta.logprobs } : { type: 'text', text };
}

import { z } from 'zod';
import {
  AllTiersFailedError,
  CascadeAbortedError,
  CascadeFlowError,
  InvalidConfigError,
  ProviderError,
} from '../errors/errors.js';
import type { CascadePlugin, RunContext } from '../plugins/plugin.js';
import { HookTable, PluginRunner } from '../plugins/runner.js';
import { DEFAULT_PRICES } from '../pricing/default-prices.js';
import { Pricing, type PricingTable } from '../pricing/pricing.js';
import { addUsage, ZERO_USAGE } from '../pricing/usage.js';
import { StreamCollector } from '../providers/collect-stream.js';
import { COMPLEXITY_THRESHOLD_SHIFT, type Complexity, estimateComplexity } from '../quality/complexity.js';
import { defaultValidators } from '../quality/defaults.js';
import { type CombineMode, type QualityValidator, scoreWith } from '../quality/validator.js';
import type { Usage } from '../types/messages.js';
import type { CompletionRequest, CompletionResponse, Provider } from '../types/provider.js';
import { CascadeEmitter, type CascadeEvents, type CascadeListener } from './events.js';
import {
  parseOrThrow,
  type ResolvedRequest,
  type ResolvedTier,
  type RunRequest,
  resolveLadder,
  resolveRequest,
  type TierOptions,
  tierSchema,
} from './request.js';
import type { AttemptRecord, CascadeResult } from './result.js';
import { type RetryOptions, retryDelay, sleep } from './retry.js';
import { linkedTimeoutSignal, neverAborted, providerTimed } from './signals.js';

/** Options of {@link CascadeAgent}. */
export interface CascadeAgentOptions {
  /** Providers by name (tiers refer to these names), or a list (each under its own `name`). */
  providers: Record<string, Provider> | Provider[];
  /** The ladder, cheapest first. Its order is the escalation order: it is never re-sorted. */
  ladder: TierOptions[];
  /** Prices in USD per million tokens, merged over {@link DEFAULT_PRICES} (set `defaultPrices: false` to drop those). */
  pricing?: PricingTable;
  defaultPrices?: boolean;
  /** Quality validators; default {@link defaultValidators}. */
  validators?: QualityValidator[];
  /** How validator scores combine. Default `min`. */
  combine?: CombineMode;
  /** Threshold of a tier that sets none. Default 0.7, a starting point: calibrate on your own traffic. */
  defaultThreshold?: number;
  /** Move thresholds by the query's estimated complexity (±0.05). Default false. */
  adjustThresholdsByComplexity?: boolean;
  plugins?: CascadePlugin<any>[];
  retry?: RetryOptions;
  /** Per-attempt timeout in ms. Default 60000. */
  timeoutMs?: number;
}

const optionsSchema = z.object({
  ladder: z.array(tierSchema).min(1, 'is empty; give at least one tier (cheapest first)'),
  defaultThreshold: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  timeoutMs: z.number().positive().optional(),
  combine: z.enum(['min', 'mean']).optional(),
  retry: z
    .object({
      maxRetries: z.number().int().min(0).optional(),
      baseDelayMs: z.number().min(0).optional(),
      maxDelayMs: z.number().min(0).optional(),
      maxRetryAfterMs: z.number().min(0).optional(),
    })
    .optional(),
});

let runCounter = 0;
function newRunId(): string {
  return `run_${Date.now().toString(36)}_${(++runCounter).toString(36)}`;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * A model cascade: each request goes to the cheapest tier first; the draft is scored by the validators and
 * escalated up the ladder until a tier's threshold is met. The last tier's answer is always accepted.
 *
 * @example
 * ```ts
 * import { CascadeAgent, OpenAIProvider } from '@cascadeflow/core';
 *
 * const agent = new CascadeAgent({
 *   providers: { openai: new OpenAIProvider() },
 *   ladder: [
 *     { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
 *     { model: 'gpt-4o', provider: 'openai' },
 *   ],
 * });
 * const result = await agent.run('What is the capital of France?');
 * console.log(result.content, result.model, result.totalCost, result.saving);
 * ```
 */
export class CascadeAgent {
  readonly #providers: Map<string, Provider>;
  readonly #tiers: TierOptions[];
  readonly #pricing: Pricing;
  readonly #validators: QualityValidator[];
  readonly #combine: CombineMode;
  readonly #defaultThreshold: number;
  readonly #adjust: boolean;
  readonly #plugins: CascadePlugin<any>[];
  readonly #hooks: HookTable;
  readonly #retry: Required<RetryOptions>;
  readonly #timeoutMs: number;
  readonly #events = new CascadeEmitter();
  /** The ladder as configured, resolved (names, roles, thresholds). */
  readonly ladder: readonly ResolvedTier[];

  constructor(options: CascadeAgentOptions) {
    if (typeof options !== 'object' || options === null)
      throw new InvalidConfigError('options', 'must be an object');
    const parsed = parseOrThrow(optionsSchema, options, '', 'invalid_config');
    const list = Array.isArray(options.providers)
      ? options.providers.map((p) => [p?.name, p] as const)
      : Object.entries(options.providers ?? {});
    this.#providers = new Map();
    for (const [name, p] of list) {
      if (!name || !p || typeof p.complete !== 'function' || typeof p.stream !== 'function') {
        throw new InvalidConfigError(
          `providers.${name ?? '?'}`,
          'must implement Provider (name, complete(), stream())',
        );
      }
      this.#providers.set(name, p);
    }
    this.#tiers = parsed.ladder as TierOptions[];
    this.#defaultThreshold = parsed.defaultThreshold ?? 0.7;
    // Frozen: runs that override nothing share it, so no hook may change it in place (return a new request instead).
    this.ladder = Object.freeze(
      resolveLadder(this.#tiers, this.#providers, this.#defaultThreshold, 'ladder').map((t) =>
        Object.freeze(t),
      ),
    );
    this.#pricing = new Pricing({
      ...(options.defaultPrices === false ? {} : DEFAULT_PRICES),
      ...(options.pricing ?? {}),
    });
    this.#validators = options.validators ?? defaultValidators();
    this.#combine = parsed.combine ?? 'min';
    this.#adjust = options.adjustThresholdsByComplexity ?? false;
    const plugins = options.plugins ?? [];
    const names = new Set<string>();
    plugins.forEach((p, i) => {
      if (!p || typeof p.name !== 'string' || p.name === '')
        throw new InvalidConfigError(`plugins.${i}.name`, 'every plugin needs a unique non-empty name');
      if (names.has(p.name))
        throw new InvalidConfigError(`plugins.${i}.name`, `duplicate plugin name "${p.name}"`);
      names.add(p.name);
    });
    this.#plugins = plugins;
    this.#hooks = new HookTable(plugins);
    this.#retry = {
      maxRetries: parsed.retry?.maxRetries ?? 2,
      baseDelayMs: parsed.retry?.baseDelayMs ?? 250,
      maxDelayMs: parsed.retry?.maxDelayMs ?? 8000,
      maxRetryAfterMs: parsed.retry?.maxRetryAfterMs ?? 30_000,
    };
    this.#timeoutMs = parsed.timeoutMs ?? 60_000;
  }

  /** The pricing table in use. */
  get pricing(): Pricing {
    return this.#pricing;
  }

  /** The plugins, in registration order. */
  get plugins(): readonly CascadePlugin<any>[] {
    return this.#plugins;
  }

  /**
   * Subscribes to an event; returns the unsubscribe function.
   *
   * @example
   * ```ts
   * agent.on('escalate', (e) => metrics.increment('escalations', { from: e.from.name }));
   * ```
   */
  on<K extends keyof CascadeEvents>(type: K, listener: CascadeListener<K>): () => void {
    return this.#events.on(type, listener);
  }

  off<K extends keyof CascadeEvents>(type: K, listener: CascadeListener<K>): void {
    this.#events.off(type, listener);
  }

  /**
   * Runs one request through the plugins and up the ladder.
   *
   * @throws InvalidConfigError for a bad request, RequestRejectedError when a plugin refuses it,
   * CascadeAbortedError when `signal` fires, AllTiersFailedError when every tier errored.
   * @example
   * ```ts
   * const r = await agent.run({ query: 'Summarise: ...', maxTokens: 300, signal: controller.signal });
   * ```
   */
  async run(input: string | RunRequest): Promise<CascadeResult> {
    const request: RunRequest = typeof input === 'string' ? { query: input } : (input ?? {});
    const signal = request.signal ?? neverAborted();
    const context: RunContext = {
      runId: newRunId(),
      userId: request.userId,
      metadata: request.metadata ?? {},
      signal,
      startedAt: Date.now(),
      pricing: this.#pricing,
      agentLadder: this.ladder,
    };
    if (this.#events.has('run:start'))
      this.#events.emit('run:start', { runId: context.runId, userId: context.userId });
    let runner: PluginRunner | undefined;
    let resolved: ResolvedRequest | undefined;
    try {
      if (signal.aborted) throw new CascadeAbortedError(signal.reason);
      runner = new PluginRunner(this.#hooks, context);
      const configuredOrPromise = runner.pipe('resolveConfig', 'request', request);
      const configured =
        configuredOrPromise instanceof Promise ? await configuredOrPromise : configuredOrPromise;
      resolved = resolveRequest(configured, {
        tiers: this.#tiers,
        providers: this.#providers,
        defaultThreshold: this.#defaultThreshold,
        timeoutMs: this.#timeoutMs,
        resolvedLadder: this.ladder,
      });
      const gated = runner.pipe('beforeRun', 'request', resolved);
      resolved = gated instanceof Promise ? await gated : gated;
      let result = await this.#cascade(resolved, runner, context, {
        onDelta: configured.onDelta ?? request.onDelta,
        onEvent: configured.onEvent ?? request.onEvent,
        earlyReject: configured.earlyReject ?? request.earlyReject,
      });
      const settled = runner.pipeReverse('afterRun', 'result', result, { request: resolved });
      result = settled instanceof Promise ? await settled : settled;
      if (this.#events.has('run:end')) this.#events.emit('run:end', { runId: context.runId, result });
      return result;
    } catch (e) {
      let error = asError(e);
      if (signal.aborted && !(CascadeFlowError.isInstance(error) && error.code === 'aborted')) {
        error = new CascadeAbortedError(signal.reason);
      }
      if (runner) {
        const failures = await runner.onError({ request: resolved, error });
        for (const f of failures) {
          this.#events.emit('warning', {
            runId: context.runId,
            code: 'on_error_failed',
            plugin: f.plugin,
            message: `Plugin "${f.plugin}" threw in onError: ${asError(f.error).message}`,
          });
        }
      }
      this.#events.emit('run:error', { runId: context.runId, error });
      throw error;
    }
  }

  /**
   * Judges one tier's response the way `run()` would (validators, threshold, complexity shift), without
   * calling that tier: for pipelines that obtain responses another way, such as provider batch APIs.
   *
   * @example
   * ```ts
   * const verdict = await agent.judge({ request: 'Capital of France?', tierIndex: 0, response });
   * if (!verdict.accepted) escalate();
   * ```
   */
  async judge(args: {
    request: string | RunRequest;
    tierIndex: number;
    response: CompletionResponse;
    previous?: { tier: number; content: string; score: number | null }[];
    signal?: AbortSignal;
  }): Promise<{
    score: number;
    accepted: boolean;
    reasons: string[];
    reason: string;
    threshold: number | null;
  }> {
    const request: RunRequest = typeof args.request === 'string' ? { query: args.request } : args.request;
    const req = resolveRequest(request, {
      tiers: this.#tiers,
      providers: this.#providers,
      defaultThreshold: this.#defaultThreshold,
      timeoutMs: this.#timeoutMs,
      resolvedLadder: this.ladder,
    });
    const tier = req.ladder[args.tierIndex];
    if (!tier)
      throw new InvalidConfigError(
        'tierIndex',
        `the ladder has ${req.ladder.length} tiers, not ${args.tierIndex + 1}`,
      );
    if (tier.threshold === null)
      return { score: 1, accepted: true, reasons: [], reason: 'last tier: always accepted', threshold: null };
    const signal = args.signal ?? neverAborted();
    const provider = this.#providers.get(tier.provider)!;
    const complexity = estimateComplexity(req.query);
    const quality = await scoreWith(
      this.#validators,
      {
        query: req.query,
        messages: req.messages,
        response: args.response,
        responseFormat: req.responseFormat,
        tools: req.tools,
        tier,
        complexity,
        signal,
        previous: (args.previous ?? []).map((p) => ({
          tier: req.ladder[p.tier]!,
          content: p.content,
          score: p.score,
        })),
        complete: (call) => provider.complete({ ...call, model: call.model ?? tier.model, signal }),
      },
      this.#combine,
    );
    const threshold = this.#adjust
      ? Math.min(1, Math.max(0, tier.threshold + COMPLEXITY_THRESHOLD_SHIFT[complexity]))
      : tier.threshold;
    const accepted = quality.score >= threshold;
    const cmp = `score ${quality.score.toFixed(3)} ${accepted ? '≥' : '<'} threshold ${threshold.toFixed(3)}`;
    return {
      score: quality.score,
      accepted,
      reasons: quality.reasons,
      reason: quality.reasons.length ? `${cmp} (${quality.reasons.join('; ')})` : cmp,
      threshold,
    };
  }

  /** The provider registered under a name (for batch pipelines that talk to its API directly). */
  provider(name: string): Provider | undefined {
    return this.#providers.get(name);
  }

  async #cascade(
    req: ResolvedRequest,
    runner: PluginRunner,
    context: RunContext,
    live: LiveHooks,
  ): Promise<CascadeResult> {
    // Estimated only when something asks (a validator, or the threshold shift).
    let complexity: Complexity | undefined;
    const complexityOf = () => {
      complexity ??= estimateComplexity(req.query);
      return complexity;
    };
    const attempts: AttemptRecord[] = [];
    const failures: { model: string; tier: number; error: Error }[] = [];
    let accepted: AttemptRecord | undefined;
    let bestRejected: AttemptRecord | undefined;

    for (const tier of req.ladder) {
      if (context.signal.aborted) throw new CascadeAbortedError(context.signal.reason);
      const before = runner.each('beforeAttempt', { request: req, tier }, 'forward');
      if (before) await before;
      if (this.#events.has('attempt:start'))
        this.#events.emit('attempt:start', { runId: context.runId, tier });
      live.onEvent?.({ type: 'attempt_start', tier });
      const attempt = await this.#attempt(req, tier, runner, context, live);

      // 'accepted' here means "answered"; the decision below replaces it.
      if (attempt.status === 'accepted') {
        const last = tier.index === req.ladder.length - 1;
        if (last) {
          attempt.status = 'accepted';
          attempt.reason = 'last tier: always accepted';
        } else {
          const response = attemptResponse(attempt);
          const extra: { usage: Usage; cost: number | null; calls: number } = {
            usage: ZERO_USAGE,
            cost: 0,
            calls: 0,
          };
          const provider = this.#providers.get(tier.provider)!;
          const complete = async (call: Omit<CompletionRequest, 'model' | 'signal'> & { model?: string }) => {
            const model = call.model ?? tier.model;
            const res = await provider.complete({ ...call, model, signal: context.signal });
            const cost = res.cost ?? this.#pricing.cost(model, res.usage);
            if (cost === null && res.cost === undefined) this.#warnUnknownPrice(model);
            extra.usage = addUsage(extra.usage, res.usage);
            extra.cost = extra.cost === null || cost === null ? null : extra.cost + cost;
            extra.calls++;
            return res;
          };
          const quality = await scoreWith(
            this.#validators,
            {
              query: req.query,
              messages: req.messages,
              response,
              responseFormat: req.responseFormat,
              tools: req.tools,
              tier,
              get complexity() {
                return complexityOf();
              },
              signal: context.signal,
              // Built only for validators that read it.
              get previous() {
                return attempts
                  .filter((a) => a.status !== 'failed')
                  .map((a) => ({ tier: a.tier, content: a.content, score: a.score }));
              },
              complete,
            },
            this.#combine,
          );
          if (extra.calls > 0) {
            // Validation calls (self-checks, judges) are part of what this attempt cost.
            attempt.usage = addUsage(attempt.usage ?? ZERO_USAGE, extra.usage);
            attempt.cost = attempt.cost === null || extra.cost === null ? null : attempt.cost + extra.cost;
          }
          const base = tier.threshold ?? 0;
          const threshold = this.#adjust
            ? Math.min(1, Math.max(0, base + COMPLEXITY_THRESHOLD_SHIFT[complexityOf()]))
            : base;
          attempt.score = quality.score;
          attempt.reasons = quality.reasons;
          attempt.checks = quality.checks;
          const cmp = `score ${quality.score.toFixed(3)} ${quality.score >= threshold ? '≥' : '<'} threshold ${threshold.toFixed(3)}`;
          attempt.status = quality.score >= threshold ? 'accepted' : 'rejected';
          attempt.reason = quality.reasons.length ? `${cmp} (${quality.reasons.join('; ')})` : cmp;
        }
      } else if (attempt.status === 'failed') {
        failures.push({
          model: tier.model,
          tier: tier.index,
          error: new Error(attempt.error?.message ?? 'failed'),
        });
      }
      attempts.push(attempt);
      const after = runner.each('afterAttempt', { request: req, attempt }, 'reverse');
      if (after) await after;
      if (this.#events.has('attempt:end'))
        this.#events.emit('attempt:end', { runId: context.runId, attempt });
      live.onEvent?.({ type: 'attempt_end', attempt });

      if (attempt.status === 'accepted') {
        accepted = attempt;
        break;
      }
      if (
        attempt.status === 'rejected' &&
        (!bestRejected || (attempt.score ?? 0) > (bestRejected.score ?? 0))
      ) {
        bestRejected = attempt;
      }
      const next = req.ladder[tier.index + 1];
      if (next) {
        this.#events.emit('escalate', { runId: context.runId, from: tier, to: next, reason: attempt.reason });
        live.onEvent?.({ type: 'escalate', from: tier, to: next, reason: attempt.reason });
      }
    }

    let degraded = false;
    if (!accepted) {
      if (!bestRejected) throw new AllTiersFailedError(failures);
      accepted = bestRejected;
      degraded = true;
      this.#events.emit('warning', {
        runId: context.runId,
        code: 'degraded_result',
        model: accepted.model,
        message: `Every tier above ${accepted.tier.name} failed; returning its draft, which scored below its threshold.`,
      });
    }
    return this.#buildResult(req, context, attempts, accepted, degraded);
  }

  async #attempt(
    req: ResolvedRequest,
    tier: ResolvedTier,
    runner: PluginRunner,
    context: RunContext,
    live: LiveHooks,
  ): Promise<AttemptRecord> {
    const provider = this.#providers.get(tier.provider)!;
    const started = performance.now();
    const timeoutMs = tier.timeoutMs ?? req.timeoutMs;
    let retries = 0;
    for (;;) {
      // A whole-answer call to a provider that enforces timeouts itself (the SDKs do) needs no timer of ours;
      // a streamed attempt is timed by the agent for its whole length.
      const sdkTimer = !live.onDelta && provider.handlesTimeout === true;
      const attemptSignal = sdkTimer
        ? providerTimed(context.signal)
        : linkedTimeoutSignal(context.signal, timeoutMs);
      const signal = attemptSignal.signal;
      const call: CompletionRequest = {
        model: tier.model,
        messages: req.messages,
        maxTokens: req.maxTokens ?? tier.maxTokens,
        temperature: req.temperature ?? tier.temperature,
        tools: req.tools,
        toolChoice: req.toolChoice,
        responseFormat: req.responseFormat,
        logprobs: true,
        ...(signal ? { signal } : {}),
        ...(sdkTimer ? { timeoutMs } : {}),
      };
      try {
        const response = live.onDelta
          ? await this.#streamed(provider, call, req, tier, runner, live)
          : await provider.complete(call);
        attemptSignal.dispose();
        return this.#record(tier, 'accepted', '', started, retries, response);
      } catch (e) {
        if (e instanceof EarlyRejection) {
          attemptSignal.dispose();
          const abandoned = this.#record(
            tier,
            'rejected',
            `abandoned early: ${e.reason}`,
            started,
            retries,
            e.partial,
          );
          abandoned.usageEstimated = true;
          return abandoned;
        }
        let error = asError(e);
        if (context.signal.aborted) throw new CascadeAbortedError(context.signal.reason);
        if (attemptSignal.timedOut()) {
          error = new ProviderError({
            code: 'provider_timeout',
            provider: provider.name,
            model: tier.model,
            message: `no answer within ${timeoutMs} ms; the request was aborted`,
            retryable: true,
            cause: e,
          });
        }
        if (CascadeFlowError.isInstance(error) && !(error instanceof ProviderError)) throw error;
        attemptSignal.dispose();
        const delay = retryDelay(error, retries + 1, this.#retry);
        if (delay === null) {
          const failed = this.#record(tier, 'failed', `failed: ${error.message}`, started, retries, null);
          failed.error = {
            code: CascadeFlowError.isInstance(error) ? error.code : 'provider_error',
            message: error.message,
            ...(error instanceof ProviderError && error.status !== undefined ? { status: error.status } : {}),
          };
          return failed;
        }
        retries++;
        this.#events.emit('retry', { runId: context.runId, tier, error, retry: retries, delayMs: delay });
        live.onEvent?.({ type: 'retry', tier, error, retry: retries, delayMs: delay });
        await sleep(delay, context.signal);
      }
    }
  }

  async #streamed(
    provider: Provider,
    call: CompletionRequest,
    req: ResolvedRequest,
    tier: ResolvedTier,
    runner: PluginRunner,
    live: LiveHooks,
  ): Promise<CompletionResponse> {
    const onDelta = live.onDelta!;
    const check = tier.index < req.ladder.length - 1 ? live.earlyReject : undefined;
    const wrapped = runner.wrapStream(provider.stream(call), { request: req, tier });
    // Collected inline rather than through another async generator: one fewer hop per token.
    const collector = new StreamCollector();
    for await (const delta of wrapped) {
      onDelta(delta, tier);
      const finished = collector.add(delta);
      if (finished) return finished;
      if (check && delta.type === 'text') {
        const reason = check({ text: collector.text, logprobs: collector.logprobs, tier });
        if (reason !== null) {
          // Throwing out of the loop closes the provider's stream (and its HTTP request) at once.
          throw new EarlyRejection(reason, {
            ...collector.partial(tier.model),
            usage: {
              inputTokens: estimateTokens(req.messages),
              outputTokens: collector.textDeltas,
              cachedInputTokens: 0,
            },
          });
        }
      }
    }
    throw new ProviderError({
      provider: provider.name,
      model: tier.model,
      message: 'the stream ended without a finish delta',
      retryable: true,
    });
  }

  #record(
    tier: ResolvedTier,
    status: AttemptRecord['status'],
    reason: string,
    started: number,
    retries: number,
    response: CompletionResponse | null,
  ): AttemptRecord {
    const usage = response?.usage ?? null;
    let cost: number | null = null;
    if (response?.cost !== undefined) {
      cost = response.cost;
    } else if (usage) {
      cost = this.#pricing.cost(tier.model, usage);
      if (cost === null) this.#warnUnknownPrice(tier.model);
    }
    return {
      tier,
      model: tier.model,
      provider: tier.provider,
      status,
      reason,
      score: null,
      reasons: [],
      checks: [],
      latencyMs: performance.now() - started,
      retries,
      usage,
      cost,
      content: response?.content ?? '',
      toolCalls: response?.toolCalls ?? [],
      finishReason: response?.finishReason ?? null,
      ...(response?.logprobs ? { logprobs: response.logprobs } : {}),
    };
  }

  #warnUnknownPrice(model: string) {
    this.#events.emit('warning', {
      code: 'unknown_price',
      model,
      message: `No price for model "${model}": its cost is reported as null. Add it to \`pricing\` to count it.`,
    });
  }

  #buildResult(
    req: ResolvedRequest,
    context: RunContext,
    attempts: AttemptRecord[],
    answer: AttemptRecord,
    degraded: boolean,
  ): CascadeResult {
    const usage = attempts.reduce((u, a) => addUsage(u, a.usage), ZERO_USAGE);
    const costs = attempts.filter((a) => a.usage !== null).map((a) => a.cost);
    const totalCost = costs.some((c) => c === null) ? null : (costs as number[]).reduce((s, c) => s + c, 0);
    const strongest = req.ladder[req.ladder.length - 1]!;
    let baselineCost: number | null = null;
    let baselineEstimated = false;
    if (answer.tier.index === strongest.index && answer.usage) {
      baselineCost = answer.cost;
    } else if (answer.usage) {
      baselineCost = this.#pricing.cost(strongest.model, answer.usage);
      baselineEstimated = true;
    }
    return {
      runId: context.runId,
      content: answer.content,
      toolCalls: answer.toolCalls,
      finishReason: answer.finishReason ?? 'other',
      model: answer.model,
      tier: answer.tier,
      attempts,
      totalCost,
      baselineCost,
      baselineEstimated,
      saving: baselineCost !== null && totalCost !== null ? baselineCost - totalCost : null,
      escalations: answer.tier.index - (attempts[0]?.tier.index ?? 0),
      degraded,
      usage,
      timings: { totalMs: Date.now() - context.startedAt, startedAt: context.startedAt },
      userId: req.userId,
      metadata: req.metadata,
    };
  }
}

/** The per-run callbacks of a request. */
interface LiveHooks {
  onDelta: RunRequest['onDelta'];
  onEvent: RunRequest['onEvent'];
  earlyReject: RunRequest['earlyReject'];
}

/** Thrown inside a streamed attempt when `earlyReject` gives up on the draft. */
class EarlyRejection extends Error {
  constructor(
    readonly reason: string,
    readonly partial: CompletionResponse,
  ) {
    super(reason);
  }
}

/** Input tokens of an abandoned stream, estimated at 4 characters a token (OpenAI's rule of thumb). */
function estimateTokens(messages: ResolvedRequest['messages']): number {
  let chars = 0;
  for (const m of messages) chars += m.content?.length ?? 0;
  return Math.ceil(chars / 4);
}

function attemptResponse(a: AttemptRecord): CompletionResponse {
  return {
    content: a.content,
    toolCalls: a.toolCalls,
    finishReason: a.finishReason ?? 'other',
    usage: a.usage ?? ZERO_USAGE,
    logprobs: a.logprobs,
    model: a.model,
  };
}

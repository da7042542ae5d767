import { climb } from '../cascade/climb.js';
import { CascadePolicy, type PriceMode } from '../cascade/policy.js';
import { NO_SPEND, spendOf } from '../cascade/spend.js';
import {
  AllTiersFailedError,
  CascadeAbortedError,
  InvalidConfigError,
  RequestRejectedError,
} from '../errors/errors.js';
import type { CascadePlugin, RunContext, RunOutcome, RunOutcomeStatus } from '../plugins/plugin.js';
import { HookTable, PluginRunner } from '../plugins/runner.js';
import { DEFAULT_PRICES } from '../pricing/default-prices.js';
import { Pricing } from '../pricing/pricing.js';
import { defaultValidators } from '../quality/defaults.js';
import type { CompletionResponse, Provider } from '../types/provider.js';
import { CascadeEmitter, type CascadeEvents, type CascadeListener } from './events.js';
import { type CascadeAgentOptions, optionsSchema } from './options.js';
import {
  type LadderCache,
  parseOrThrow,
  type RequestDefaults,
  type ResolvedRequest,
  type ResolvedTier,
  type RunRequest,
  resolveLadder,
  resolveRequest,
  type TierOptions,
} from './request.js';
import type { AttemptRecord, CascadeResult } from './result.js';
import type { RetryOptions } from './retry.js';
import { neverAborted } from './signals.js';

export type { CascadeAgentOptions } from './options.js';

let runCounter = 0;
function newRunId(): string {
  return `run_${Date.now().toString(36)}_${(++runCounter).toString(36)}`;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function statusOf(error: Error): RunOutcomeStatus {
  if (error instanceof CascadeAbortedError) return 'aborted';
  if (error instanceof RequestRejectedError) return 'rejected';
  return 'failed';
}

/**
 * A model cascade: each request goes to the cheapest tier first; the draft is scored by the validators and
 * escalated up the ladder until a tier's threshold is met. The last tier's answer is always accepted.
 *
 * @example
 * ```ts
 * import { CascadeAgent } from '@cascadeflow/core';
 * import { OpenAIProvider } from '@cascadeflow/openai';
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
  readonly #policy: CascadePolicy;
  readonly #defaultThreshold: number;
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
    this.#pricing = new Pricing(
      Object.assign({}, options.defaultPrices === false ? {} : DEFAULT_PRICES, options.pricing ?? {}),
    );
    this.#policy = new CascadePolicy({
      pricing: this.#pricing,
      validators: options.validators ?? defaultValidators(),
      combine: parsed.combine ?? 'min',
      adjustThresholdsByComplexity: options.adjustThresholdsByComplexity ?? false,
      onUnknownPrice: (model) => this.#warnUnknownPrice(model),
    });
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
   * agent.on('run:escalate', (e) => metrics.increment('escalations', { from: e.from.name }));
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
    const ledger: AttemptRecord[] = [];
    let runner: PluginRunner | undefined;
    let resolved: ResolvedRequest | undefined;
    let result: CascadeResult;
    try {
      if (signal.aborted) throw new CascadeAbortedError(signal.reason);
      runner = new PluginRunner(this.#hooks, context);
      const configuredOrPromise = runner.resolveConfig(request);
      const configured =
        configuredOrPromise instanceof Promise ? await configuredOrPromise : configuredOrPromise;
      resolved = resolveRequest(configured, this.#defaults());
      const gated = runner.beforeRun(resolved);
      resolved = gated instanceof Promise ? await gated : gated;
      result = await climb(
        {
          providers: this.#providers,
          policy: this.#policy,
          retry: this.#retry,
          events: this.#events,
          runner,
          context,
          live: {
            onDelta: configured.onDelta ?? request.onDelta,
            onEvent: configured.onEvent ?? request.onEvent,
            earlyReject: configured.earlyReject ?? request.earlyReject,
          },
          ledger,
        },
        resolved,
      );
      const after = runner.afterRun(resolved, result);
      result = after instanceof Promise ? await after : after;
    } catch (e) {
      let error = asError(e);
      if (signal.aborted && !(error instanceof CascadeAbortedError))
        error = new CascadeAbortedError(signal.reason);
      if (runner?.settles) {
        const settled = this.#settle(runner, resolved, {
          status: statusOf(error),
          attempts: ledger,
          spend: ledger.length ? spendOf(ledger) : NO_SPEND,
          error,
        });
        if (settled) await settled;
      }
      this.#events.emit('run:error', { runId: context.runId, error });
      throw error;
    }
    if (runner.settles) {
      const settled = this.#settle(runner, resolved, {
        status: 'accepted',
        attempts: ledger,
        spend: spendOf(ledger),
        result,
      });
      if (settled) await settled;
    }
    if (this.#events.has('run:end')) this.#events.emit('run:end', { runId: context.runId, result });
    return result;
  }

  /** Tells every plugin how the run ended; returns a promise only when some `onSettle` did. */
  #settle(
    runner: PluginRunner,
    request: ResolvedRequest | undefined,
    outcome: RunOutcome,
  ): Promise<void> | undefined {
    Object.freeze(outcome.attempts);
    const failures: { plugin: string; error: unknown }[] = [];
    const pending = runner.settle(request, Object.freeze(outcome), failures);
    if (pending) return pending.then(() => this.#warnSettleFailures(runner, failures));
    if (failures.length) this.#warnSettleFailures(runner, failures);
    return undefined;
  }

  #warnSettleFailures(runner: PluginRunner, failures: { plugin: string; error: unknown }[]): void {
    for (const f of failures) {
      this.#events.emit('agent:warning', {
        runId: runner.context.runId,
        code: 'settle_failed',
        plugin: f.plugin,
        message: `Plugin "${f.plugin}" threw in onSettle: ${asError(f.error).message}`,
      });
    }
  }

  readonly #ladderCache: LadderCache = new WeakMap();

  #defaults(): RequestDefaults {
    return {
      ladderCache: this.#ladderCache,
      tiers: this.#tiers,
      providers: this.#providers,
      defaultThreshold: this.#defaultThreshold,
      timeoutMs: this.#timeoutMs,
      resolvedLadder: this.ladder,
    };
  }

  /**
   * Judges one tier's response exactly as `run()` would (validators, threshold, complexity shift, the
   * validators' own calls paid into the attempt), without calling that tier: for pipelines that obtain
   * responses another way, such as provider batch APIs. Returns the decided attempt record.
   *
   * @example
   * ```ts
   * const attempt = await agent.judge({ request: 'Capital of France?', tierIndex: 0, response });
   * if (attempt.status === 'rejected') escalate();
   * ```
   */
  async judge(args: {
    request: string | RunRequest;
    tierIndex: number;
    response: CompletionResponse;
    /** Earlier attempts of the same request (for agreement signals). */
    previous?: readonly AttemptRecord[];
    latencyMs?: number;
    /** Price the call (and the validators' calls) at batch prices. */
    batch?: boolean;
    signal?: AbortSignal;
  }): Promise<AttemptRecord> {
    const req = this.#resolveFor(args.request);
    const tier = req.ladder[args.tierIndex];
    if (!tier)
      throw new InvalidConfigError(
        'tierIndex',
        `the ladder has ${req.ladder.length} tiers, not ${args.tierIndex + 1}`,
      );
    const mode: PriceMode = { batch: args.batch === true };
    const attempt = this.#policy.record(
      tier,
      args.response,
      { latencyMs: args.latencyMs ?? 0, retries: 0 },
      mode,
    );
    await this.#policy.decide({
      request: req,
      attempt,
      previous: args.previous ?? [],
      provider: this.#providers.get(tier.provider)!,
      signal: args.signal ?? neverAborted(),
      scratch: {},
      mode,
    });
    return attempt;
  }

  /**
   * Builds the result of a request from attempts made outside `run()` (a batch API): the answer is the
   * accepted attempt, or the best rejected draft (`degraded`) when every tier above it failed. Costs, the
   * baseline and the saving follow the same rules as `run()`.
   *
   * @throws AllTiersFailedError when no attempt answered.
   * @example
   * ```ts
   * const result = agent.resultOf({ request: 'Capital of France?', attempts: [draft, verified], batch: true });
   * ```
   */
  resultOf(args: {
    request: string | RunRequest;
    attempts: readonly AttemptRecord[];
    runId?: string;
    startedAt?: number;
    batch?: boolean;
  }): CascadeResult {
    const req = this.#resolveFor(args.request);
    let answer = args.attempts.find((a) => a.status === 'accepted');
    const degraded = answer === undefined;
    answer ??= this.#policy.bestRejected(args.attempts);
    if (!answer)
      throw new AllTiersFailedError(
        args.attempts.map((a) => ({
          model: a.model,
          tier: a.tier.index,
          error: new Error(a.error?.message ?? a.reason),
        })),
      );
    return this.#policy.result({
      request: req,
      runId: args.runId ?? newRunId(),
      startedAt: args.startedAt ?? Date.now(),
      attempts: args.attempts,
      answer,
      degraded,
      mode: { batch: args.batch === true },
    });
  }

  #resolveFor(request: string | RunRequest): ResolvedRequest {
    return resolveRequest(typeof request === 'string' ? { query: request } : request, this.#defaults());
  }

  /** The provider registered under a name (for batch pipelines that talk to its API directly). */
  provider(name: string): Provider | undefined {
    return this.#providers.get(name);
  }

  #warnUnknownPrice(model: string) {
    this.#events.emit('agent:warning', {
      code: 'unknown_price',
      model,
      message: `No price for model "${model}": its cost is reported as null. Add it to \`pricing\` to count it.`,
    });
  }
}

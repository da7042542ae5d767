import type { ResolvedRequest, RunRequest } from '../agent/request.js';
import type { AttemptRecord, CascadeResult } from '../agent/result.js';
import type { Pricing } from '../pricing/pricing.js';
import type { TierInfo } from '../quality/validator.js';
import type { StreamDelta } from '../types/provider.js';

type MaybePromise<T> = T | Promise<T>;

/** What every hook knows about the run it serves. */
export interface RunContext {
  /** Unique id of this run, also on the result and every event. */
  readonly runId: string;
  readonly userId: string | undefined;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Fires when the caller aborts the run. Hooks doing I/O should pass it on. */
  readonly signal: AbortSignal;
  /** `Date.now()` when the run started. */
  readonly startedAt: number;
  /** The agent's price table (for plugins that reserve or report cost). */
  readonly pricing: Pricing;
  /** The agent's own ladder (before any per-request override), cheapest first. */
  readonly agentLadder: readonly TierInfo[];
}

/** Fields every hook receives: the run context and this plugin's own per-run state. */
export interface HookArgs<S> {
  context: RunContext;
  /** This plugin's state for this run, from `createState` (an empty object when it has none). */
  state: S;
}

/**
 * A plugin: the one interface through which limits, budgets, profiles, guardrails and streaming compose
 * with the cascade. Every hook is optional and takes one options object, so new fields never break a plugin.
 *
 * **The request path and the order of hooks**
 * 1. `resolveConfig` in registration order: may return a new {@link RunRequest} (profiles pick the ladder,
 *    thresholds, max tokens). The result is then validated; a bad value fails with `InvalidConfigError`.
 * 2. `beforeRun` in registration order: a gate. Throw a `RequestRejectedError` to refuse the run (rate
 *    limit, budget, input guardrail), or return a new {@link ResolvedRequest} to rewrite it (redaction).
 * 3. For each tier tried: `beforeAttempt` in registration order, the provider call (with retries), then
 *    `afterAttempt` in reverse registration order, for accepted, rejected and failed attempts alike.
 *    When the run streams, `wrapStream` wraps the provider's deltas: the first plugin registered is the
 *    outermost wrapper, so it sees what every later plugin produced.
 * 4. `afterRun` in reverse registration order: may return a new {@link CascadeResult} (output guardrails,
 *    settling real cost) or throw a `RequestRejectedError` to refuse the answer.
 * 5. `onError` in reverse registration order, once, when the run fails at any step (including a rejection).
 *
 * **Errors.** A `RequestRejectedError` (or any `CascadeFlowError`) thrown by a hook ends the run and
 * reaches the caller unchanged, with `plugin` set on a rejection. Anything else is wrapped in a
 * `PluginError` naming the plugin and the hook. Errors thrown inside `onError` are not thrown again:
 * they are emitted as `warning` events. An aborted signal ends the run with `CascadeAbortedError` between
 * any two hooks.
 *
 * @example
 * ```ts
 * const auditLog: CascadePlugin<{ calls: number }> = {
 *   name: 'audit-log',
 *   createState: () => ({ calls: 0 }),
 *   afterAttempt: ({ state, attempt }) => { state.calls++; store.push(attempt.model, attempt.cost); },
 *   afterRun: ({ state, result }) => { store.push(`run ${result.runId}: ${state.calls} calls`); },
 * };
 * const agent = new CascadeAgent({ providers, ladder, plugins: [auditLog] });
 * ```
 */
export interface CascadePlugin<S = Record<string, unknown>> {
  /** Unique name; appears in errors and events. */
  readonly name: string;
  /** Creates this plugin's state for one run. */
  createState?(context: RunContext): S;
  resolveConfig?(args: HookArgs<S> & { request: RunRequest }): MaybePromise<RunRequest | undefined | void>;
  beforeRun?(
    args: HookArgs<S> & { request: ResolvedRequest },
  ): MaybePromise<ResolvedRequest | undefined | void>;
  beforeAttempt?(args: HookArgs<S> & { request: ResolvedRequest; tier: TierInfo }): MaybePromise<void>;
  afterAttempt?(args: HookArgs<S> & { request: ResolvedRequest; attempt: AttemptRecord }): MaybePromise<void>;
  wrapStream?(
    args: HookArgs<S> & { request: ResolvedRequest; tier: TierInfo; stream: AsyncIterable<StreamDelta> },
  ): AsyncIterable<StreamDelta>;
  afterRun?(
    args: HookArgs<S> & { request: ResolvedRequest; result: CascadeResult },
  ): MaybePromise<CascadeResult | undefined | void>;
  onError?(args: HookArgs<S> & { request: ResolvedRequest | undefined; error: Error }): MaybePromise<void>;
}

/**
 * Declares a plugin with its state type inferred. Identity at run time.
 *
 * @example
 * ```ts
 * export const counter = definePlugin({ name: 'counter', createState: () => ({ n: 0 }), afterAttempt: ({ state }) => { state.n++; } });
 * ```
 */
export function definePlugin<S>(plugin: CascadePlugin<S>): CascadePlugin<S> {
  return plugin;
}

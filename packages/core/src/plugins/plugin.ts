import type { ResolvedRequest, RunRequest } from '../agent/request.js';
import type { AttemptRecord, CascadeResult } from '../agent/result.js';
import type { Spend } from '../cascade/spend.js';
import type { Pricing } from '../pricing/pricing.js';
import type { TierInfo } from '../quality/validator.js';

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
 * How a run ended, as `onSettle` is told it:
 * - `accepted`: the run returned a result (possibly `degraded`);
 * - `rejected`: a plugin refused the request or the answer (`RequestRejectedError`, e.g. a limit or an output
 *   guardrail): attempts made before the refusal were still paid for;
 * - `aborted`: the caller's signal fired;
 * - `failed`: every tier failed, a plugin broke, or the request was invalid.
 */
export type RunOutcomeStatus = 'accepted' | 'rejected' | 'aborted' | 'failed';

/** What `onSettle` receives: the outcome, every attempt the engine made, and what they cost. */
export interface RunOutcome {
  status: RunOutcomeStatus;
  /**
   * Every attempt of the run, as the engine recorded it (frozen): accepted, rejected and failed ones, and an
   * attempt cut short by an abort or a stream rejection (with `usageEstimated`). Plugins cannot change them.
   */
  attempts: readonly AttemptRecord[];
  /** The sum over `attempts`, computed by the engine: what the provider calls really cost. */
  spend: Spend;
  /** The result returned to the caller, after every `afterRun`, when `status` is `accepted`. */
  result?: CascadeResult;
  /** Why the run did not return a result. */
  error?: Error;
}

/**
 * Rewrites the text of one streamed attempt on its way to the caller (output redaction). It sees and returns
 * text only: log-probs, usage, tool calls and the finish reach the caller untouched, and the engine scores the
 * provider's own text, never the rewritten one. Throw a `RequestRejectedError` to stop the run (a blocked
 * secret in the output).
 */
export interface TextTransform {
  /** A chunk of the provider's text in; the text to show now out (may be '' to hold some back). */
  push(text: string): string;
  /** The stream ended: the text still held back. */
  flush(): string;
}

/** Runs a provider call inside a scope (see {@link CascadePlugin.aroundCall}). */
export type CallScope = (call: () => Promise<unknown>) => Promise<unknown>;

/**
 * A plugin: the one interface through which limits, budgets, profiles, guardrails, recording and tracing
 * compose with the cascade. Every hook is optional and takes one options object, so new fields never break a
 * plugin. The whole contract (order, errors, guarantees) is here; `docs/plugins.md` says the same with
 * diagrams.
 *
 * **Order of hooks in a run**
 * 1. `resolveConfig`, registration order: may return a new {@link RunRequest} (profiles pick the ladder,
 *    thresholds, max tokens, and hand settings to other plugins through typed {@link PluginHandoffs}).
 * 2. `beforeRun`, registration order: a gate. Throw a `RequestRejectedError` to refuse the run (rate limit,
 *    budget, input guardrail), or return a new {@link ResolvedRequest} to rewrite it (input redaction).
 * 3. For each tier tried: `beforeAttempt` (registration order), the provider call with retries, scoring,
 *    then `afterAttempt` (reverse order) for accepted, rejected and failed attempts alike. When the run
 *    streams, `transformText` of each plugin rewrites the text shown to the caller; the first plugin
 *    registered is outermost (it sees what every later plugin produced).
 * 4. `afterRun`, reverse order: may return a new {@link CascadeResult} (output guardrails) or throw a
 *    `RequestRejectedError` to refuse the answer.
 * 5. `onSettle`, reverse order, **exactly once per run, however it ended** (accepted, rejected by any plugin
 *    at any step, aborted, failed), with the attempts and their {@link Spend} as the engine recorded them.
 *    A plugin that reserves something (limits, budgets) settles here: it is always told what was really
 *    spent, and no other plugin can skip or change that.
 *
 * **Guarantees.** The engine scores what the provider produced: no hook sees the stream before scoring, and a
 * text transform cannot drop log-probs, usage or tool calls. Attempt records are frozen. The caller's abort is
 * checked before every hook of steps 1 to 4 and between every two of them; `onSettle` runs even after an
 * abort.
 *
 * **Errors.** A `RequestRejectedError` (or any `CascadeFlowError`) thrown by a hook ends the run and reaches
 * the caller unchanged, with `plugin` set on a rejection. Anything else is wrapped in a `PluginError` naming
 * the plugin and the hook. Errors thrown by `onSettle` never change the outcome: they are emitted as
 * `warning` events (code `settle_failed`).
 *
 * @example
 * ```ts
 * const auditLog: CascadePlugin<{ calls: number }> = {
 *   name: 'audit-log',
 *   createState: () => ({ calls: 0 }),
 *   afterAttempt: ({ state, attempt }) => { state.calls++; store.push(attempt.model, attempt.cost); },
 *   onSettle: ({ outcome }) => { store.push(`${outcome.status}: $${outcome.spend.cost}`); },
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
  afterAttempt?(
    args: HookArgs<S> & { request: ResolvedRequest; attempt: Readonly<AttemptRecord> },
  ): MaybePromise<void>;
  /**
   * Returns a scope that one tier's provider call (with its retries) runs inside (a tracing context, an
   * AsyncLocalStorage store), or nothing. The scope must call `call` once; it sees neither the call's
   * arguments nor its result, and the engine uses the call's own result, whatever the scope returns. The first
   * plugin registered is the outermost scope.
   */
  aroundCall?(args: HookArgs<S> & { request: ResolvedRequest; tier: TierInfo }): CallScope | undefined;
  /** Returns the text transform of one streamed attempt, or nothing to leave its text as it is. */
  transformText?(args: HookArgs<S> & { request: ResolvedRequest; tier: TierInfo }): TextTransform | undefined;
  afterRun?(
    args: HookArgs<S> & { request: ResolvedRequest; result: CascadeResult },
  ): MaybePromise<CascadeResult | undefined | void>;
  onSettle?(
    args: HookArgs<S> & { request: ResolvedRequest | undefined; outcome: RunOutcome },
  ): MaybePromise<void>;
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

import type { ResolvedRequest, RunRequest } from '../agent/request.js';
import type { AttemptRecord, CascadeResult } from '../agent/result.js';
import {
  CascadeAbortedError,
  CascadeFlowError,
  PluginError,
  RequestRejectedError,
} from '../errors/errors.js';
import type { TierInfo } from '../quality/validator.js';
import type { CallScope, CascadePlugin, RunContext, RunOutcome, TextTransform } from './plugin.js';

type AnyPlugin = CascadePlugin<any>;
type MaybePromise<T> = T | Promise<T>;

/** Plugins that implement each hook, in the order the hook runs; computed once per agent. */
export class HookTable {
  readonly resolveConfig: readonly AnyPlugin[];
  readonly beforeRun: readonly AnyPlugin[];
  readonly beforeAttempt: readonly AnyPlugin[];
  /** Reverse registration order. */
  readonly afterAttempt: readonly AnyPlugin[];
  /** Registration order: the first is outermost. */
  readonly transformText: readonly AnyPlugin[];
  /** Registration order: the first is outermost. */
  readonly aroundCall: readonly AnyPlugin[];
  /** Reverse registration order. */
  readonly afterRun: readonly AnyPlugin[];
  /** Reverse registration order. */
  readonly onSettle: readonly AnyPlugin[];
  readonly stateful: readonly AnyPlugin[];

  constructor(plugins: readonly AnyPlugin[]) {
    const having = (hook: keyof AnyPlugin) => plugins.filter((p) => typeof p[hook] === 'function');
    this.resolveConfig = having('resolveConfig');
    this.beforeRun = having('beforeRun');
    this.beforeAttempt = having('beforeAttempt');
    this.afterAttempt = having('afterAttempt').reverse();
    this.transformText = having('transformText');
    this.aroundCall = having('aroundCall');
    this.afterRun = having('afterRun').reverse();
    this.onSettle = having('onSettle').reverse();
    this.stateful = having('createState');
  }
}

/** A rejection keeps its own class and gets the plugin's name; other CascadeFlow errors pass; the rest is wrapped. */
function wrapError(plugin: string, hook: string, error: unknown): Error {
  if (error instanceof RequestRejectedError) return error.attributeTo(plugin);
  if (CascadeFlowError.isInstance(error)) return error;
  return new PluginError(plugin, hook, error);
}

/**
 * Runs the hooks of every plugin for one run, with per-plugin state and the order, abort checks and error
 * policy documented on {@link CascadePlugin}. Hooks that return synchronously cost no promise hop.
 */
export class PluginRunner {
  readonly #table: HookTable;
  readonly #states = new Map<AnyPlugin, unknown>();
  readonly context: RunContext;

  constructor(table: HookTable, context: RunContext) {
    this.#table = table;
    this.context = context;
    for (const p of table.stateful) {
      try {
        this.#states.set(p, p.createState!(context));
      } catch (error) {
        throw new PluginError(p.name, 'createState', error);
      }
    }
  }

  #state(p: AnyPlugin): unknown {
    let state = this.#states.get(p);
    if (state === undefined) {
      state = {};
      this.#states.set(p, state);
    }
    return state;
  }

  #checkAbort(): void {
    if (this.context.signal.aborted) throw new CascadeAbortedError(this.context.signal.reason);
  }

  /**
   * Calls `call` for each plugin in `list`, threading a value that a hook may replace, checking the signal
   * before each. Stays synchronous until a hook returns a promise.
   */
  #thread<V>(
    list: readonly AnyPlugin[],
    hook: string,
    value: V,
    call: (p: AnyPlugin, state: unknown, current: V) => MaybePromise<V | undefined | void>,
  ): MaybePromise<V> {
    let current = value;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      this.#checkAbort();
      let out: MaybePromise<V | undefined | void>;
      try {
        out = call(p, this.#state(p), current);
      } catch (error) {
        throw wrapError(p.name, hook, error);
      }
      if (out instanceof Promise) return this.#threadAsync(list, i, out, hook, current, call);
      if (out !== undefined) current = out as V;
    }
    return current;
  }

  async #threadAsync<V>(
    list: readonly AnyPlugin[],
    from: number,
    pending: Promise<V | undefined | void>,
    hook: string,
    value: V,
    call: (p: AnyPlugin, state: unknown, current: V) => MaybePromise<V | undefined | void>,
  ): Promise<V> {
    let current = value;
    try {
      const out = await pending;
      if (out !== undefined) current = out as V;
    } catch (error) {
      throw wrapError(list[from]!.name, hook, error);
    }
    for (let i = from + 1; i < list.length; i++) {
      const p = list[i]!;
      this.#checkAbort();
      try {
        const out = await call(p, this.#state(p), current);
        if (out !== undefined) current = out as V;
      } catch (error) {
        throw wrapError(p.name, hook, error);
      }
    }
    return current;
  }

  resolveConfig(request: RunRequest): MaybePromise<RunRequest> {
    return this.#thread(this.#table.resolveConfig, 'resolveConfig', request, (p, state, current) =>
      p.resolveConfig!({ context: this.context, state, request: current }),
    );
  }

  beforeRun(request: ResolvedRequest): MaybePromise<ResolvedRequest> {
    return this.#thread(this.#table.beforeRun, 'beforeRun', request, (p, state, current) =>
      p.beforeRun!({ context: this.context, state, request: current }),
    );
  }

  /** Returns a promise only when some hook did. */
  beforeAttempt(request: ResolvedRequest, tier: TierInfo): Promise<void> | undefined {
    const list = this.#table.beforeAttempt;
    if (list.length === 0) {
      this.#checkAbort();
      return undefined;
    }
    const out = this.#thread(list, 'beforeAttempt', undefined, (p, state) =>
      p.beforeAttempt!({ context: this.context, state, request, tier }),
    );
    return out instanceof Promise ? out.then(() => undefined) : undefined;
  }

  /** Returns a promise only when some hook did. */
  afterAttempt(request: ResolvedRequest, attempt: Readonly<AttemptRecord>): Promise<void> | undefined {
    const list = this.#table.afterAttempt;
    if (list.length === 0) return undefined;
    const out = this.#thread(list, 'afterAttempt', undefined, (p, state) =>
      p.afterAttempt!({ context: this.context, state, request, attempt }),
    );
    return out instanceof Promise ? out.then(() => undefined) : undefined;
  }

  /**
   * Runs `call` inside every plugin's `aroundCall` scope (first registered outermost). A scope cannot change
   * the result: the call's own result (or error) is what comes back, and a scope that does not call it once
   * fails as a PluginError.
   */
  async aroundCall<T>(request: ResolvedRequest, tier: TierInfo, call: () => Promise<T>): Promise<T> {
    const list = this.#table.aroundCall;
    // The real call, run at most once; its own outcome is what the engine gets.
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    let started = false;
    let outermost = '';
    const once = (): Promise<unknown> => {
      if (started)
        return Promise.reject(
          new PluginError(outermost, 'aroundCall', new Error('called the provider call twice')),
        );
      started = true;
      return call().then(
        (value) => {
          outcome = { ok: true, value };
          return value;
        },
        (error: unknown) => {
          outcome = { ok: false, error };
          throw error;
        },
      );
    };
    let run: () => Promise<unknown> = once;
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i]!;
      let scope: CallScope | undefined;
      try {
        scope = p.aroundCall!({ context: this.context, state: this.#state(p), request, tier });
      } catch (error) {
        throw wrapError(p.name, 'aroundCall', error);
      }
      if (!scope) continue;
      const inner = run;
      const s = scope;
      run = () => s(inner);
      outermost = p.name;
    }
    try {
      await run();
    } catch (error) {
      if (outcome === undefined) throw wrapError(outermost, 'aroundCall', error);
    }
    if (outcome === undefined)
      throw new PluginError(outermost, 'aroundCall', new Error('returned without running the provider call'));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** True when some plugin scopes provider calls. */
  get scopesCalls(): boolean {
    return this.#table.aroundCall.length > 0;
  }

  /** The text transforms of one streamed attempt, innermost first (the order text flows through them). */
  textTransforms(request: ResolvedRequest, tier: TierInfo): { plugin: string; transform: TextTransform }[] {
    const out: { plugin: string; transform: TextTransform }[] = [];
    const list = this.#table.transformText;
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i]!;
      try {
        const transform = p.transformText!({ context: this.context, state: this.#state(p), request, tier });
        if (transform) out.push({ plugin: p.name, transform });
      } catch (error) {
        throw wrapError(p.name, 'transformText', error);
      }
    }
    return out;
  }

  afterRun(request: ResolvedRequest, result: CascadeResult): MaybePromise<CascadeResult> {
    return this.#thread(this.#table.afterRun, 'afterRun', result, (p, state, current) =>
      p.afterRun!({ context: this.context, state, request, result: current }),
    );
  }

  /**
   * Calls every `onSettle` (reverse order, even after an abort); collects what they threw instead of throwing.
   * Returns a promise only when some hook did.
   */
  settle(
    request: ResolvedRequest | undefined,
    outcome: RunOutcome,
    failures: { plugin: string; error: unknown }[],
  ): Promise<void> | undefined {
    const list = this.#table.onSettle;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      try {
        const out = p.onSettle!({ context: this.context, state: this.#state(p), request, outcome });
        if (out instanceof Promise) return this.#settleAsync(list, i, out, request, outcome, failures);
      } catch (error) {
        failures.push({ plugin: p.name, error });
      }
    }
    return undefined;
  }

  async #settleAsync(
    list: readonly AnyPlugin[],
    from: number,
    pending: Promise<void>,
    request: ResolvedRequest | undefined,
    outcome: RunOutcome,
    failures: { plugin: string; error: unknown }[],
  ): Promise<void> {
    try {
      await pending;
    } catch (error) {
      failures.push({ plugin: list[from]!.name, error });
    }
    for (let i = from + 1; i < list.length; i++) {
      const p = list[i]!;
      try {
        await p.onSettle!({ context: this.context, state: this.#state(p), request, outcome });
      } catch (error) {
        failures.push({ plugin: p.name, error });
      }
    }
  }

  /** True when some plugin settles (the agent skips building the outcome otherwise). */
  get settles(): boolean {
    return this.#table.onSettle.length > 0;
  }
}

/**
 * Runs text through a chain of transforms (innermost first); a transform that throws is named in the error.
 */
export function pushThrough(
  chain: readonly { plugin: string; transform: TextTransform }[],
  text: string,
): string {
  let out = text;
  for (const { plugin, transform } of chain) {
    try {
      out = transform.push(out);
    } catch (error) {
      throw wrapError(plugin, 'transformText', error);
    }
  }
  return out;
}

/** Flushes a chain of transforms: what an inner one still held goes through the outer ones, then they flush. */
export function flushThrough(chain: readonly { plugin: string; transform: TextTransform }[]): string {
  let out = '';
  for (const { plugin, transform } of chain) {
    try {
      out = (out === '' ? '' : transform.push(out)) + transform.flush();
    } catch (error) {
      throw wrapError(plugin, 'transformText', error);
    }
  }
  return out;
}

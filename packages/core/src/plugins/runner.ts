import {
  CascadeAbortedError,
  CascadeFlowError,
  PluginError,
  RequestRejectedError,
} from '../errors/errors.js';
import type { CascadePlugin, RunContext } from './plugin.js';

type AnyPlugin = CascadePlugin<any>;
type HookName = Exclude<keyof AnyPlugin, 'name' | 'createState'>;

const HOOKS: HookName[] = [
  'resolveConfig',
  'beforeRun',
  'beforeAttempt',
  'afterAttempt',
  'wrapStream',
  'afterRun',
  'onError',
];

/** Plugins that implement each hook, in registration order and reversed; computed once per agent. */
export class HookTable {
  readonly plugins: readonly AnyPlugin[];
  readonly forward: Readonly<Record<HookName, readonly AnyPlugin[]>>;
  readonly reverse: Readonly<Record<HookName, readonly AnyPlugin[]>>;
  readonly stateful: readonly AnyPlugin[];

  constructor(plugins: readonly AnyPlugin[]) {
    this.plugins = plugins;
    const forward = {} as Record<HookName, AnyPlugin[]>;
    const reverse = {} as Record<HookName, AnyPlugin[]>;
    for (const hook of HOOKS) {
      forward[hook] = plugins.filter((p) => typeof p[hook] === 'function');
      reverse[hook] = [...forward[hook]].reverse();
    }
    this.forward = forward;
    this.reverse = reverse;
    this.stateful = plugins.filter((p) => typeof p.createState === 'function');
  }
}

function wrapError(p: AnyPlugin, hook: string, error: unknown): Error {
  if (
    error instanceof RequestRejectedError ||
    (CascadeFlowError.isInstance(error) &&
      typeof (error as Partial<RequestRejectedError>).attributeTo === 'function')
  ) {
    const rejected = error as RequestRejectedError;
    return typeof rejected.attributeTo === 'function' ? rejected.attributeTo(p.name) : rejected;
  }
  if (CascadeFlowError.isInstance(error)) return error;
  return new PluginError(p.name, hook, error);
}

/** Runs the hooks of every plugin for one run, with per-plugin state and the error policy of {@link CascadePlugin}. */
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
    let s = this.#states.get(p);
    if (s === undefined) {
      s = {};
      this.#states.set(p, s);
    }
    return s;
  }

  #args(p: AnyPlugin, extra: object): any {
    const args: any = { context: this.context, state: this.#state(p) };
    for (const k in extra) args[k] = (extra as any)[k];
    return args;
  }

  #checkAbort() {
    if (this.context.signal.aborted) throw new CascadeAbortedError(this.context.signal.reason);
  }

  async #thread<V>(
    list: readonly AnyPlugin[],
    hook: HookName,
    key: string,
    value: V,
    extra: object,
    checkAbort: boolean,
  ): Promise<V> {
    let current = value;
    for (const p of list) {
      if (checkAbort) this.#checkAbort();
      try {
        const args = this.#args(p, extra);
        args[key] = current;
        let out = (p[hook] as (a: unknown) => unknown).call(p, args);
        if (out instanceof Promise) out = await out;
        if (out !== undefined) current = out as V;
      } catch (error) {
        throw wrapError(p, hook, error);
      }
    }
    return current;
  }

  /** Runs a hook in registration order, threading an optional replacement value through. */
  pipe<V>(hook: HookName, key: string, value: V, extra: object = {}): Promise<V> | V {
    const list = this.#table.forward[hook];
    return list.length === 0 ? value : this.#thread(list, hook, key, value, extra, true);
  }

  /** Same as {@link pipe} in reverse registration order (the "after" hooks). */
  pipeReverse<V>(hook: HookName, key: string, value: V, extra: object = {}): Promise<V> | V {
    const list = this.#table.reverse[hook];
    return list.length === 0 ? value : this.#thread(list, hook, key, value, extra, false);
  }

  /**
   * Calls a hook that returns nothing, in registration (`forward`, checking the signal first) or reverse
   * order. Returns a promise only when some hook did, so that a run with no async hooks pays no extra hop.
   */
  each(hook: HookName, extra: object, order: 'forward' | 'reverse'): Promise<void> | undefined {
    const list = order === 'forward' ? this.#table.forward[hook] : this.#table.reverse[hook];
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (order === 'forward') this.#checkAbort();
      let out: unknown;
      try {
        out = (p[hook] as (a: unknown) => unknown).call(p, this.#args(p, extra));
      } catch (error) {
        throw wrapError(p, hook, error);
      }
      if (out instanceof Promise) return this.#eachAsync(list, i, out, hook, extra, order);
    }
    return undefined;
  }

  async #eachAsync(
    list: readonly AnyPlugin[],
    from: number,
    pending: Promise<unknown>,
    hook: HookName,
    extra: object,
    order: 'forward' | 'reverse',
  ): Promise<void> {
    try {
      await pending;
    } catch (error) {
      throw wrapError(list[from]!, hook, error);
    }
    for (let i = from + 1; i < list.length; i++) {
      const p = list[i]!;
      if (order === 'forward') this.#checkAbort();
      try {
        await (p[hook] as (a: unknown) => unknown).call(p, this.#args(p, extra));
      } catch (error) {
        throw wrapError(p, hook, error);
      }
    }
  }

  /** Wraps a stream with every plugin's `wrapStream`; the first registered ends up outermost. */
  wrapStream<T>(stream: AsyncIterable<T>, extra: object): AsyncIterable<T> {
    let current = stream;
    for (const p of this.#table.reverse.wrapStream) {
      try {
        current = guardStream(
          p.name,
          p.wrapStream!(this.#args(p, { ...extra, stream: current })) as AsyncIterable<T>,
        );
      } catch (error) {
        throw wrapError(p, 'wrapStream', error);
      }
    }
    return current;
  }

  /** Calls every `onError` in reverse order; returns the errors they threw instead of throwing them. */
  async onError(extra: object): Promise<{ plugin: string; error: unknown }[]> {
    const failures: { plugin: string; error: unknown }[] = [];
    for (const p of this.#table.reverse.onError) {
      try {
        await p.onError!(this.#args(p, extra));
      } catch (error) {
        failures.push({ plugin: p.name, error });
      }
    }
    return failures;
  }
}

/** Re-throws what a plugin's stream throws as a PluginError; CascadeFlow errors from inner layers pass through. */
async function* guardStream<T>(plugin: string, stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    // Errors from inner layers already carry their plugin; a rejection from this one gets its name.
    if (
      CascadeFlowError.isInstance(error) &&
      !(typeof (error as Partial<RequestRejectedError>).attributeTo === 'function')
    )
      throw error;
    throw wrapError({ name: plugin } as AnyPlugin, 'wrapStream', error);
  }
}

import { CascadeAbortedError, CascadeFlowError, PluginError, RequestRejectedError } from '../errors/errors.js';
import type { CascadePlugin, RunContext } from './plugin.js';

type AnyPlugin = CascadePlugin<any>;

/** Runs the hooks of every plugin for one run, with per-plugin state and the error policy of {@link CascadePlugin}. */
export class PluginRunner {
  readonly #plugins: readonly AnyPlugin[];
  readonly #states = new Map<AnyPlugin, unknown>();
  readonly context: RunContext;

  constructor(plugins: readonly AnyPlugin[], context: RunContext) {
    this.#plugins = plugins;
    this.context = context;
    for (const p of plugins) {
      try {
        this.#states.set(p, p.createState ? p.createState(context) : {});
      } catch (error) {
        throw new PluginError(p.name, 'createState', error);
      }
    }
  }

  get plugins(): readonly AnyPlugin[] {
    return this.#plugins;
  }

  #args<T extends object>(p: AnyPlugin, extra: T): T & { context: RunContext; state: any } {
    return { ...extra, context: this.context, state: this.#states.get(p) };
  }

  static #wrap(p: AnyPlugin, hook: string, error: unknown): Error {
    if (error instanceof RequestRejectedError || (CascadeFlowError.isInstance(error) && error.code === 'request_rejected')) {
      const rejected = error as RequestRejectedError;
      return typeof rejected.attributeTo === 'function' ? rejected.attributeTo(p.name) : rejected;
    }
    if (CascadeFlowError.isInstance(error)) return error;
    return new PluginError(p.name, hook, error);
  }

  #checkAbort() {
    if (this.context.signal.aborted) throw new CascadeAbortedError(this.context.signal.reason);
  }

  /** Runs a hook in registration order, threading an optional replacement value through. */
  async pipe<V, K extends keyof AnyPlugin>(hook: K, key: string, value: V, extra: object = {}): Promise<V> {
    let current = value;
    for (const p of this.#plugins) {
      const fn = p[hook] as ((a: any) => unknown) | undefined;
      if (!fn) continue;
      this.#checkAbort();
      try {
        const out = await fn.call(p, this.#args(p, { ...extra, [key]: current }));
        if (out !== undefined) current = out as V;
      } catch (error) {
        throw PluginRunner.#wrap(p, String(hook), error);
      }
    }
    return current;
  }

  /** Same as {@link pipe} in reverse registration order (the "after" hooks). */
  async pipeReverse<V, K extends keyof AnyPlugin>(hook: K, key: string, value: V, extra: object = {}): Promise<V> {
    let current = value;
    for (const p of [...this.#plugins].reverse()) {
      const fn = p[hook] as ((a: any) => unknown) | undefined;
      if (!fn) continue;
      try {
        const out = await fn.call(p, this.#args(p, { ...extra, [key]: current }));
        if (out !== undefined) current = out as V;
      } catch (error) {
        throw PluginRunner.#wrap(p, String(hook), error);
      }
    }
    return current;
  }

  /** Calls a hook that returns nothing, in registration (`forward`) or reverse order. */
  async each(hook: keyof AnyPlugin, extra: object, order: 'forward' | 'reverse'): Promise<void> {
    const list = order === 'forward' ? this.#plugins : [...this.#plugins].reverse();
    for (const p of list) {
      const fn = p[hook] as ((a: any) => unknown) | undefined;
      if (!fn) continue;
      if (order === 'forward') this.#checkAbort();
      try {
        await fn.call(p, this.#args(p, extra));
      } catch (error) {
        throw PluginRunner.#wrap(p, String(hook), error);
      }
    }
  }

  /** Wraps a stream with every plugin's `wrapStream`; the first registered ends up outermost. */
  wrapStream<T>(stream: AsyncIterable<T>, extra: object): AsyncIterable<T> {
    let current = stream;
    for (const p of [...this.#plugins].reverse()) {
      if (!p.wrapStream) continue;
      try {
        current = guardStream(p.name, p.wrapStream(this.#args(p, { ...extra, stream: current }) as any) as AsyncIterable<T>);
      } catch (error) {
        throw PluginRunner.#wrap(p, 'wrapStream', error);
      }
    }
    return current;
  }

  /** Calls every `onError` in reverse order; returns the errors they threw instead of throwing them. */
  async onError(extra: object): Promise<{ plugin: string; error: unknown }[]> {
    const failures: { plugin: string; error: unknown }[] = [];
    for (const p of [...this.#plugins].reverse()) {
      if (!p.onError) continue;
      try {
        await p.onError(this.#args(p, extra) as any);
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
    throw CascadeFlowError.isInstance(error) ? error : new PluginError(plugin, 'wrapStream', error);
  }
}

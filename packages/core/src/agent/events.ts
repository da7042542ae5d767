import type { TierInfo } from '../quality/validator.js';
import type { AttemptRecord, CascadeResult } from './result.js';

/**
 * Events an agent emits. Library code never logs: subscribe to these instead. Every CascadeFlow package
 * names its events the same way, `subject:what-happened` in lower case (`run:start`, `attempt:retry`,
 * `store:unavailable`, `pii:found`).
 */
export interface CascadeEvents {
  'run:start': { runId: string; userId: string | undefined };
  'attempt:start': { runId: string; tier: TierInfo };
  'attempt:end': { runId: string; attempt: AttemptRecord };
  'attempt:retry': { runId: string; tier: TierInfo; error: Error; retry: number; delayMs: number };
  'run:escalate': { runId: string; from: TierInfo; to: TierInfo; reason: string };
  'agent:warning': {
    runId?: string;
    code: 'unknown_price' | 'degraded_result' | 'settle_failed';
    message: string;
    model?: string;
    plugin?: string;
  };
  'run:end': { runId: string; result: CascadeResult };
  'run:error': { runId: string; error: Error };
}

/** A listener of one event type. */
export type CascadeListener<K extends keyof CascadeEvents> = (event: CascadeEvents[K]) => void;

/**
 * A small typed event emitter, shared by every CascadeFlow package (the library never logs: it emits). A
 * listener that throws does not break the caller or the other listeners.
 *
 * @example
 * ```ts
 * const events = new TypedEmitter<{ tick: { n: number } }>();
 * const off = events.on('tick', (e) => console.log(e.n));
 * events.emit('tick', { n: 1 });
 * off();
 * ```
 */
export class TypedEmitter<E extends object> {
  readonly #listeners = new Map<keyof E, Set<(e: any) => void>>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E>(type: K, listener: (event: E[K]) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off<K extends keyof E>(type: K, listener: (event: E[K]) => void): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** True when someone listens to `type` (lets hot paths skip building events nobody reads). */
  has(type: keyof E): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof E>(type: K, event: E[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not change the outcome of a run.
      }
    }
  }
}

/** The agent's emitter. */
export class CascadeEmitter extends TypedEmitter<CascadeEvents> {}

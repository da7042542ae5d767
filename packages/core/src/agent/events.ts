import type { TierInfo } from '../quality/validator.js';
import type { AttemptRecord, CascadeResult } from './result.js';

/** Events an agent emits. Library code never logs: subscribe to these instead. */
export interface CascadeEvents {
  'run:start': { runId: string; userId: string | undefined };
  'attempt:start': { runId: string; tier: TierInfo };
  'attempt:end': { runId: string; attempt: AttemptRecord };
  retry: { runId: string; tier: TierInfo; error: Error; retry: number; delayMs: number };
  escalate: { runId: string; from: TierInfo; to: TierInfo; reason: string };
  warning: {
    runId?: string;
    code: 'unknown_price' | 'degraded_result' | 'on_error_failed';
    message: string;
    model?: string;
    plugin?: string;
  };
  'run:end': { runId: string; result: CascadeResult };
  'run:error': { runId: string; error: Error };
}

/** A listener of one event type. */
export type CascadeListener<K extends keyof CascadeEvents> = (event: CascadeEvents[K]) => void;

/** A small typed event emitter. A listener that throws does not break the run or the other listeners. */
export class CascadeEmitter {
  readonly #listeners = new Map<keyof CascadeEvents, Set<(e: any) => void>>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof CascadeEvents>(type: K, listener: CascadeListener<K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off<K extends keyof CascadeEvents>(type: K, listener: CascadeListener<K>): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** True when someone listens to `type` (lets hot paths skip building events nobody reads). */
  has(type: keyof CascadeEvents): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof CascadeEvents>(type: K, event: CascadeEvents[K]): void {
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

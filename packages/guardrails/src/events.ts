import type { ModerationCategory } from './moderation/categories.js';
import type { PiiFinding } from './pii/policy.js';

/** Events of the guardrails plugin (the library never logs). */
export interface GuardrailEvents {
  pii_found: { where: 'input' | 'output' | 'tool_call'; findings: PiiFinding[]; runId: string };
  moderation_flagged: {
    where: 'input' | 'output';
    categories: ModerationCategory[];
    action: 'block' | 'warn' | 'flag';
    source: 'openai' | 'local';
    runId: string;
  };
  /** The moderation API failed (or has no key); the local classifier answered instead. */
  moderation_fallback: { error: Error };
}

export class GuardrailEmitter {
  readonly #listeners = new Map<keyof GuardrailEvents, Set<(e: unknown) => void>>();

  on<K extends keyof GuardrailEvents>(type: K, listener: (e: GuardrailEvents[K]) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as (e: unknown) => void);
    return () => set.delete(listener as (e: unknown) => void);
  }

  emit<K extends keyof GuardrailEvents>(type: K, event: GuardrailEvents[K]): void {
    for (const l of this.#listeners.get(type) ?? []) {
      try {
        l(event);
      } catch {
        // a listener must not break a request
      }
    }
  }
}

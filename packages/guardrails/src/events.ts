import { TypedEmitter } from '@cascadeflow/core';
import type { ModerationCategory } from './moderation/categories.js';
import type { PiiFinding } from './pii/policy.js';

/** Events of the guardrails plugin (the library never logs). */
export interface GuardrailEvents {
  'pii:found': { where: 'input' | 'output' | 'tool_call'; findings: PiiFinding[]; runId: string };
  'moderation:flagged': {
    where: 'input' | 'output';
    categories: ModerationCategory[];
    action: 'block' | 'warn' | 'flag';
    /** The moderator that answered (its `name`: `openai`, `model:llama-guard3`), or `local`. */
    source: string;
    runId: string;
  };
  /** The moderation API failed (or has no key); the local classifier answered instead. */
  'moderation:fallback': { error: Error };
  /**
   * A PDF reached the model unscanned: the guardrails read text, and a text file's text is scanned and
   * redacted as a message's is, but a PDF's is not extracted. `filename` when the document has one.
   */
  'document:unscanned': { where: 'input'; filename?: string; runId: string };
}

/** The guardrails plugin's emitter. */
export class GuardrailEmitter extends TypedEmitter<GuardrailEvents> {}

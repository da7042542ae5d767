import { RequestRejectedError } from '@cascadeflow/core';

/** What a guardrail refused and where. */
export interface GuardrailDetails {
  where: 'input' | 'output';
  /** A PII type (`secret`, `card`, …) or a moderation category (`violence`, …). */
  rule: string;
  /** The finer kind of a PII finding (`openai` for an OpenAI key), when there is one. */
  kind?: string;
  score?: number;
}

/**
 * A guardrail blocked the request (input) or the answer (output).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof GuardrailBlockedError) respond(400, `${e.where} blocked: ${e.rule}`); }
 * ```
 */
export class GuardrailBlockedError extends RequestRejectedError {
  static override readonly kind: string = 'cascadeflow.guardrails.GuardrailBlockedError';
  readonly where: 'input' | 'output';
  readonly rule: string;
  constructor(d: GuardrailDetails) {
    const what =
      d.score !== undefined
        ? `${d.rule} (score ${d.score.toFixed(2)})`
        : `${d.rule}${d.kind ? ` (${d.kind})` : ''}`;
    super({
      reason: `The ${d.where} was blocked by a guardrail: ${what}. ${d.where === 'input' ? 'Remove it from the request' : 'The answer was withheld'}; or change the guardrail's action for "${d.rule}".`,
      code: 'guardrail_blocked',
      data: { ...d },
    });
    this.name = 'GuardrailBlockedError';
    this.where = d.where;
    this.rule = d.rule;
  }
}

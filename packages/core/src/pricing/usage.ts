import type { ChatMessage, Usage } from '../types/messages.js';

/** No tokens: the starting value when adding up usage. Frozen. */
export const ZERO_USAGE: Readonly<Usage> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
});

/**
 * Adds two token counts; `null` (a call that reported no usage) adds nothing. Returns a new object unless
 * `b` is `null`, when it returns `a`.
 *
 * @example
 * ```ts
 * const total = result.attempts.reduce((u, a) => addUsage(u, a.usage), ZERO_USAGE);
 * ```
 */
export function addUsage(a: Usage, b: Usage | null | undefined): Usage {
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
  };
}

/**
 * Input tokens of messages before a provider has counted them: 4 characters a token (OpenAI's rule of thumb
 * for English; an estimate, not a bound). Used for attempts cut short and for reservations.
 *
 * @example
 * ```ts
 * estimateInputTokens([{ role: 'user', content: 'Why is the sky blue?' }]); // 5
 * ```
 */
export function estimateInputTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content?.length ?? 0;
  return Math.ceil(chars / 4);
}

import type { ChatMessage, Usage } from '../types/messages.js';
import { documentTokens } from './document-tokens.js';
import { imageTokens } from './image-tokens.js';

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
  const written = (a.cacheWriteInputTokens ?? 0) + (b.cacheWriteInputTokens ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    ...(written ? { cacheWriteInputTokens: written } : {}),
  };
}

/**
 * Input tokens of messages before a provider has counted them, an estimate (not a bound): 4 ASCII
 * characters a token (OpenAI's rule of thumb for English), 2 characters for the scripts below U+0800
 * (accented Latin, Greek, Cyrillic, Hebrew, Arabic), and a token for every other character (Chinese,
 * Japanese, Korean: o200k and Claude's tokenizers spend 0.7 to 1.5 a character). An image (a user's or a
 * tool result's) counts as Claude counts it, from its size where a data URL gives it, else 1600 tokens; a
 * PDF 2,250 tokens a page, a text file as its text.
 * Used for attempts cut short before the provider counted their input.
 *
 * @example
 * ```ts
 * estimateInputTokens([{ role: 'user', content: 'Why is the sky blue?' }]); // 5
 * estimateInputTokens([{ role: 'user', content: '天空为什么是蓝色的？' }]); // 10
 * ```
 */
export function estimateInputTokens(messages: readonly ChatMessage[]): number {
  let quarters = 0;
  let attached = 0;
  for (const m of messages) {
    if (m.content) quarters += quartersOf(m.content);
    if (m.role !== 'user' && m.role !== 'tool') continue;
    if (m.images) for (const i of m.images) attached += imageTokens(i);
    if (m.documents) for (const d of m.documents) attached += documentTokens(d, textTokens);
  }
  return Math.ceil(quarters / 4) + attached;
}

const textTokens = (text: string) => Math.ceil(quartersOf(text) / 4);

const NON_ASCII = /[\u0080-\uffff]/;

/** A text's tokens in quarters: 1 an ASCII character, 2 below U+0800, 4 above (a surrogate pair counts once). */
function quartersOf(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let quarters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) quarters += 1;
    else if (c < 0x800) quarters += 2;
    else if (c >= 0xdc00 && c < 0xe000)
      continue; // the low half of a pair
    else quarters += 4;
  }
  return quarters;
}

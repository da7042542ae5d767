import type { ChatMessage, DocumentInput, ImageInput } from '../types/messages.js';

/**
 * Whether any message carries images (a user message's, or a tool result's): such a request is asked of
 * the ladder's tiers marked `images: true` only.
 *
 * @example
 * ```ts
 * carriesImages([{ role: 'tool', toolCallId: 'c1', content: '', images: [{ url: 'https://example.com/a.png' }] }]); // true
 * ```
 */
export function carriesImages(messages: readonly ChatMessage[]): boolean {
  for (const m of messages) if ((m.role === 'user' || m.role === 'tool') && m.images?.length) return true;
  return false;
}

/**
 * The images of the latest turn: the last user message's and those of the tool results after it (what the
 * answer to that turn saw). Empty when there are none.
 *
 * @example
 * ```ts
 * latestImages(ctx.messages); // the screenshot a tool returned after the last question
 * ```
 */
export function latestImages(messages: readonly ChatMessage[]): ImageInput[] {
  return latest(messages, 'images');
}

/**
 * Whether any message carries documents (a user message's, or a tool result's): such a request is asked of
 * the ladder's tiers marked `documents: true` only.
 *
 * @example
 * ```ts
 * carriesDocuments([{ role: 'user', content: 'Sum it up.', documents: [{ url: 'https://example.com/a.pdf' }] }]); // true
 * ```
 */
export function carriesDocuments(messages: readonly ChatMessage[]): boolean {
  for (const m of messages) if ((m.role === 'user' || m.role === 'tool') && m.documents?.length) return true;
  return false;
}

/**
 * The documents of the latest turn: the last user message's and those of the tool results after it. Empty
 * when there are none.
 *
 * @example
 * ```ts
 * latestDocuments(ctx.messages); // the PDF a tool read after the last question
 * ```
 */
export function latestDocuments(messages: readonly ChatMessage[]): DocumentInput[] {
  return latest(messages, 'documents');
}

function latest<K extends 'images' | 'documents'>(
  messages: readonly ChatMessage[],
  key: K,
): NonNullable<Extract<ChatMessage, { role: 'user' }>[K]> {
  const found: (ImageInput | DocumentInput)[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'tool' && m[key]?.length) found.unshift(...m[key]);
    if (m.role === 'user') {
      if (m[key]?.length) found.unshift(...m[key]);
      break;
    }
  }
  return found as NonNullable<Extract<ChatMessage, { role: 'user' }>[K]>;
}

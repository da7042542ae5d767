import type { ChatMessage, ImageInput } from '../types/messages.js';

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
  const images: ImageInput[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'tool' && m.images?.length) images.unshift(...m.images);
    if (m.role === 'user') {
      if (m.images?.length) images.unshift(...m.images);
      break;
    }
  }
  return images;
}

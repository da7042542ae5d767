import type { ImageInput } from '../types/messages.js';

/**
 * The media type and base64 bytes of an image given as a `data:image/…;base64,…` URL, for providers whose
 * API takes them apart; `null` for an image given by an http(s) URL. The media type is lower-cased.
 *
 * @example
 * ```ts
 * imageData({ url: 'data:image/PNG;base64,iVBORw0KGgo=' }); // { mediaType: 'image/png', base64: 'iVBORw0KGgo=' }
 * imageData({ url: 'https://example.com/cat.jpg' }); // null
 * ```
 */
export function imageData(image: ImageInput): { mediaType: string; base64: string } | null {
  const data = /^data:(image\/[a-z]+);base64,(.*)$/is.exec(image.url);
  return data ? { mediaType: data[1]!.toLowerCase(), base64: data[2]! } : null;
}

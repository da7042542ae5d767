import { imageData } from '../providers/image-data.js';
import type { ImageInput } from '../types/messages.js';

/** What an image of unknown size is estimated at: about the most one costs on Claude (1.15 megapixels). */
const UNKNOWN_IMAGE_TOKENS = 1600;
/** Claude scales an image down until its long edge is at most this many pixels. */
const LONG_EDGE = 1568;
/** At most this many bytes of a data URL are decoded to find its size (a JPEG's header may follow its EXIF). */
const HEADER_BYTES = 96 * 1024;

/**
 * An image's input tokens, estimated as Claude counts them (width × height / 750 after scaling the long
 * edge down to 1568 pixels, at most 1600): the size is read from a data URL's header (PNG, GIF, JPEG, WebP);
 * an image by URL, or one whose size cannot be read, counts 1600. OpenAI's high detail costs less (a
 * 1024×1024 image: 765 against 1398), so the estimate errs on the side of a budget.
 */
export function imageTokens(image: ImageInput): number {
  const data = imageData(image);
  if (!data) return UNKNOWN_IMAGE_TOKENS;
  // Whole base64 quanta only: 4 characters are 3 bytes.
  const head = Buffer.from(data.base64.slice(0, (HEADER_BYTES / 3) * 4), 'base64');
  const size = imageSize(head);
  if (!size) return UNKNOWN_IMAGE_TOKENS;
  const scale = Math.min(1, LONG_EDGE / Math.max(size.width, size.height));
  const pixels = Math.round(size.width * scale) * Math.round(size.height * scale);
  return Math.max(1, Math.min(UNKNOWN_IMAGE_TOKENS, Math.ceil(pixels / 750)));
}

/** Width and height read from the first bytes of a PNG, GIF, JPEG or WebP file; null for anything else. */
function imageSize(b: Buffer): { width: number; height: number } | null {
  const size = (width: number, height: number) => (width > 0 && height > 0 ? { width, height } : null);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR')
    return size(b.readUInt32BE(16), b.readUInt32BE(20));
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8')
    return size(b.readUInt16LE(6), b.readUInt16LE(8));
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8 ') return size(b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
    if (chunk === 'VP8L')
      return size(
        1 + (b[21]! | ((b[22]! & 0x3f) << 8)),
        1 + ((b[22]! >> 6) | (b[23]! << 2) | ((b[24]! & 0xf) << 10)),
      );
    if (chunk === 'VP8X') return size(1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3));
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  return null;
}

/** A JPEG's size, from its first start-of-frame segment. */
function jpegSize(b: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Start of frame: baseline, progressive and the rarer codings (not DHT 0xc4, JPG 0xc8, DAC 0xcc).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = b.readUInt16BE(i + 5);
      const width = b.readUInt16BE(i + 7);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    // Markers without a length (restart, start and end of image) have none to skip.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) i += 2;
    else i += 2 + b.readUInt16BE(i + 2);
  }
  return null;
}

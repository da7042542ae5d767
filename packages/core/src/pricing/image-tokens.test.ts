import { describe, expect, it } from 'vitest';
import { JPEG_2000x1000_HEAD, PNG_300x200, WEBP_VP8X_64x48 } from './image-fixtures.test-data.js';
import { imageTokens } from './image-tokens.js';
import { estimateInputTokens } from './usage.js';

const dataUrl = (type: string, bytes: number[]) =>
  `data:image/${type};base64,${Buffer.from(bytes).toString('base64')}`;
const le16 = (n: number) => [n & 0xff, n >> 8];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('imageTokens', () => {
  it('reads the size of PNG, JPEG and WebP images encoded by a browser', () => {
    expect(imageTokens({ url: PNG_300x200 })).toBe(80); // 300 × 200 / 750
    expect(imageTokens({ url: WEBP_VP8X_64x48 })).toBe(5); // ceil(3072 / 750)
    // 2000 × 1000 is scaled to 1568 × 784 first: 1639 tokens, capped at 1600. Its ICC profile comes first.
    expect(imageTokens({ url: JPEG_2000x1000_HEAD })).toBe(1600);
  });

  it('reads GIF, lossy WebP and lossless WebP headers', () => {
    expect(
      imageTokens({ url: dataUrl('gif', [...ascii('GIF89a'), ...le16(100), ...le16(75), 0, 0, 0]) }),
    ).toBe(10);
    const vp8 = [...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBPVP8 '), 0, 0, 0, 0, 0, 0, 0, 0x9d, 0x01, 0x2a];
    expect(imageTokens({ url: dataUrl('webp', [...vp8, ...le16(750), ...le16(750), 0]) })).toBe(750);
    // Lossless: 14 bits of width - 1 and 14 of height - 1 after the 0x2f signature (30 × 25 here).
    const w = 29;
    const h = 24;
    const bits = [w & 0xff, (w >> 8) | ((h & 0x3) << 6), (h >> 2) & 0xff, (h >> 10) & 0xf];
    const vp8l = [
      ...ascii('RIFF'),
      0,
      0,
      0,
      0,
      ...ascii('WEBPVP8L'),
      0,
      0,
      0,
      0,
      0x2f,
      ...bits,
      0,
      0,
      0,
      0,
      0,
    ];
    expect(imageTokens({ url: dataUrl('webp', vp8l) })).toBe(1);
  });

  it('counts 1600 for an image by URL or one whose size cannot be read', () => {
    expect(imageTokens({ url: 'https://example.com/cat.png' })).toBe(1600);
    expect(imageTokens({ url: dataUrl('png', ascii('not a png at all, just text')) })).toBe(1600);
    expect(imageTokens({ url: 'data:image/jpeg;base64,/9j/' })).toBe(1600);
  });
});

describe('estimateInputTokens with images', () => {
  it("adds a user message's images and a tool result's", () => {
    const image = { url: PNG_300x200 };
    expect(
      estimateInputTokens([
        { role: 'user', content: 'What is on screen?', images: [image] },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'screenshot', arguments: '{}' }] },
        {
          role: 'tool',
          toolCallId: 'c1',
          content: '',
          images: [image, { url: 'https://example.com/b.png' }],
        },
      ]),
    ).toBe(Math.ceil(18 / 4) + 80 + 80 + 1600);
  });
});

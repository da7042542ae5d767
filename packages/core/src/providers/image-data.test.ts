import { describe, expect, it } from 'vitest';
import { imageData } from './image-data.js';

describe('imageData', () => {
  it('splits a data URL into its lower-cased media type and base64 bytes; an http(s) URL has none', () => {
    expect(imageData({ url: 'data:image/PNG;base64,iVBORw0KGgo=' })).toEqual({
      mediaType: 'image/png',
      base64: 'iVBORw0KGgo=',
    });
    expect(imageData({ url: 'data:image/webp;base64,UklG\nRg==' })).toEqual({
      mediaType: 'image/webp',
      base64: 'UklG\nRg==',
    });
    expect(imageData({ url: 'https://example.com/cat.jpg' })).toBeNull();
    expect(imageData({ url: 'data:text/plain;base64,aGk=' })).toBeNull();
  });
});

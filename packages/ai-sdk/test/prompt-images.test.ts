import { InvalidConfigError } from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import { toMessages, toPrompt } from '../src/prompt.js';

describe('images between AI SDK prompts and cascade messages', () => {
  it('image file parts (URL, base64, bytes) become images of the user message, and go back as file parts', () => {
    const bytes = new Uint8Array([137, 80, 78, 71]);
    const messages = toMessages([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What are these?' },
          { type: 'file', data: new URL('https://example.com/a.jpg'), mediaType: 'image/jpeg' },
          { type: 'file', data: 'iVBORw0K', mediaType: 'image/png' },
          { type: 'file', data: bytes, mediaType: 'image/webp' },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: 'user',
        content: 'What are these?',
        images: [
          { url: 'https://example.com/a.jpg' },
          { url: 'data:image/png;base64,iVBORw0K' },
          { url: `data:image/webp;base64,${Buffer.from(bytes).toString('base64')}` },
        ],
      },
    ]);
    expect(toPrompt(messages)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What are these?' },
          { type: 'file', data: new URL('https://example.com/a.jpg'), mediaType: 'image/*' },
          { type: 'file', data: 'iVBORw0K', mediaType: 'image/png' },
          { type: 'file', data: Buffer.from(bytes).toString('base64'), mediaType: 'image/webp' },
        ],
      },
    ]);
  });

  it('a file that is not an image is refused by name', () => {
    expect(() =>
      toMessages([
        { role: 'user', content: [{ type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf' }] },
      ]),
    ).toThrow(InvalidConfigError);
    expect(() =>
      toMessages([
        { role: 'user', content: [{ type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf' }] },
      ]),
    ).toThrow(/prompt\.0\.content\.0: a application\/pdf file part is not supported/);
  });
});

import { describe, expect, it } from 'vitest';
import { documentData } from '../providers/document-data.js';
import { estimateInputTokens } from './usage.js';

const pdf = (pages: number) =>
  `data:application/pdf;base64,${Buffer.from(
    `%PDF-1.4\n2 0 obj<</Type /Pages/Count ${pages}>>endobj\n${Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj<</Type /Page/Parent 2 0 R>>endobj\n`).join('')}%%EOF\n`,
    'latin1',
  ).toString('base64')}`;

describe('estimateInputTokens with documents', () => {
  it('counts a PDF by its pages, a text file as its text, a PDF by URL as one page', () => {
    const base = estimateInputTokens([{ role: 'user', content: 'Sum it up.' }]);
    const withPdf = (url: string) =>
      estimateInputTokens([{ role: 'user', content: 'Sum it up.', documents: [{ url }] }]) - base;
    expect(withPdf(pdf(1))).toBe(2250);
    expect(withPdf(pdf(3))).toBe(3 * 2250);
    expect(withPdf('https://example.com/a.pdf')).toBe(2250);
    const text = `data:text/plain;base64,${Buffer.from('天空为什么是蓝色的？').toString('base64')}`;
    expect(withPdf(text)).toBe(estimateInputTokens([{ role: 'user', content: '天空为什么是蓝色的？' }]));
    // No page object to read (pages in compressed object streams): by size.
    const opaque = `data:application/pdf;base64,${Buffer.alloc(4000, 7).toString('base64')}`;
    expect(withPdf(opaque)).toBe(1000);
  });

  it("counts a tool result's documents too", () => {
    const tool = estimateInputTokens([
      { role: 'tool', toolCallId: 'c1', content: '', documents: [{ url: pdf(2) }] },
    ]);
    expect(tool).toBe(2 * 2250);
  });
});

describe('documentData', () => {
  it("takes a data URL apart (a text file's text decoded) and gives null for a URL", () => {
    expect(documentData({ url: 'data:text/plain;base64,SGk=' })).toEqual({
      mediaType: 'text/plain',
      base64: 'SGk=',
      text: 'Hi',
    });
    expect(documentData({ url: 'data:Application/PDF;base64,JVBERg==' })).toEqual({
      mediaType: 'application/pdf',
      base64: 'JVBERg==',
    });
    expect(documentData({ url: 'https://example.com/a.pdf' })).toBeNull();
  });
});

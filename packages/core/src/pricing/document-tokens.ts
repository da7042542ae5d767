import { documentData } from '../providers/document-data.js';
import type { DocumentInput } from '../types/messages.js';

/**
 * What one PDF page is estimated at: Claude counts each page as its text plus an image of it, 1,500 to 3,000
 * tokens (Anthropic's PDF guide); OpenAI's file inputs cost about the same.
 */
const PAGE_TOKENS = 2250;

/**
 * A document's input tokens, estimated: a PDF's pages (its `/Type /Page` objects) at 2,250 each, or its
 * size at 4 bytes a token when no page object can be read (pages in compressed object streams); a text
 * file as text, by `textTokens`; a PDF by URL as one page.
 */
export function documentTokens(document: DocumentInput, textTokens: (text: string) => number): number {
  const data = documentData(document);
  if (!data) return PAGE_TOKENS;
  if (data.mediaType === 'text/plain') return textTokens(data.text);
  const bytes = Buffer.from(data.base64, 'base64');
  const pages = bytes.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return pages > 0 ? pages * PAGE_TOKENS : Math.max(1, Math.ceil(bytes.length / 4));
}

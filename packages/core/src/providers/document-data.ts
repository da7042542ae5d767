import type { DocumentInput } from '../types/messages.js';

/** A document given by its data: a PDF's bytes, or a text file's text. */
export type DocumentData =
  | { mediaType: 'application/pdf'; base64: string }
  | { mediaType: 'text/plain'; base64: string; text: string };

/**
 * The media type and base64 bytes of a document given as a `data:application/pdf;base64,…` or
 * `data:text/plain;base64,…` URL (a text file's text decoded too), for providers and plugins that take it
 * apart; `null` for a PDF given by an http(s) URL.
 *
 * @example
 * ```ts
 * documentData({ url: 'data:text/plain;base64,SGk=' }); // { mediaType: 'text/plain', base64: 'SGk=', text: 'Hi' }
 * documentData({ url: 'https://example.com/report.pdf' }); // null
 * ```
 */
export function documentData(document: DocumentInput): DocumentData | null {
  const data = /^data:(application\/pdf|text\/plain);base64,/i.exec(document.url);
  if (!data) return null;
  const base64 = document.url.slice(data[0].length);
  return data[1]!.toLowerCase() === 'text/plain'
    ? { mediaType: 'text/plain', base64, text: Buffer.from(base64, 'base64').toString('utf8') }
    : { mediaType: 'application/pdf', base64 };
}

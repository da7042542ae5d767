/**
 * Names, places, organisations and dates, found by an NLP library that runs offline in Node
 * ([compromise](https://github.com/spencermountain/compromise), an optional peer dependency: install it to use
 * this entry point). Opt in by passing the detector as an `external` one; its matches go through the same
 * policy as every other type (`person`, `place`, `organization`, `date`).
 *
 * @example
 * ```ts
 * import { nerDetector } from '@cascadeflow/guardrails/ner';
 * guardrailsPlugin({ settings: { pii: { external: [nerDetector()], input: { person: 'reversible' } } } });
 * ```
 */
import nlp from 'compromise';
import type { ExternalDetector, PiiMatch, PiiType } from './pii/detectors.js';

export type { ExternalDetector, PiiMatch } from './pii/detectors.js';

/** The kinds of entity {@link nerDetector} finds. */
export type NerType = Extract<PiiType, 'person' | 'place' | 'organization' | 'date'>;

/** Options of {@link nerDetector}. */
export interface NerOptions {
  /** Only these kinds (default all four). */
  types?: readonly NerType[];
  /** Texts longer than this are scanned in pieces of this size, cut at a line or sentence end (default 20,000). */
  chunkSize?: number;
}

// Sentence punctuation that compromise keeps on a term: not part of the name.
const TRAILING = /[\s.,;:!?)"'\]]+$/;
const LEADING = /^[\s("'[]+/;
const RELATIVE =
  /^(?:yesterday|today|tomorrow|tonight|now|soon|later|recently|the day|this (?:week|month|year))$/i;

function entities(text: string, base: number, want: ReadonlySet<NerType>, out: PiiMatch[]) {
  const doc = nlp(text);
  const views: [NerType, { json(o: { offset: true }): { offset: { start: number; length: number } }[] }][] = [
    ['person', doc.people()],
    ['organization', doc.organizations()],
    ['place', doc.places()],
    ['date', doc.match('#Date+')],
  ];
  for (const [type, view] of views) {
    if (!want.has(type)) continue;
    for (const { offset } of view.json({ offset: true })) {
      let start = offset.start;
      let end = offset.start + offset.length;
      const raw = text.slice(start, end);
      start += raw.length - raw.replace(LEADING, '').length;
      end -= raw.length - raw.replace(TRAILING, '').length;
      if (end - start < 2) continue;
      if (type === 'date') {
        // Relative words are not dates of anyone; a year after "July 2," belongs to the date.
        if (RELATIVE.test(text.slice(start, end))) continue;
        const year = /^,? \d{4}\b/.exec(text.slice(end, end + 7));
        if (year) end += year[0].length;
      }
      out.push({ type, start: base + start, end: base + end, value: text.slice(start, end) });
    }
  }
}

/**
 * An external detector of names, places, organisations and dates (English; compromise's lexicon and rules).
 * Linear in the text: long texts are scanned in bounded pieces.
 */
export function nerDetector(options: NerOptions = {}): ExternalDetector {
  const want = new Set<NerType>(options.types ?? ['person', 'place', 'organization', 'date']);
  const size = options.chunkSize ?? 20_000;
  return (text) => {
    const out: PiiMatch[] = [];
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + size);
      if (end < text.length) {
        const cut = Math.max(text.lastIndexOf('\n', end), text.lastIndexOf('. ', end));
        if (cut > at + size / 2) end = cut + 1;
      }
      entities(text.slice(at, end), at, want, out);
      at = end;
    }
    return out;
  };
}

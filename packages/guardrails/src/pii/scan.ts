import type { CountryCode } from 'libphonenumber-js/min';
import { detectIn, type ExternalDetector, type PiiMatch, type PiiType } from './detectors.js';
import { normalize } from './normalize.js';

/** Options of {@link scanPii}. */
export interface ScanOptions {
  /** Only these types (default all). */
  types?: readonly PiiType[];
  /** Extra detectors (names, addresses, an NER service), run on the normalised text. */
  external?: readonly ExternalDetector[];
  /**
   * A default region for phone numbers written without a country code (ISO 3166 code, e.g. `US`, `DE`):
   * numbers valid there by libphonenumber's metadata are found even when no format gives them away (an
   * unbroken `4586720594`). Default none: only formats that look like a phone number anywhere.
   */
  phoneRegion?: CountryCode;
}

/**
 * Finds PII and secrets in a text. Unicode tricks (full-width digits, zero-width characters, odd spaces
 * and dashes) are normalised first; positions and values refer to the original text.
 *
 * @example
 * ```ts
 * scanPii('Mail me: ｊｏｈｎ@example.com, card 4111 1111 1111 1111');
 * // [{ type: 'email', start: 9, end: 25, ... }, { type: 'card', kind: 'visa', ... }]
 * ```
 */
export function scanPii(original: string, options: ScanOptions = {}): PiiMatch[] {
  const { text, toOriginal } = normalize(original);
  const found = detectIn(
    text,
    options.types ? new Set(options.types) : null,
    options.external,
    options.phoneRegion,
  );
  if (text === original || toOriginal === null) return found;
  // Built whole, not copied: a stream's redactor scans its window again at every chunk, so this runs for
  // every match of every window.
  return found.map((m) => {
    const start = toOriginal[m.start]!;
    const end = toOriginal[m.end]!;
    const moved: PiiMatch = { type: m.type, start, end, value: original.slice(start, end) };
    if (m.kind !== undefined) moved.kind = m.kind;
    return moved;
  });
}

/**
 * Unicode tricks are undone before detection: NFKC folds full-width digits and letters (ＡＢ１２ → AB12)
 * and compatibility forms; zero-width and invisible characters are dropped; exotic spaces and dashes become
 * plain ones. `toOriginal` maps every position of the normalised text back to the original, so that a
 * match found in the normalised text is redacted in the text the user actually sent.
 */

// Zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator,
// invisible separators (U+2061..U+2064) and bidi controls.
const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u180E\u202A-\u202E\u2066-\u2069]/;
const SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/;

export interface NormalizedText {
  text: string;
  /** For each index of `text` (and one past the end), the index in the original string. */
  toOriginal: Int32Array;
}

export function normalize(original: string): NormalizedText {
  // Fast path: plain ASCII needs no work.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\u0000-\u007F]*$/.test(original)) {
    const map = new Int32Array(original.length + 1);
    for (let i = 0; i <= original.length; i++) map[i] = i;
    return { text: original, toOriginal: map };
  }
  let out = '';
  const map: number[] = [];
  let i = 0;
  while (i < original.length) {
    const cp = original.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const len = ch.length;
    if (INVISIBLE.test(ch)) {
      i += len;
      continue;
    }
    let folded = SPACES.test(ch) ? ' ' : DASHES.test(ch) ? '-' : cp < 0x80 ? ch : ch.normalize('NFKC');
    if (folded === '') folded = ch;
    for (let k = 0; k < folded.length; k++) map.push(i);
    out += folded;
    i += len;
  }
  map.push(original.length);
  return { text: out, toOriginal: Int32Array.from(map) };
}

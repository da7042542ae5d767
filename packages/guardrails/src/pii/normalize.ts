/**
 * Unicode tricks are undone before detection: NFKC folds full-width digits and letters (ＡＢ１２ → AB12)
 * and compatibility forms; every decimal digit of any script (Arabic-Indic, Devanagari, …) becomes its ASCII
 * digit; every default-ignorable code point (zero-width characters, U+034F, variation selectors, Hangul
 * fillers, tag characters) and bidi control is dropped; exotic spaces and dashes become plain ones; Cyrillic
 * and Greek letters that look like Latin ones (Unicode TR39's confusables for the Latin alphabet) become those
 * Latin letters, so that an e-mail address with a Cyrillic "о" in it is still found. `toOriginal` maps every position of the normalised text back to the original, so that a
 * match found in the normalised text is redacted in the text the user actually sent.
 */

// Zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator,
// invisible separators (U+2061..U+2064) and bidi controls.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u180E\u202A-\u202E\u2066-\u2069]/u;
const DIGIT = /\p{Nd}/u;
/** Letters of other scripts that render like Latin ones (from Unicode TR39's confusables table). */
const CONFUSABLE: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ԁ: 'd',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  Ѕ: 'S',
  І: 'I',
  Ј: 'J',
  α: 'a',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  τ: 't',
  υ: 'u',
  ι: 'i',
  κ: 'k',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};

const digits = new Map<number, string>();

/** The ASCII digit of a decimal digit of any script: digits come in runs of ten, 0 to 9. Memoised. */
function asciiDigit(cp: number): string {
  let d = digits.get(cp);
  if (d === undefined) {
    let start = cp;
    while (start > 0 && cp - start < 60 && DIGIT.test(String.fromCodePoint(start - 1))) start--;
    d = String((cp - start) % 10);
    digits.set(cp, d);
  }
  return d;
}
const SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/;

export interface NormalizedText {
  text: string;
  /**
   * For each index of `text` (and one past the end), the index in the original string; `null` when the text
   * is the original (plain ASCII), whose positions are its own.
   */
  toOriginal: Int32Array | null;
}

/** Non-ASCII code point → its folded text ('' when dropped). Bounded, so hostile input cannot grow it. */
const FOLD = new Map<number, string>();

/** A code point's folded text, memoised (exported for the normaliser's differential test). */
export function foldOf(cp: number, ch: string): string {
  const f = FOLD.get(cp);
  return f !== undefined ? f : foldFirst(cp, ch);
}

function foldFirst(cp: number, ch: string): string {
  let f: string;
  if (INVISIBLE.test(ch)) f = '';
  else if (SPACES.test(ch)) f = ' ';
  else if (DASHES.test(ch)) f = '-';
  else f = CONFUSABLE[ch] ?? (DIGIT.test(ch) ? asciiDigit(cp) : ch.normalize('NFKC'));
  if (f === '' && !INVISIBLE.test(ch)) f = ch;
  if (FOLD.size < 65_536) FOLD.set(cp, f);
  return f;
}

/** Per BMP code unit (surrogates aside): 0 not known yet, 1 folds to itself, 2 folds to something else. */
const SAME = new Uint8Array(0x10000);

function sameFold(unit: number, ch: string): boolean {
  const same = foldOf(unit, ch) === ch;
  SAME[unit] = same ? 1 : 2;
  return same;
}

export function normalize(original: string): NormalizedText {
  // Fast path: plain ASCII needs no work.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\u0000-\u007F]*$/.test(original)) return { text: original, toOriginal: null };
  // The text is written as UTF-16 code units, each with its index in the original, and made a string once at
  // the end: no slice, part or join per character (a hostile text folds one character in two).
  let out = new Uint16Array(original.length + 16);
  let map = new Int32Array(original.length + 16);
  let n = 0;
  const room = (k: number) => {
    if (n + k < map.length) return;
    const size = Math.max(map.length * 2, n + k + 16);
    const biggerMap = new Int32Array(size);
    biggerMap.set(map);
    map = biggerMap;
    const biggerOut = new Uint16Array(size);
    biggerOut.set(out);
    out = biggerOut;
  };
  let i = 0;
  while (i < original.length) {
    const unit = original.charCodeAt(i);
    // ASCII, and a character of the BMP that folds to itself (most letters of most scripts), are copied.
    if (
      unit < 0x80 ||
      SAME[unit] === 1 ||
      (SAME[unit] === 0 && (unit < 0xd800 || unit > 0xdfff) && sameFold(unit, original[i]!))
    ) {
      room(1);
      out[n] = unit;
      map[n++] = i;
      i++;
      continue;
    }
    const cp = original.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    // The memo first: slicing the character out is only needed the first time it is seen.
    const folded = FOLD.get(cp) ?? foldFirst(cp, original.slice(i, i + len));
    room(folded.length);
    for (let k = 0; k < folded.length; k++) {
      out[n] = folded.charCodeAt(k);
      map[n++] = i;
    }
    i += len;
  }
  room(1);
  map[n] = original.length;
  return { text: textOf(out, n), toOriginal: map.subarray(0, n + 1) };
}

/** The first `n` code units as a string, exactly (lone surrogates too), in chunks that fit in a call's arguments. */
function textOf(units: Uint16Array, n: number): string {
  const chunks: string[] = [];
  for (let at = 0; at < n; at += 8192)
    chunks.push(
      String.fromCharCode.apply(null, units.subarray(at, Math.min(n, at + 8192)) as unknown as number[]),
    );
  return chunks.join('');
}

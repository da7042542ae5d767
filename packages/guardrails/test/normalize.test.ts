import { describe, expect, it } from 'vitest';
import { foldOf, normalize } from '../src/pii/normalize.js';

/**
 * The normaliser writes code units into a buffer (no slice, part or join per character). It must give what
 * the string-building version before it gave, text and position map alike: that version is kept here as the
 * reference, over random texts of the characters the folding treats differently.
 */
// biome-ignore format: the previous implementation, kept as it was
function referenceNormalize(original: string): { text: string; toOriginal: Int32Array | null } {
  // Fast path: plain ASCII needs no work.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\u0000-\u007F]*$/.test(original)) return { text: original, toOriginal: null };
  const parts: string[] = [];
  let map = new Int32Array(original.length + 16);
  let n = 0;
  const room = (k: number) => {
    if (n + k < map.length) return;
    const bigger = new Int32Array(Math.max(map.length * 2, n + k + 16));
    bigger.set(map);
    map = bigger;
  };
  // ASCII characters are copied in runs; only other characters are looked at one by one (and memoised).
  let run = 0;
  let i = 0;
  while (i < original.length) {
    const unit = original.charCodeAt(i);
    if (unit < 0x80) {
      room(1);
      map[n++] = i;
      i++;
      continue;
    }
    // A character of the BMP that folds to itself (most letters of most scripts) stays in the run.
    if ((unit < 0xd800 || unit > 0xdfff) && foldOf(unit, original[i]!) === original[i]) {
      room(1);
      map[n++] = i;
      i++;
      continue;
    }
    if (run < i) parts.push(original.slice(run, i));
    const cp = original.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const folded = foldOf(cp, original.slice(i, i + len));
    room(folded.length);
    for (let k = 0; k < folded.length; k++) map[n++] = i;
    parts.push(folded);
    i += len;
    run = i;
  }
  if (run < original.length) parts.push(original.slice(run));
  room(1);
  map[n++] = original.length;
  return { text: parts.join(''), toOriginal: map.subarray(0, n) };
}

const PALETTE = [
  'a',
  'Z',
  '1',
  ' ',
  '@',
  '.',
  '-',
  '\n',
  '\u200B',
  '\u200D',
  '\uFEFF',
  '\u00AD',
  '\u202E',
  '\u2066',
  '１',
  'Ａ',
  'ｚ',
  '٣',
  '७',
  '௫',
  'а',
  'о',
  'Р',
  'ο',
  'Α',
  '\u00A0',
  '\u3000',
  '\u2013',
  '\u2212',
  '\uFF0D',
  'é',
  'ß',
  'ﬁ',
  '㎏',
  'Ⅻ',
  '中',
  '文',
  'ä',
  '😀',
  '\uD83D',
  '\uDE00',
  '\u0301',
  '\uFE0F',
];

function randomText(seed: number): string {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x;
  };
  const length = next() % 40;
  let s = '';
  for (let i = 0; i < length; i++) s += PALETTE[next() % PALETTE.length];
  return s;
}

describe('normalize, against the string-building version it replaced', () => {
  it('gives the same text and the same position map on 20,000 random texts', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const text = randomText(seed);
      const got = normalize(text);
      const want = referenceNormalize(text);
      expect(got.text, JSON.stringify(text)).toBe(want.text);
      expect(got.toOriginal && [...got.toOriginal], JSON.stringify(text)).toEqual(
        want.toOriginal && [...want.toOriginal],
      );
    }
  });

  it('keeps a lone surrogate as it is, and grows past its first buffer', () => {
    expect(normalize('a\uD83Db').text).toBe('a\uD83Db');
    const wide = 'ﬁ'.repeat(10_000);
    const r = normalize(wide);
    expect(r.text).toBe('fi'.repeat(10_000));
    expect(r.toOriginal![1]).toBe(0);
    expect(r.toOriginal![2]).toBe(1);
    expect(r.toOriginal![20_000]).toBe(10_000);
  });
});

import {
  cardNetwork,
  luhn,
  plausiblePhone,
  validIban,
  validIPv4,
  validIPv6,
  validJwt,
  validSsn,
} from './validators.js';

/** Kinds of personal or secret data the detectors find. */
export type PiiType = 'email' | 'phone' | 'card' | 'iban' | 'ssn' | 'ipv4' | 'ipv6' | 'secret';

/** One finding, with positions in the scanned text (end exclusive). */
export interface PiiMatch {
  type: PiiType;
  start: number;
  end: number;
  value: string;
  /** A finer kind: the card network, the secret's issuer (`openai`, `aws`, `private_key`, …). */
  kind?: string;
}

/** An extra detector (names, street addresses, an NER service): returns matches in the text it is given. */
export type ExternalDetector = (text: string) => PiiMatch[];

/** Overlaps resolve to the higher priority, then the longer match. */
export const PRIORITY: Record<PiiType, number> = {
  secret: 8,
  card: 7,
  iban: 6,
  ssn: 5,
  email: 4,
  phone: 3,
  ipv6: 2,
  ipv4: 1,
};

// Every pattern is a literal anchor followed by single character classes with bounded repeats: no nested
// unbounded quantifier, so no catastrophic backtracking; a scan is linear in the text.
const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9.-]/;
const DIGIT_RUN = /[+(]?\d[\d ()./-]{0,40}/g;
// Case-insensitive: people write IBANs in lower case too (the checksum is computed on the upper-cased value).
const IBAN = /\b[A-Za-z]{2}\d{2}[ ]?[A-Za-z0-9]{2}/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)/g;
const IPV6 = /(?<![0-9A-Fa-f:])[0-9A-Fa-f:.]{2,45}(?![0-9A-Fa-f:])/g;
const SECRETS: { kind: string; re: RegExp; check?: (v: string) => boolean }[] = [
  { kind: 'anthropic', re: /\bsk-ant-[A-Za-z0-9_-]{20,200}/g },
  {
    kind: 'openai',
    re: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}/g,
    check: (v) => /\d/.test(v) && /[A-Za-z]/.test(v.slice(3)),
  },
  { kind: 'aws', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'github', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b/g },
  { kind: 'slack', re: /\bxox[abposr]-[A-Za-z0-9-]{10,200}/g },
  {
    kind: 'jwt',
    re: /\beyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{16,4000}/g,
    check: validJwt,
  },
];
const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/y;

function emails(text: string, out: PiiMatch[]) {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && at - s < 64 && EMAIL_LOCAL.test(text[s - 1]!)) s--;
    let e = at + 1;
    while (e < text.length && e - at < 255 && EMAIL_DOMAIN.test(text[e]!)) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    while (s < at && text[s] === '.') s++;
    const local = text.slice(s, at);
    const domain = text.slice(at + 1, e);
    const labels = domain.split('.');
    const tld = labels[labels.length - 1] ?? '';
    if (
      local.length > 0 &&
      !local.includes('..') &&
      !local.endsWith('.') &&
      labels.length >= 2 &&
      labels.every((l) => l.length > 0 && l.length <= 63 && !l.startsWith('-') && !l.endsWith('-')) &&
      /^[A-Za-z]{2,24}$/.test(tld)
    ) {
      out.push({ type: 'email', start: s, end: e, value: text.slice(s, e) });
    }
    at = text.indexOf('@', at + 1);
  }
}

/** Splits a digit run into groups (digits between separators) and tries every span of groups. */
function digitRuns(text: string, out: PiiMatch[]) {
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text)) {
    let run = m[0];
    const start = m.index;
    while (run.length > 0 && !/\d/.test(run[run.length - 1]!)) run = run.slice(0, -1);
    if (start > 0 && /[\dA-Za-z]/.test(text[start - 1]!)) continue; // inside a longer token
    const groups: { s: number; e: number }[] = [];
    const g = /\d+/g;
    for (let d = g.exec(run); d; d = g.exec(run))
      groups.push({ s: start + d.index, e: start + d.index + d[0].length });
    let best: PiiMatch | null = null;
    // Spans are bounded: a value has at most 19 digits in at most 8 groups, and a one-digit group only
    // right after a "+" country code (+1, +33 6 …). This keeps the work per run constant, however hostile.
    for (let i = 0; i < groups.length; i++) {
      const plus = text[groups[i]!.s - 1] === '+';
      if (groups[i]!.e - groups[i]!.s === 1 && !plus) continue;
      let digits = 0;
      for (let j = i; j < groups.length && j - i < 8; j++) {
        const len = groups[j]!.e - groups[j]!.s;
        if (len === 1 && j > i + 1) break;
        if (len === 1 && j === i + 1 && !plus) break;
        digits += len;
        if (digits > 19) break;
        if (digits < 7) continue;
        const s = groups[i]!.s;
        const e = groups[j]!.e;
        if (best && e - s <= best.end - best.start) continue;
        // "+" and "(" belong to a phone number that starts with them.
        const lead = text[s - 1] === '+' || text[s - 1] === '(' ? s - 1 : s;
        const found = classifyDigits(
          text,
          lead,
          e,
          groups.slice(i, j + 1).map((x) => x.e - x.s),
        );
        if (found) best = found;
      }
    }
    if (best) out.push(best);
    // A run may hold several values ("4111… or 555-…"): continue after the best one, or after the run.
    if (best && best.end < start + run.length) DIGIT_RUN.lastIndex = best.end;
  }
}

function classifyDigits(text: string, s: number, e: number, groups: number[]): PiiMatch | null {
  const raw = text.slice(s, e);
  const digits = raw.replace(/\D/g, '');
  const after = text[e];
  if (after !== undefined && /[\dA-Za-z]/.test(after)) return null;
  const seps = raw.replace(/[\d]/g, '');
  // SSN: 3-2-4 with one kind of separator.
  if (
    groups.length === 3 &&
    groups[0] === 3 &&
    groups[1] === 2 &&
    groups[2] === 4 &&
    /^(-{2}| {2})$/.test(seps)
  ) {
    const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 5), digits.slice(5)];
    if (validSsn(a, b, c)) return { type: 'ssn', start: s, end: e, value: raw };
  }
  // Payment card: 12-19 digits in groups split by one kind of single separator (space, dash, dot or slash),
  // Luhn-valid, a known network.
  if (
    digits.length >= 12 &&
    digits.length <= 19 &&
    /^(?: *| *-*| *\.*|\/*)$/.test(seps) &&
    new Set(seps.replace(/ /g, '')).size <= 1 &&
    !/[ ./-]{2}/.test(raw) &&
    luhn(digits)
  ) {
    const network = cardNetwork(digits);
    // Maestro's short lengths must not be carved out of a longer number ("1234 5678 9012 3456").
    const carved = /\d/.test(text[s - 2] ?? '') && /[ ./-]/.test(text[s - 1] ?? '');
    if (network && !(network === 'maestro' && carved))
      return { type: 'card', start: s, end: e, value: raw, kind: network };
  }
  // Phone numbers: international (+ and 8-15 digits), US (NXX NXX XXXX), or national with a trunk 0.
  if (!plausiblePhone(digits) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(raw)) return null;
  if (raw.startsWith('+') && digits.length >= 8 && digits.length <= 15 && !raw.includes('+', 1))
    return { type: 'phone', start: s, end: e, value: raw };
  const us = /^(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;
  if (digits.length === 10 && us.test(raw) && /^[2-9]/.test(digits) && /^[2-9]/.test(digits.slice(3)))
    return { type: 'phone', start: s, end: e, value: raw };
  if (
    digits.startsWith('0') &&
    !digits.startsWith('00') &&
    digits.length >= 10 &&
    digits.length <= 11 &&
    groups.length >= 2 &&
    groups.every((g) => g >= 2) &&
    /^[ .-]+$|^\(.*/.test(seps || 'x')
  ) {
    return { type: 'phone', start: s, end: e, value: raw };
  }
  return null;
}

function ibans(text: string, out: PiiMatch[]) {
  IBAN.lastIndex = 0;
  for (let m = IBAN.exec(text); m; m = IBAN.exec(text)) {
    // Take exactly the country's length of alphanumerics, allowing single spaces between groups.
    let compact = '';
    let e = m.index;
    while (e < text.length && compact.length < 34) {
      const ch = text[e]!;
      if (/[A-Za-z0-9]/.test(ch)) compact += ch;
      else if (ch !== ' ' || text[e + 1] === ' ' || !/[A-Za-z0-9]/.test(text[e + 1] ?? '')) break;
      e++;
      if (compact.length >= 15 && validIban(compact) && !/[A-Za-z0-9]/.test(text[e] ?? '')) {
        out.push({ type: 'iban', start: m.index, end: e, value: text.slice(m.index, e) });
        IBAN.lastIndex = e;
        break;
      }
    }
  }
}

function ips(text: string, out: PiiMatch[]) {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
    // "version 1.8.1.59", "build 2.0.1.3": a dotted quad after such a word is a version, not an address.
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    if (/\b(?:version|build|release|v)\.?\s*$/i.test(before)) continue;
    if (validIPv4(m[0]) && !m[0].split('.').some((o) => o.length > 1 && o.startsWith('0'))) {
      out.push({ type: 'ipv4', start: m.index, end: m.index + m[0].length, value: m[0] });
    }
  }
  if (!text.includes(':')) return;
  IPV6.lastIndex = 0;
  for (let m = IPV6.exec(text); m; m = IPV6.exec(text)) {
    const v = m[0].replace(/[.:]+$/, (x) => (x.startsWith('::') ? '::' : ''));
    if (v.split(':').length >= 3 && validIPv6(v))
      out.push({ type: 'ipv6', start: m.index, end: m.index + v.length, value: v });
  }
}

function secrets(text: string, out: PiiMatch[]) {
  for (const { kind, re, check } of SECRETS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!check || check(m[0]))
        out.push({ type: 'secret', kind, start: m.index, end: m.index + m[0].length, value: m[0] });
    }
  }
  let at = text.indexOf('-----BEGIN ');
  while (at !== -1) {
    KEY_BEGIN.lastIndex = at;
    if (KEY_BEGIN.test(text)) {
      const endMarker = text.indexOf('-----END ', KEY_BEGIN.lastIndex);
      const close = endMarker === -1 ? -1 : text.indexOf('-----', endMarker + 9);
      // A key with no end (cut off) is still a secret, to the end of the text.
      const end = close === -1 ? text.length : close + 5;
      out.push({ type: 'secret', kind: 'private_key', start: at, end, value: text.slice(at, end) });
      at = text.indexOf('-----BEGIN ', end);
    } else {
      at = text.indexOf('-----BEGIN ', at + 11);
    }
  }
}

/** Keeps the best of overlapping matches: higher priority, then longer. Returns them in text order. */
export function resolveOverlaps(matches: PiiMatch[]): PiiMatch[] {
  const ranked = [...matches].sort(
    (a, b) => PRIORITY[b.type] - PRIORITY[a.type] || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const chosen: PiiMatch[] = [];
  for (const m of ranked) {
    // chosen is kept sorted by start: binary search the neighbours.
    let lo = 0;
    let hi = chosen.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (chosen[mid]!.start < m.start) lo = mid + 1;
      else hi = mid;
    }
    const prev = chosen[lo - 1];
    const next = chosen[lo];
    if ((prev && prev.end > m.start) || (next && next.start < m.end)) continue;
    chosen.splice(lo, 0, m);
  }
  return chosen;
}

/** Every built-in detector, then the external ones, overlaps resolved. Positions refer to `text`. */
export function detectIn(
  text: string,
  types: ReadonlySet<PiiType> | null,
  external: readonly ExternalDetector[] = [],
): PiiMatch[] {
  const out: PiiMatch[] = [];
  const want = (t: PiiType) => types === null || types.has(t);
  if (want('email') && text.includes('@')) emails(text, out);
  if (want('card') || want('phone') || want('ssn')) digitRuns(text, out);
  if (want('iban')) ibans(text, out);
  if (want('ipv4') || want('ipv6')) ips(text, out);
  if (want('secret')) secrets(text, out);
  for (const d of external) out.push(...d(text));
  return resolveOverlaps(out.filter((m) => want(m.type) || !PRIORITY[m.type]));
}

import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import {
  cardNetwork,
  luhn,
  plausiblePhone,
  validCnResidentId,
  validCodiceFiscale,
  validCpf,
  validIban,
  validIPv4,
  validIPv6,
  validJwt,
  validNir,
  validSpanishId,
  validSsn,
  verhoeff,
} from './validators.js';

/** Kinds of personal or secret data the detectors find. */
export type PiiType =
  | 'email'
  | 'phone'
  | 'card'
  | 'iban'
  | 'ssn'
  // China's resident ID, Spain's DNI and NIE, Italy's codice fiscale, Brazil's CPF, India's Aadhaar, France's NIR.
  | 'national_id'
  | 'ipv4'
  | 'ipv6'
  | 'secret'
  // Found by an NER detector (`@cascadeflow/guardrails/ner`, or your own `external` one), never by patterns.
  | 'person'
  | 'place'
  | 'organization'
  | 'date';

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
  national_id: 5.5,
  ssn: 5,
  email: 4,
  phone: 3,
  ipv6: 2,
  ipv4: 1,
  person: 0.4,
  organization: 0.3,
  place: 0.2,
  date: 0.1,
};

// Every pattern is a literal anchor followed by single character classes with bounded repeats: no nested
// unbounded quantifier, so no catastrophic backtracking; a scan is linear in the text.
// Internationalised addresses (RFC 6531, IDNA): letters and digits of any script.
const EMAIL_LOCAL = /[\p{L}\p{N}\p{M}._%+-]/u;
const EMAIL_DOMAIN = /[\p{L}\p{N}\p{M}.-]/u;
const EMAIL_TLD = /^(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59}|\p{L}[\p{L}\p{M}]{1,23})$/u;
// A line break may split a card number ("4111 1111\n1111 1111"); nothing else may span one.
const DIGIT_RUN = /[+(]?\d[\d ()./\n-]{0,40}/g;
const EXTENSION = /^ ?(?:x|ext\.?|extension) ?\d{1,6}(?![\dA-Za-z])/i;
// Case-insensitive: people write IBANs in lower case too (the checksum is computed on the upper-cased value).
const IBAN = /\b[A-Za-z]{2}\d{2}[ ]?[A-Za-z0-9]{2}/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)/g;
const IPV6 = /(?<![0-9A-Fa-f:])[0-9A-Fa-f:.]{2,45}(?![0-9A-Fa-f:])/g;
/** Issuers' token patterns; `needs`, a text a match cannot occur without (its lookbehind). */
const SECRETS: { kind: string; re: RegExp; check?: (v: string) => boolean; needs?: string }[] = [
  { kind: 'anthropic', re: /\bsk-ant-[A-Za-z0-9_-]{20,200}/g },
  {
    kind: 'openai',
    re: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}/g,
    check: (v) => /\d/.test(v) && /[A-Za-z]/.test(v.slice(3)),
  },
  { kind: 'aws', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'github', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b/g },
  { kind: 'slack', re: /\bxox[abposr]-[A-Za-z0-9-]{10,200}/g },
  // Adapted from gitleaks' published rules (MIT): issuer prefixes with the issuer's own alphabet and length.
  { kind: 'stripe', re: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}\b/g },
  { kind: 'stripe', re: /\bwhsec_[A-Za-z0-9]{24,64}\b/g },
  { kind: 'sendgrid', re: /\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/g },
  { kind: 'google', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: 'google', re: /\bGOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g },
  { kind: 'azure', re: /(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g },
  { kind: 'azure', re: /\b(?<=AccountKey=)[A-Za-z0-9+/]{86}==/g, needs: 'AccountKey=' },
  { kind: 'azure', re: /\b(?<=SharedAccessKey=)[A-Za-z0-9+/]{42,44}=/g, needs: 'SharedAccessKey=' },
  { kind: 'slack', re: /\bxapp-\d-[A-Z0-9]{8,20}-\d{8,20}-[a-z0-9]{32,80}/g },
  {
    kind: 'slack',
    re: /\bhttps:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,32}/g,
  },
  { kind: 'gitlab', re: /\bglpat-[A-Za-z0-9_-]{20,64}/g },
  { kind: 'npm', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'huggingface', re: /\bhf_[A-Za-z]{34}\b/g },
  { kind: 'twilio', re: /\bSK[0-9a-f]{32}\b/g },
  { kind: 'mailgun', re: /\bkey-[0-9a-f]{32}\b/g },
  { kind: 'shopify', re: /\bshp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}\b/g },
  { kind: 'digitalocean', re: /\bdo[por]_v1_[0-9a-f]{64}\b/g },
  {
    kind: 'jwt',
    re: /\beyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{16,4000}/g,
    check: validJwt,
  },
];
const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/y;
// Credentials by where they stand rather than by issuer: the value after an Authorization header's scheme,
// a session-like cookie, a token-like URL parameter, the password of a URL. The match is the value only.
const AUTH_HEADER =
  /\b(?:Authorization|Proxy-Authorization)["']?\s*[:=]\s*["']?(?:Bearer|Basic|Token|Digest|Bot|ApiKey)\s+([A-Za-z0-9._~+/=-]{8,4096})/gi;
const API_KEY_HEADER =
  /\b(?:X-Api-Key|Api-Key|X-Auth-Token|X-Access-Token)["']?\s*[:=]\s*["']?([A-Za-z0-9._~+/=-]{12,4096})/gi;
const COOKIE = /\b(?:Set-)?Cookie\s*:\s*([^\r\n]{1,8192})/gi;
const COOKIE_PAIR = /([A-Za-z0-9_.-]{1,64})=([^;\s]{1,4096})/g;
const SESSION_NAME = /sess|sid|token|auth|jwt|login|remember|csrf|xsrf|secret|key/i;
const URL_TOKEN =
  /[?&#](?:access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret|client_secret|sig|signature|password|passwd|pwd|auth|session|sessionid|code)=([^&#\s"'<>]{8,4096})/gi;
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^:/@\s]{1,256}:([^@/\s]{1,256})@/gi;

/** A character of an address's local part or domain: ASCII by code, other scripts by Unicode class. */
function addressChar(text: string, i: number, local: boolean): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) {
    return (
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 46 ||
      c === 45 ||
      (local && (c === 95 || c === 37 || c === 43))
    );
  }
  // Other scripts: the Unicode class of a BMP code unit, computed once and remembered.
  const cache = local ? LOCAL_CLASS : DOMAIN_CLASS;
  let known = cache[c]!;
  if (known === 0) {
    known = (local ? EMAIL_LOCAL : EMAIL_DOMAIN).test(text[i]!) ? 1 : 2;
    cache[c] = known;
  }
  return known === 1;
}
/** 1 for a code unit of a script written without spaces between words (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar), else 0. */
export function unspaced(c: number): number {
  return (c >= 0x2e80 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7af) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x1100 && c <= 0x11ff) ||
    (c >= 0x0e00 && c <= 0x0eff) ||
    (c >= 0x1780 && c <= 0x17ff) ||
    (c >= 0x1000 && c <= 0x109f) ||
    (c >= 0xff66 && c <= 0xff9f) ||
    (c >= 0xd800 && c <= 0xdfff)
    ? 1
    : 0;
}
const LOCAL_CLASS = new Uint8Array(65536);
const DOMAIN_CLASS = new Uint8Array(65536);

function emails(text: string, out: PiiMatch[]) {
  let at = text.indexOf('@');
  let previous = -1;
  while (at !== -1) {
    const next = text.indexOf('@', at + 1);
    // Neither part can hold an "@": each character is looked at for at most two addresses, however many
    // "@" the text has.
    let s = at;
    while (s > previous + 1 && at - s < 64 && addressChar(text, s - 1, true)) s--;
    let e = at + 1;
    const stop = next === -1 ? text.length : next;
    while (e < stop && e - at < 255 && addressChar(text, e, false)) e++;
    // Scripts written without spaces (Han, kana, Hangul, Thai, …) run into an address in such text: each atom
    // of the local part and each label of the domain keeps to one kind of script, so that
    // "请联系zhang.wei@example.cn谢谢" gives "zhang.wei@example.cn", while "用户@例子.广告" stays whole.
    for (let i = at - 1, kind = -1; i >= s; i--) {
      const c = text.charCodeAt(i);
      if (c === 46) kind = -1;
      else if (kind === -1) kind = unspaced(c);
      else if (unspaced(c) !== kind) {
        s = i + 1;
        break;
      }
    }
    for (let i = at + 1, kind = -1; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c === 46) kind = -1;
      else if (kind === -1) kind = unspaced(c);
      else if (unspaced(c) !== kind) {
        e = i;
        break;
      }
    }
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    while (s < at && text[s] === '.') s++;
    let dot = e - 2;
    while (dot > at && text.charCodeAt(dot) !== 46) dot--;
    // No dot inside the domain, nothing before the "@", or a top-level domain shorter than any (two
    // characters): not an address (checked before any string is made).
    if (dot <= at || s === at || e - dot - 1 < 2) {
      previous = at;
      at = next;
      continue;
    }
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
      EMAIL_TLD.test(tld)
    ) {
      out.push({ type: 'email', start: s, end: e, value: text.slice(s, e) });
    }
    previous = at;
    at = next;
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Splits a digit run into groups (digits between separators) and tries every span of groups. */
function digitRuns(text: string, out: PiiMatch[], phoneRegion: CountryCode | undefined, ids: boolean) {
  // The groups of a run, by where they start and end in `text`: a run has at most 41 characters.
  const gs: number[] = [];
  const ge: number[] = [];
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text)) {
    const start = m.index;
    // The run, up to its last digit.
    let end = start + m[0].length;
    while (end > start && !isDigit(text.charCodeAt(end - 1))) end--;
    const id = ids ? nationalIdAt(text, start) : null;
    if (id) {
      out.push(id);
      DIGIT_RUN.lastIndex = id.end;
      continue;
    }
    if (start > 0 && isAlnum(text.charCodeAt(start - 1))) continue; // inside a longer token
    gs.length = 0;
    ge.length = 0;
    for (let k = start; k < end; k++) {
      if (!isDigit(text.charCodeAt(k))) continue;
      gs.push(k);
      while (k < end && isDigit(text.charCodeAt(k))) k++;
      ge.push(k);
    }
    const count = gs.length;
    let best: PiiMatch | null = null;
    // Spans are bounded: a value has at most 19 digits in at most 8 groups, and a one-digit group only
    // right after a "+" country code (+1, +33 6 …). This keeps the work per run constant, however hostile.
    for (let i = 0; i < count; i++) {
      // A one-digit group starts a value only after "+" (+1, +33 6 …) or as the US "1-" before 3 digits.
      const plus =
        text[gs[i]! - 1] === '+' || (text[gs[i]!] === '1' && i + 1 < count && ge[i + 1]! - gs[i + 1]! === 3);
      if (ge[i]! - gs[i]! === 1 && !plus) continue;
      // Nothing starts or ends inside a chain of dotted groups ("529.982.247.529", a version, an address):
      // no rule takes a value carved out of one, and such a chain would otherwise cost a dozen spans a run.
      if (text.charCodeAt(gs[i]! - 1) === 46 && isDigit(text.charCodeAt(gs[i]! - 2))) continue;
      let digits = 0;
      // The sizes of groups i..j, grown in place: no allocation per span.
      const sizes: number[] = [];
      let minGroup = 99;
      let maxGroup = 0;
      for (let j = i; j < count && j - i < 8; j++) {
        const len = ge[j]! - gs[j]!;
        sizes.push(len);
        if (len < minGroup) minGroup = len;
        if (len > maxGroup) maxGroup = len;
        // "+46 (0)8 …": the trunk 0 in parentheses and the one-digit area code after it belong to the number.
        const trunk = plus && (text[gs[j]! - 1] === '(' || text[gs[j]! - 1] === ')');
        // "08939-9-8109" (Japan): a one-digit group inside a number that starts with a trunk 0.
        const inner = len === 1 && j > i && text[gs[i]!] === '0' && j + 1 < count;
        if (len === 1 && j > i + 1 && !trunk && !inner) break;
        if (len === 1 && j === i + 1 && !plus && !inner) break;
        digits += len;
        if (digits > 19) break;
        if (digits < 7) continue;
        const s = gs[i]!;
        const e = ge[j]!;
        if (best && e - s <= best.end - best.start) continue;
        if (text.charCodeAt(e) === 46 && isDigit(text.charCodeAt(e + 1))) continue;
        // "+" and "(" belong to a phone number that starts with them.
        const lead = text[s - 1] === '+' || text[s - 1] === '(' ? s - 1 : s;
        // From the group sizes alone, before any string is built: can any rule match? Hostile runs of
        // digits then cost a few comparisons per span.
        if (!couldMatch(sizes, digits, minGroup, maxGroup, text[lead]!, phoneRegion !== undefined)) continue;
        const found = classifyDigits(text, lead, e, sizes, phoneRegion);
        if (found) best = found;
      }
    }
    if (best?.type === 'phone') {
      // An extension belongs to the number: "345-899-3560x4587", "… ext. 12".
      const ext = EXTENSION.exec(text.slice(best.end, best.end + 20));
      if (ext)
        best = Object.assign({}, best, {
          end: best.end + ext[0].length,
          value: text.slice(best.start, best.end + ext[0].length),
        });
    }
    if (best) out.push(best);
    // A run may hold several values ("4111… or 555-…"): continue after the best one, or after the run.
    if (best && best.end < end) DIGIT_RUN.lastIndex = best.end;
  }
}

/**
 * Whether any rule of classifyDigits (SSN, card, every phone shape) could match spans of these group
 * sizes: a pre-check that keeps hostile digit runs cheap. It restates the rules' shapes, so a rule that is
 * widened must be widened here too, or its new matches are silently skipped.
 */
function couldMatch(
  sizes: readonly number[],
  n: number,
  minGroup: number,
  maxGroup: number,
  first: string,
  region: boolean,
): boolean {
  const k = sizes.length;
  if (k === 3 && sizes[0] === 3 && sizes[1] === 2 && sizes[2] === 4) return true; // SSN
  if (n >= 12 && n <= 19 && k <= 5 && (k === 1 || minGroup >= 3)) return true; // card
  return (
    (first === '+' && n >= 8 && n <= 15) ||
    first === '(' ||
    (k === 1 && n >= 9 && n <= 11) ||
    (first === '0' && n === 10 && k === 3 && sizes[1] === 1) ||
    (n === 10 && k === 3 && sizes[0] === 3 && sizes[1] === 3) ||
    (n === 11 && k === 4 && sizes[0] === 1 && sizes[1] === 3 && sizes[2] === 3) ||
    (n >= 8 && n <= 13 && k <= 5 && minGroup >= 2 && (maxGroup >= 3 || first === '0')) ||
    (region && n >= 7)
  );
}

function classifyDigits(
  text: string,
  s: number,
  e: number,
  groups: number[],
  phoneRegion: CountryCode | undefined,
): PiiMatch | null {
  const after = text.charCodeAt(e);
  if (isAlnum(after) && !EXTENSION.test(text.slice(e, e + 20))) return null;
  const raw = text.slice(s, e);
  // The digits and the rest, in one pass (this runs for every candidate span of every run of digits).
  let digits = '';
  let seps = '';
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k]!;
    if (isDigit(raw.charCodeAt(k))) digits += c;
    else seps += c;
  }
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
    luhn(digits) &&
    /^(?: *| *-*| *\.*|\/*)$/.test(seps.replace('\n', ' ')) &&
    new Set(seps.replace(/ /g, '').replace('\n', '')).size <= 1 &&
    !/[ ./-]{2}/.test(raw.replace('\n', ' ')) &&
    (seps.match(/\n/g)?.length ?? 0) <= 1
  ) {
    const network = cardNetwork(digits);
    // Maestro's short lengths must not be carved out of a longer number ("1234 5678 9012 3456").
    const carved = /\d/.test(text[s - 2] ?? '') && /[ ./-]/.test(text[s - 1] ?? '');
    // A short Maestro number after "SKU" or "order #" is that identifier.
    const identifier = digits.length <= 13 && ID_CONTEXT.test(text.slice(Math.max(0, s - 16), s));
    if (network && !(network === 'maestro' && (carved || identifier)))
      return { type: 'card', start: s, end: e, value: raw, kind: network };
  }
  // Phone numbers: international (+ and 8-15 digits), US (NXX NXX XXXX), or national with a trunk 0.
  if (!plausiblePhone(digits) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(raw) || raw.includes('\n')) return null;
  if (raw.startsWith('+') && digits.length >= 8 && digits.length <= 15 && !raw.includes('+', 1))
    return { type: 'phone', start: s, end: e, value: raw };
  const national =
    digits.length === 11 && digits.startsWith('1') && /^1[-. ]/.test(raw) ? digits.slice(1) : digits;
  if (
    national.length === 10 &&
    US_PHONE.test(raw) &&
    /^[2-9]/.test(national) &&
    /^[2-9]/.test(national.slice(3))
  )
    return { type: 'phone', start: s, end: e, value: raw };
  if (nationalPhone(text, s, raw, digits, groups, seps))
    return { type: 'phone', start: s, end: e, value: raw };
  // With a default region, anything libphonenumber's metadata says is a valid number of that region (an
  // unbroken "4586720594" in the US), unless the words before make it an identifier.
  if (
    phoneRegion &&
    digits.length >= 7 &&
    !ID_CONTEXT.test(text.slice(Math.max(0, s - 16), s)) &&
    parsePhoneNumberFromString(raw, phoneRegion)?.isValid()
  )
    return { type: 'phone', start: s, end: e, value: raw };
  return null;
}

const US_PHONE = /^(?:1[-. ])?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;
// Words before a number that make it an identifier, not a phone number.
const ID_CONTEXT =
  /(?:#|\bno\.?|\bnr\.?|\bnum(?:ber)?|\border|\binvoice|\bid|\bsku|\bref(?:erence)?|\btracking|\bserial|\baccount|\bacct|\bticket|\bcase|\bisbn|\bpo|\bzip|\bpostcode|\bversion|\bbuild)\s*[:#]?\s*$/i;
const IBAN_PREFIX = /\b[A-Za-z]{2}\d{2} ?(?:[A-Za-z0-9]{4} ?){0,6}$/;
// "1794-1795", "2019 - 2024": a span of years, not a phone number.
const YEAR_RANGE = /^(?:1[0-9]|20)\d\d ?- ?(?:1[0-9]|20)\d\d$/;
const DATE_SHAPE = /^(?:(?:19|20)\d\d[-./]\d\d?[-./]\d\d?|\d\d?[-./]\d\d?[-./](?:19|20)\d\d)$/;

/**
 * Phone numbers written the national way, without "+": a parenthesised area code ("(37) 788-063",
 * "(06743) 3757809"), 8-12 digits in groups of 2-4 split by spaces, dashes or dots ("78 651 450",
 * "95-592-55-13", "9472 7916"), or one unbroken run that starts with a trunk 0 (10-11 digits) or is a
 * Chinese mobile number (11 digits, 1[3-9]…). Not after a word that makes it an identifier ("order #",
 * "invoice", "SKU", "version"), not a date, not 4-4-4 (a product or serial code).
 */
function nationalPhone(
  text: string,
  s: number,
  raw: string,
  digits: string,
  groups: number[],
  seps: string,
): boolean {
  // Never carved out of a longer run of digits ("SKU 7689-7270-1418", an IP address): the cheap checks first.
  const e = s + raw.length;
  const mark = (c: number) => c === 46 || c === 47 || c === 58 || c === 45; // . / : -
  if (text.charCodeAt(s - 1) === 32 && isDigit(text.charCodeAt(s - 2))) return false;
  if (mark(text.charCodeAt(s - 1)) && isAlnum(text.charCodeAt(s - 2))) return false;
  if (mark(text.charCodeAt(e)) && isAlnum(text.charCodeAt(e + 1))) return false;
  if (text.charCodeAt(e) === 32 && isDigit(text.charCodeAt(e + 1)) && isDigit(text.charCodeAt(e + 2)))
    return false;
  if (ID_CONTEXT.test(text.slice(Math.max(0, s - 16), s))) return false;
  // The digits of an account number that failed its IBAN check ("NL91 RABO 0417 1643 00") are not a phone.
  if (IBAN_PREFIX.test(text.slice(Math.max(0, s - 40), s))) return false;
  if (DATE_SHAPE.test(raw) || YEAR_RANGE.test(raw)) return false;
  const n = digits.length;
  if (raw.startsWith('(')) {
    return /^\(\d{2,5}\) ?\d{2,5}(?:[- .]?\d{2,5}){0,2}$/.test(raw) && n >= 8 && n <= 13;
  }
  if (groups.length === 1) {
    return (
      (digits.startsWith('0') && !digits.startsWith('00') && n >= 9 && n <= 11) ||
      (n === 11 && /^1[3-9]/.test(digits))
    );
  }
  // "08939-9-8109": 0, then groups with a one-digit one inside, 10 digits in all.
  if (digits.startsWith('0') && n === 10 && groups.length === 3 && groups[1] === 1 && groups[0]! >= 4)
    return /^\d+([- ])\d\1\d+$/.test(raw);
  // Two groups after a trunk 0, or after the "00" of an international call ("002-21488064").
  const trunk2 = groups.length === 2 && digits.startsWith('0');
  if (n < 8 || n > (trunk2 ? 13 : 12) || groups.length > 5) return false;
  if (!/^(?:[ ]+|[-]+|[.]+|[ -]+)$/.test(seps) || /[ ./-]{2}/.test(raw.replace(/ - /g, '-'))) return false;
  if (groups.length === 3 && groups.every((g) => g === 4)) return false;
  // The shape of a US SSN (3-2-4) is an SSN or nothing.
  if (groups.length === 3 && groups[0] === 3 && groups[1] === 2 && groups[2] === 4) return false;
  // Two groups after a trunk 0 may be long ("070870 60984", "06 64350069", "0549-16637927").
  if (!groups.every((g) => g >= 2 && (g <= 5 || (trunk2 && g <= 8)))) return false;
  // Groups of two digits only ("12 15 18 21") are a list of numbers, unless a trunk 0 starts them (French).
  if (groups.every((g) => g <= 2) && !digits.startsWith('0')) return false;
  // A leading trunk 0 or group sizes that phone plans use; three or more groups, or two of 4 ("9472 7916").
  return (
    groups.length >= 3 ||
    (groups.length === 2 && groups[0]! >= 3 && groups[1]! >= 4) ||
    digits.startsWith('0')
  );
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
    // An address has two colons at least: most runs of hex digits ("cafe", "12.5") are ruled out here.
    const colon = m[0].indexOf(':');
    if (colon === -1 || m[0].indexOf(':', colon + 1) === -1) continue;
    const v = m[0].replace(/[.:]+$/, (x) => (x.startsWith('::') ? '::' : ''));
    if (v.split(':').length >= 3 && validIPv6(v))
      out.push({ type: 'ipv6', start: m.index, end: m.index + v.length, value: v });
  }
}

/** Letters, digits and `_ ~ . + / = -`: the alphabet of every issuer's token above. */
function tokenChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 45 && c <= 57) || // - . / and the digits
    c === 95 ||
    c === 126 ||
    c === 43 ||
    c === 61
  );
}

/**
 * Whether the text has `n` token characters in a row. Every issuer's pattern above matches such a run (the
 * shortest, a Slack token, is 15 long), so a text without one has none of them: prose is ruled out in one
 * pass instead of one per pattern.
 */
function hasTokenRun(text: string, n: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (!tokenChar(text.charCodeAt(i))) run = 0;
    else if (++run >= n) return true;
  }
  return false;
}

/** The shortest match of any pattern of SECRETS (`xoxb-` and ten characters). */
const SHORTEST_SECRET = 15;

function secrets(text: string, out: PiiMatch[]) {
  const issuers = hasTokenRun(text, SHORTEST_SECRET) ? SECRETS : [];
  for (const { kind, re, check, needs } of issuers) {
    if (needs !== undefined && !text.includes(needs)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!check || check(m[0]))
        out.push({ type: 'secret', kind, start: m.index, end: m.index + m[0].length, value: m[0] });
    }
  }
  const credentialsAfter = (re: RegExp, kind: string, minLength = 8) => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const v = m[1]!;
      if (v.length < minLength) continue;
      const start = m.index + m[0].length - v.length;
      out.push({ type: 'secret', kind, start, end: start + v.length, value: v });
    }
  };
  if (/authoriz/i.test(text)) credentialsAfter(AUTH_HEADER, 'authorization');
  if (/-(?:api-)?key|-token|api-key/i.test(text)) credentialsAfter(API_KEY_HEADER, 'api_key_header');
  if (text.includes('=')) credentialsAfter(URL_TOKEN, 'url_token');
  if (text.includes('://')) credentialsAfter(URL_PASSWORD, 'url_password', 1);
  if (/cookie/i.test(text)) {
    COOKIE.lastIndex = 0;
    for (let c = COOKIE.exec(text); c; c = COOKIE.exec(text)) {
      const line = c[1]!;
      const base = c.index + c[0].length - line.length;
      COOKIE_PAIR.lastIndex = 0;
      for (let p = COOKIE_PAIR.exec(line); p; p = COOKIE_PAIR.exec(line)) {
        const [, name, value] = p;
        if (!SESSION_NAME.test(name!) || value!.length < 8) continue;
        const start = base + p.index + name!.length + 1;
        out.push({ type: 'secret', kind: 'cookie', start, end: start + value!.length, value: value! });
      }
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

/** Whether `start..end` is part of a longer token: a letter or digit, or "." or "-" and a digit, next to it. */
function inToken(text: string, start: number, end: number): boolean {
  const sep = (c: number) => c === 46 || c === 45;
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  return (
    isAlnum(before) ||
    (sep(before) && isDigit(text.charCodeAt(start - 2))) ||
    isAlnum(after) ||
    (sep(after) && isDigit(text.charCodeAt(end + 1)))
  );
}

// National identity numbers, by their shapes where a run of digits starts (sticky patterns of bounded
// repeats, each behind a check of a character or two), then their check characters.
// China's ID as one run or in its 6-8-4 groups (region, birth date, sequence and check).
const CN_ID = /[1-8]\d{5}( ?)(?:18|19|20)\d{2}[01]\d[0-3]\d\1\d{3}[\dXx]/y;
const DNI = /\d{8}-?[A-Za-z]/y;
const NIE = /[XYZxyz]-?\d{7}-?[A-Za-z]/y;
const CPF = /\d{3}\.\d{3}\.\d{3}-\d{2}/y;
const AADHAAR = /[2-9]\d{3}([ -]?)\d{4}\1\d{4}/y;
// Verhoeff passes one random 12-digit number in ten (a SKU, an order number): only where the text names it.
const AADHAAR_CONTEXT = /(?:aadh?aar|आधार|\buidai\b|\buid\b)[^\n]{0,30}$/i;
const NIR = /[1278] ?\d{2} ?\d{2} ?\d{2} ?\d{3} ?\d{3} ?\d{2}/y;
const CODICE_FISCALE =
  /[A-Za-z]{6}[\dLMNP-Vlmnp-v]{2}[A-EHLMPR-Ta-ehlmpr-t][\dLMNP-Vlmnp-v]{2}[A-Za-z][\dLMNP-Vlmnp-v]{3}[A-Za-z]/y;

/** The match of a sticky pattern at `at`, if any. */
function shapeAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

const validCnGrouped = (v: string) => validCnResidentId(v.replace(/ /g, ''));
const validAadhaar = (v: string) => verhoeff(v.replace(/\D/g, ''));

/** A national identity number of `kind` at `start`, when its shape matched, it stands alone and it checks. */
function idMatch(
  text: string,
  kind: string,
  start: number,
  value: string | undefined,
  valid: (v: string) => boolean,
): PiiMatch | null {
  return value && !inToken(text, start, start + value.length) && valid(value)
    ? { type: 'national_id', kind, start, end: start + value.length, value }
    : null;
}

/**
 * A national identity number with a check character where a run of digits starts at `s`: China's resident
 * ID, Spain's DNI and NIE, Italy's codice fiscale, Brazil's CPF, India's Aadhaar (named in the text), France's
 * NIR. Constant work per run: character checks, and a sticky pattern only where they pass.
 */
function nationalIdAt(text: string, s: number): PiiMatch | null {
  const at = (i: number) => text.charCodeAt(s + i);
  const prev = at(-1);
  if (isAlnum(prev) || prev === 45) {
    // NIE: X, Y or Z, then the digits. Codice fiscale: six letters, then two digits (or letters for them).
    const lead = prev === 45 ? s - 2 : s - 1;
    if ((text.charCodeAt(lead) | 32) >= 120 && (text.charCodeAt(lead) | 32) <= 122)
      return idMatch(text, 'es_nie', lead, shapeAt(NIE, text, lead), validSpanishId);
    if (s >= 6 && isDigit(at(1)) && !isDigit(at(2)))
      return idMatch(
        text,
        'it_codice_fiscale',
        s - 6,
        shapeAt(CODICE_FISCALE, text, s - 6),
        validCodiceFiscale,
      );
    return null;
  }
  if (isDigit(at(16)) || at(6) === 32) {
    const cn = idMatch(text, 'cn_resident_id', s, shapeAt(CN_ID, text, s), validCnGrouped);
    if (cn) return cn;
  }
  if (isDigit(at(7)) && !isDigit(at(8))) {
    const dni = idMatch(text, 'es_dni', s, shapeAt(DNI, text, s), validSpanishId);
    if (dni) return dni;
  }
  if (at(3) === 46) return idMatch(text, 'br_cpf', s, shapeAt(CPF, text, s), validCpf);
  const aadhaar = isDigit(at(3)) ? shapeAt(AADHAAR, text, s) : undefined;
  if (aadhaar && AADHAAR_CONTEXT.test(text.slice(Math.max(0, s - 40), s))) {
    const id = idMatch(text, 'in_aadhaar', s, aadhaar, validAadhaar);
    if (id) return id;
  }
  const c = at(0);
  if (c === 49 || c === 50 || c === 55 || c === 56)
    return idMatch(text, 'fr_nir', s, shapeAt(NIR, text, s), validNir);
  return null;
}

/** Every built-in detector, then the external ones, overlaps resolved. Positions refer to `text`. */
export function detectIn(
  text: string,
  types: ReadonlySet<PiiType> | null,
  external: readonly ExternalDetector[] = [],
  phoneRegion?: CountryCode,
): PiiMatch[] {
  const out: PiiMatch[] = [];
  const want = (t: PiiType) => types === null || types.has(t);
  if (want('email') && text.includes('@')) emails(text, out);
  if (want('card') || want('phone') || want('ssn') || want('national_id'))
    digitRuns(text, out, phoneRegion, want('national_id'));
  if (want('iban')) ibans(text, out);
  if (want('ipv4') || want('ipv6')) ips(text, out);
  if (want('secret')) secrets(text, out);
  for (const d of external) out.push(...d(text));
  return resolveOverlaps(out.filter((m) => want(m.type) || !PRIORITY[m.type]));
}

import { type PiiMatch, unspaced } from './detectors.js';
import { applyPolicy, type PiiFinding, type PiiPolicy, type PiiVault } from './policy.js';
import { type ScanOptions, scanPii } from './scan.js';

/**
 * Characters held back at the end of a stream where a value may depend on words before it (an
 * `Authorization` header, a cookie, a URL's token or password) or an external detector's values are of
 * unknown length, and where no word boundary is within reach: longer than any value the detectors match on
 * one line (an email is at most 254, an API key 200). Multi-line private keys and JWTs are held from their
 * start until they end.
 */
const HOLD = 320;
/**
 * Characters held back otherwise: longer than any value with a space in it (a grouped IBAN is 42, a phone
 * number with an extension about 30, a spaced national id 21). A value without spaces is held whole because
 * text is cut only at a word boundary (a space, or a character of a script written without spaces).
 */
const NEAR = 64;
/**
 * New characters gathered before the next scan (a little latency for a lot less rescanning): STEP near the
 * end of ordinary text, FAR_STEP while the whole HOLD is kept (the buffer to rescan is five times longer).
 */
const STEP = 32;
const FAR_STEP = 96;
/** Kinds of secret found by the words before them (`Authorization: Bearer …`, `?access_token=…`, a cookie). */
const BY_CONTEXT = new Set(['authorization', 'api_key_header', 'url_token', 'url_password', 'cookie']);
/** Words after which a credential is found by its context: while one is near the end, the whole HOLD is kept. */
const CONTEXT = /authoriz|api-key|-key\b|-token|cookie|[?&#][\w-]*=|:\/\//i;
/**
 * The longest private key or JWT held back whole (an RSA-4096 PEM is about 3.3 KB). Past this, the marker is
 * not held for: text with no space in it must not be held (and rescanned) without bound.
 */
const MAX_OPEN = 16_384;

/**
 * Redacts a stream of text chunks so that a value split over chunks never leaks: the tail of the text is
 * held back until it can no longer be part of a value, and emitted text is cut only at a space outside any
 * match. `push` returns what may be shown now; `flush` the rest at the end.
 *
 * @example
 * ```ts
 * const r = new StreamRedactor({ default: 'redact' }, new PiiVault());
 * for await (const chunk of chunks) process.stdout.write(r.push(chunk));
 * process.stdout.write(r.flush());
 * ```
 */
export class StreamRedactor {
  #buffer = '';
  /** The buffer's length at the last scan, and the new characters to wait for before the next. */
  #scanned = 0;
  #step = STEP;
  readonly #policy: PiiPolicy;
  readonly #vault: PiiVault;
  readonly #scan: ScanOptions;
  readonly findings: PiiFinding[] = [];
  /** Set when a finding's action is `block`. */
  blocked: PiiFinding | null = null;
  /** Restore this request's placeholders in the output (reversible redaction). */
  readonly #restore: boolean;

  constructor(policy: PiiPolicy, vault: PiiVault, scan: ScanOptions = {}, restore = false) {
    this.#policy = policy;
    this.#vault = vault;
    this.#scan = scan;
    this.#restore = restore;
  }

  push(chunk: string): string {
    this.#buffer += chunk;
    const len = this.#buffer.length;
    // Scan once per STEP new characters rather than on every token. The buffer stays bounded (the held tail,
    // one step, a private key or JWT still arriving), so each scan is too: linear time over the stream.
    if (len <= NEAR || len - this.#scanned < this.#step) return '';
    this.#scanned = len;
    const matches = scanPii(this.#buffer, this.#scan);
    const far =
      (this.#scan.external?.length ?? 0) > 0 ||
      CONTEXT.test(this.#buffer.slice(Math.max(0, len - HOLD - STEP)));
    const hold = far ? HOLD : NEAR;
    this.#step = far ? FAR_STEP : STEP;
    let cut = len - hold;
    if (cut <= 0) return '';
    // Never cut inside a match (nor between a credential and the words that make it one: the next scan would
    // not see them), nor inside a private key or JWT still arriving.
    const from = (m: PiiMatch) =>
      m.kind !== undefined && BY_CONTEXT.has(m.kind)
        ? Math.max(this.#buffer.lastIndexOf('\n', m.start - 1) + 1, m.start - HOLD)
        : m.start;
    for (const m of matches) if (from(m) < cut && m.end >= cut) cut = from(m);
    const pem = this.#buffer.lastIndexOf('-----BEGIN ');
    // A key is open until its whole END line has arrived.
    const pemOpen = pem !== -1 && !/-----END [A-Z0-9 ]+-----/.test(this.#buffer.slice(pem)) ? pem : -1;
    const jwt = this.#buffer.lastIndexOf('eyJ');
    const jwtOpen = jwt !== -1 && !/\s/.test(this.#buffer.slice(jwt, cut)) ? jwt : -1;
    const open = Math.max(pemOpen, jwtOpen);
    if (open !== -1 && open < cut && len - HOLD - open < MAX_OPEN) cut = open;
    // Cut at a word boundary, so that no token (or placeholder) is split…
    let at = cut;
    while (at > 0 && !wordBoundary(this.#buffer.charCodeAt(at - 1))) at--;
    // (a space inside a match, such as a key's line breaks, is no place to cut)
    for (const m of matches) if (from(m) < at && m.end > at) at = from(m);
    // …unless there is none within reach: then no closer to the end than HOLD, where no match spans the cut
    // (anything that starts before it is complete, being shorter than the held tail).
    if (at > 0 && cut - at <= HOLD) cut = at;
    else if (len - HOLD < cut) {
      this.#step = FAR_STEP;
      cut = len - HOLD;
      for (const m of matches) if (from(m) < cut && m.end >= cut) cut = from(m);
      if (open !== -1 && open < cut && len - HOLD - open < MAX_OPEN) cut = open;
    }
    if (cut <= 0) return '';
    this.#scanned -= cut;
    return this.#emit(cut, matches);
  }

  flush(): string {
    return this.#emit(this.#buffer.length, scanPii(this.#buffer, this.#scan));
  }

  #emit(cut: number, matches: PiiMatch[]): string {
    const head = this.#buffer.slice(0, cut);
    this.#buffer = this.#buffer.slice(cut);
    const inHead = matches.filter((m) => m.end <= cut);
    const out = applyPolicy(head, inHead, this.#policy, this.#vault);
    this.findings.push(...out.findings);
    if (out.blocked.length > 0 && !this.blocked) this.blocked = out.blocked[0]!;
    return this.#restore ? this.#vault.restore(out.text) : out.text;
  }
}

/** A space, or a character of a script written without spaces (Han, kana, Hangul, Thai, …): a place to cut. */
function wordBoundary(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 0x3000 || unspaced(c) === 1;
}

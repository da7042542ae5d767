import type { PiiMatch } from './detectors.js';
import { applyPolicy, type PiiFinding, type PiiPolicy, type PiiVault } from './policy.js';
import { type ScanOptions, scanPii } from './scan.js';

/**
 * Characters held back at the end of a stream: longer than any value the detectors match on one line
 * (an email is at most 254, an IBAN with spaces 42, an API key 200). Multi-line private keys and JWTs are
 * held from their start until they end.
 */
const HOLD = 320;
/** New characters gathered before the next scan (a little latency for a lot less rescanning). */
const STEP = 96;
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
    // Scan once per STEP new characters rather than on every token. The buffer stays bounded (the held tail,
    // one step, a private key or JWT still arriving), so each scan is too: linear time over the stream.
    if (this.#buffer.length <= HOLD + STEP) return '';
    const matches = scanPii(this.#buffer, this.#scan);
    const limit = this.#buffer.length - HOLD;
    let cut = limit;
    // Never cut inside a match, nor inside a private key or JWT still arriving.
    for (const m of matches) if (m.start < cut && m.end >= cut) cut = m.start;
    const pem = this.#buffer.lastIndexOf('-----BEGIN ');
    // A key is open until its whole END line has arrived.
    const pemOpen = pem !== -1 && !/-----END [A-Z0-9 ]+-----/.test(this.#buffer.slice(pem)) ? pem : -1;
    const jwt = this.#buffer.lastIndexOf('eyJ');
    const jwtOpen = jwt !== -1 && !/\s/.test(this.#buffer.slice(jwt, cut)) ? jwt : -1;
    const open = Math.max(pemOpen, jwtOpen);
    if (open !== -1 && open < cut && limit - open < MAX_OPEN) cut = open;
    // Cut at whitespace, so that no token (or placeholder) is split…
    let at = cut;
    while (at > 0 && !/\s/.test(this.#buffer[at - 1]!)) at--;
    // (a space inside a match, such as a key's line breaks, is no place to cut)
    for (const m of matches) if (m.start < at && m.end > at) at = m.start;
    // …unless there is none within reach: then at the cut itself, which no match spans (anything that starts
    // before it is complete, being shorter than the held tail).
    if (at > 0 && cut - at <= HOLD) cut = at;
    if (cut <= 0) return '';
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

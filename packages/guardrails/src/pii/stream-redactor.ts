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
    // Scan once per STEP new characters rather than on every token: the held tail is rescanned each time.
    if (this.#buffer.length <= HOLD + STEP) return '';
    const matches = scanPii(this.#buffer, this.#scan);
    let cut = this.#buffer.length - HOLD;
    // Never cut inside a match, nor inside a private key or JWT still arriving.
    for (const m of matches) if (m.start < cut && m.end >= cut) cut = m.start;
    const open = Math.max(this.#buffer.lastIndexOf('-----BEGIN '), this.#buffer.lastIndexOf('eyJ'));
    if (open !== -1 && open < cut && !/\s/.test(this.#buffer.slice(open, cut))) cut = open;
    // Cut at whitespace, so that no token (or placeholder) is split.
    while (cut > 0 && !/\s/.test(this.#buffer[cut - 1]!)) cut--;
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

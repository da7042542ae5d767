import type { PiiMatch } from './detectors.js';
import { type ScanOptions, scanPii } from './scan.js';

/**
 * Scans of long texts, kept by their text: an agent sends its system prompt and every earlier turn again on
 * each request, and each would otherwise be scanned again (a Claude Code turn carries 10-20 KB of them). A
 * text shorter than `minChars` is scanned every time (a lookup would cost about as much); the least recently
 * used scans go once the kept texts add up to more than `maxChars`. The matches are frozen: every run reads
 * the same ones. Detectors must be pure functions of the text, as the built-in ones are.
 */
export class ScanCache {
  readonly #entries = new Map<string, readonly PiiMatch[]>();
  readonly #options: ScanOptions;
  readonly #minChars: number;
  readonly #maxChars: number;
  #chars = 0;

  constructor(options: ScanOptions, limits: { minChars?: number; maxChars?: number } = {}) {
    this.#options = options;
    this.#minChars = limits.minChars ?? 512;
    this.#maxChars = limits.maxChars ?? 4_000_000;
  }

  /** The matches in `text`, as `scanPii(text, options)` finds them. */
  scan(text: string): readonly PiiMatch[] {
    if (text.length < this.#minChars || text.length > this.#maxChars) return scanPii(text, this.#options);
    const kept = this.#entries.get(text);
    if (kept) {
      // Most recently used last: the first entries are the ones to let go.
      this.#entries.delete(text);
      this.#entries.set(text, kept);
      return kept;
    }
    const found = Object.freeze(scanPii(text, this.#options).map((m) => Object.freeze(m)));
    this.#entries.set(text, found);
    this.#chars += text.length;
    for (const old of this.#entries.keys()) {
      if (this.#chars <= this.#maxChars) break;
      this.#entries.delete(old);
      this.#chars -= old.length;
    }
    return found;
  }

  /** How many texts are kept. */
  get size(): number {
    return this.#entries.size;
  }
}

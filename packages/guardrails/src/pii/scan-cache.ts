import { TextCache } from '../text-cache.js';
import type { PiiMatch } from './detectors.js';
import { type ScanOptions, scanPii } from './scan.js';

/**
 * Scans of long texts, kept by their text ({@link TextCache}): an agent sends its system prompt and every
 * earlier turn again on each request, and each would otherwise be scanned again (a Claude Code turn carries
 * 10-20 KB of them). The matches are frozen: every run reads the same ones. Detectors must be pure functions
 * of the text, as the built-in ones are.
 */
export class ScanCache {
  readonly #kept: TextCache<readonly PiiMatch[]>;
  readonly #options: ScanOptions;

  constructor(options: ScanOptions, limits: { minChars?: number; maxChars?: number } = {}) {
    this.#options = options;
    this.#kept = new TextCache(limits);
  }

  /** The matches in `text`, as `scanPii(text, options)` finds them. */
  scan(text: string): readonly PiiMatch[] {
    if (!this.#kept.keeps(text)) return scanPii(text, this.#options);
    const kept = this.#kept.get(text);
    if (kept) return kept;
    const found = Object.freeze(scanPii(text, this.#options).map((m) => Object.freeze(m)));
    this.#kept.set(text, found);
    return found;
  }

  /** How many texts are kept. */
  get size(): number {
    return this.#kept.size;
  }
}

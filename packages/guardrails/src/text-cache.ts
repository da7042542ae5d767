/**
 * Values kept by the long text they were computed from, the least recently used let go once the kept texts
 * add up to more than `maxChars`: an agent sends its system prompt and earlier turns again on every request,
 * and what was worked out from them once need not be worked out again. A text shorter than `minChars` is not
 * kept (looking it up would cost about as much as the work), nor one longer than `maxChars`.
 */
export class TextCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #minChars: number;
  readonly #maxChars: number;
  #chars = 0;

  constructor(limits: { minChars?: number; maxChars?: number } = {}) {
    this.#minChars = limits.minChars ?? 512;
    this.#maxChars = limits.maxChars ?? 4_000_000;
  }

  /** Whether a text of this length is kept at all. */
  keeps(text: string): boolean {
    return text.length >= this.#minChars && text.length <= this.#maxChars;
  }

  /** The value kept for `text`, now the most recently used; undefined when none is. */
  get(text: string): V | undefined {
    const kept = this.#entries.get(text);
    if (kept === undefined) return undefined;
    this.#entries.delete(text);
    this.#entries.set(text, kept);
    return kept;
  }

  /** Keeps `value` for `text` (if the text is one that is kept), letting the least recently used go. */
  set(text: string, value: V): void {
    if (!this.keeps(text)) return;
    if (this.#entries.delete(text)) this.#chars -= text.length;
    this.#entries.set(text, value);
    this.#chars += text.length;
    for (const old of this.#entries.keys()) {
      if (this.#chars <= this.#maxChars) break;
      this.#entries.delete(old);
      this.#chars -= old.length;
    }
  }

  /** How many texts are kept. */
  get size(): number {
    return this.#entries.size;
  }
}

import { fileURLToPath } from 'node:url';
import type { CompletionRequest, CompletionResponse, Provider, StreamDelta } from '@cascadeflow/core';
import { loadRecords, type RecordedQuestion, ReplayProvider } from '@cascadeflow/eval';

export const REPLAY_LADDER = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];

const file = (name: string) => fileURLToPath(new URL(`../data/${name}.jsonl.gz`, import.meta.url));

export async function loadReplayData(): Promise<{ train: RecordedQuestion[]; test: RecordedQuestion[] }> {
  return {
    train: await loadRecords(file('triviaqa_qwen_oai_train')),
    test: await loadRecords(file('triviaqa_qwen_oai_test')),
  };
}

/** The question inside a recorded prompt ("…Question: X\n\nAnswer: "), normalised for lookup. */
export function questionOf(userPrompt: string): string {
  const m = /Question:\s*([\s\S]*?)\s*(?:\n\s*Answer:|$)/.exec(userPrompt);
  return normalize(m ? m[1]! : userPrompt);
}

function normalize(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A replay provider for people typing questions: it matches the question text (case and punctuation
 * ignored) rather than the exact recorded prompt, then answers as the recorded model did.
 */
export class DemoReplay implements Provider {
  readonly name = 'replay';
  readonly #byQuestion = new Map<string, RecordedQuestion>();
  readonly #replay: ReplayProvider;
  readonly #answeredBy = new Map<RecordedQuestion, number>();
  /** Samples by size, computed once (until an outcome is recorded). */
  readonly #samples = new Map<number, string[]>();

  constructor(records: readonly RecordedQuestion[]) {
    for (const r of records)
      if (!this.#byQuestion.has(questionOf(r.userPrompt))) this.#byQuestion.set(questionOf(r.userPrompt), r);
    this.#replay = new ReplayProvider(records);
  }

  /** Records which tier answered a recorded question on the recorded split, for {@link sample}. */
  recordOutcome(record: RecordedQuestion, tier: number): void {
    this.#answeredBy.set(record, tier);
    this.#samples.clear();
  }

  /** Texts looked up lately (each run looks its question up once per call), at most 1,000. */
  readonly #found = new Map<string, RecordedQuestion | undefined>();

  /** The recorded question for a text, if any. */
  find(text: string): RecordedQuestion | undefined {
    if (this.#found.has(text)) return this.#found.get(text);
    const record = this.#byQuestion.get(normalize(text)) ?? this.#byQuestion.get(questionOf(text));
    if (this.#found.size >= 1_000) this.#found.clear();
    this.#found.set(text, record);
    return record;
  }

  /**
   * A few recorded questions, for the page and the error message, representative of the recorded test
   * split: drawn (seeded) from each outcome (the tier that answered) in proportion to that outcome's share
   * of the split, and spread so that the rarer outcomes are not bunched at the start. A hand-picked mix of
   * the drafter's surest and least sure answers made the live cost line misleading.
   */
  sample(n: number): string[] {
    let picked = this.#samples.get(n);
    if (!picked) {
      picked = this.#representative(n);
      this.#samples.set(n, picked);
    }
    return [...picked];
  }

  #representative(n: number): string[] {
    const all = [...this.#byQuestion.values()];
    let seed = 0x9e3779b9;
    const rand = () => {
      seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return seed / 4294967296;
    };
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    const groups = new Map<number, RecordedQuestion[]>();
    for (const r of all) {
      const tier = this.#answeredBy.get(r) ?? 0;
      const group = groups.get(tier);
      if (group) group.push(r);
      else groups.set(tier, [r]);
    }
    // Largest-remainder allocation of n over the outcomes, by their shares of the split.
    const shares = [...groups.values()].map((rs) => {
      const exact = (n * rs.length) / all.length;
      return { rs, exact, count: Math.floor(exact) };
    });
    let left = Math.min(n, all.length) - shares.reduce((a, s) => a + s.count, 0);
    for (const s of [...shares].sort((a, b) => (b.exact % 1) - (a.exact % 1))) {
      if (left-- <= 0) break;
      s.count++;
    }
    const picked = shares
      .flatMap((s) => s.rs.slice(0, s.count).map((r, k) => ({ r, at: (k + 0.5) / s.count })))
      .sort((a, b) => a.at - b.at)
      .map((p) => p.r);
    return picked.map((r) => /Question:\s*([\s\S]*?)\s*\n\s*Answer:/.exec(r.userPrompt)?.[1] ?? r.userPrompt);
  }

  #bound(req: CompletionRequest) {
    const users = req.messages.filter((m) => m.role === 'user');
    const text = users.map((m) => m.content ?? '').join('\n');
    // A self-check call quotes the question: find it by its first line.
    const q = /Question:\n([\s\S]*?)\n\nProposed answer:/.exec(text)?.[1] ?? users.at(-1)?.content ?? '';
    const record = this.find(q);
    return record ? this.#replay.bind(record) : this.#replay;
  }

  complete(req: CompletionRequest): Promise<CompletionResponse> {
    return this.#bound(req).complete(req);
  }

  stream(req: CompletionRequest): AsyncIterable<StreamDelta> {
    return this.#bound(req).stream(req);
  }
}

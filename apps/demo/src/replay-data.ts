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

  constructor(records: readonly RecordedQuestion[]) {
    for (const r of records)
      if (!this.#byQuestion.has(questionOf(r.userPrompt))) this.#byQuestion.set(questionOf(r.userPrompt), r);
    this.#replay = new ReplayProvider(records);
  }

  /** The recorded question for a text, if any. */
  find(text: string): RecordedQuestion | undefined {
    return this.#byQuestion.get(normalize(text)) ?? this.#byQuestion.get(questionOf(text));
  }

  /**
   * A few recorded questions, for the page and the error message: alternately ones the cheapest model was
   * surest of and ones it doubted, so that the examples show both accepted drafts and escalations.
   */
  sample(n: number): string[] {
    const cheapest = REPLAY_LADDER[0]!;
    const byConf = [...this.#byQuestion.values()].sort(
      (a, b) => (b.models[cheapest]?.rawConf ?? 0) - (a.models[cheapest]?.rawConf ?? 0),
    );
    const picked: RecordedQuestion[] = [];
    for (let i = 0; picked.length < Math.min(n, byConf.length); i++) {
      picked.push(byConf[i]!);
      if (picked.length < n) picked.push(byConf[byConf.length - 1 - i]!);
    }
    return picked
      .slice(0, n)
      .map((r) => /Question:\s*([\s\S]*?)\s*\n\s*Answer:/.exec(r.userPrompt)?.[1] ?? r.userPrompt);
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

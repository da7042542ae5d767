import { InvalidConfigError, type Provider } from '@cascadeflow/core';
import { agreement } from '../calibrate/features.js';

/** What a judge sees: the question, the answer to judge, and the reference answer (the strongest model's). */
export interface JudgeItem {
  system: string;
  question: string;
  answer: string;
  reference: string;
}

/** Marks an answer correct or not. */
export interface Judge {
  readonly name: string;
  judge(item: JudgeItem, signal?: AbortSignal): Promise<boolean>;
}

function normalize(s: string): string {
  const words = s
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Articles carry no answer, unless they are the answer (the choice "A").
  const bare = words
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return bare === '' ? words : bare;
}

/** True when two answers say the same thing by their words (the same normalised text, or one within the other). */
export function sameAnswer(a: string, b: string): boolean {
  const x = normalize(a);
  const y = normalize(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  const short = x.length <= y.length ? x : y;
  const long = x.length <= y.length ? y : x;
  return ` ${long} `.includes(` ${short} `) || agreement(a, b) >= 0.6;
}

/**
 * A judge without a model: an answer is correct when it says what the reference says (the same normalised
 * text, one within the other, or most words shared). Free and deterministic; right for short answers
 * (letters, names, numbers), blind to paraphrase. On the dev data its labels agree with the gold labels on
 * the share the README gives.
 *
 * @example
 * ```ts
 * const labelled = await labelRecords(records, { judge: referenceJudge() });
 * ```
 */
export function referenceJudge(): Judge {
  return { name: 'reference-match', judge: async (item) => sameAnswer(item.answer, item.reference) };
}

/** The prompt of {@link modelJudge}; `{question}`, `{reference}` and `{answer}` are filled in. */
export const JUDGE_PROMPT = `You are grading an answer to a question against a reference answer that is assumed to be correct.

Question:
{question}

Reference answer:
{reference}

Answer to grade:
{answer}

Does the answer to grade give the same final answer as the reference (the same choice, entity, number or claim; wording, length and extra explanation do not matter)? Reply with exactly one word: YES or NO.`;

/**
 * The prompt that grades an answer on its own merits, the reference being a hint that may be wrong: with it
 * the judge can mark the strongest model's own answer wrong (`labelRecords({ judgeReference: true })`), so
 * that quality means correctness rather than agreement with the strongest model.
 */
export const GRADE_PROMPT = `You are grading an answer to a question. A reference answer from a strong model is given as a hint; it may be wrong.

Question:
{question}

Reference answer (may be wrong):
{reference}

Answer to grade:
{answer}

Is the answer to grade correct? Judge the final answer only (the choice, entity, number or claim); wording, length and extra explanation do not matter. Reply with exactly one word: YES or NO.`;

/** Options of {@link modelJudge}. */
export interface ModelJudgeOptions {
  provider: Provider;
  model: string;
  /** Default {@link JUDGE_PROMPT} (agreement with the reference); {@link GRADE_PROMPT} grades correctness. */
  prompt?: string;
}

/**
 * A judge model (any tier, or a model of its own) that compares the answer with the reference answer using
 * {@link JUDGE_PROMPT}. A reply that is neither YES nor NO throws, naming the model and the reply.
 *
 * @example
 * ```ts
 * const judge = modelJudge({ provider: new OpenAIProvider(), model: 'gpt-4o' });
 * ```
 */
export function modelJudge(options: ModelJudgeOptions): Judge {
  const prompt = options.prompt ?? JUDGE_PROMPT;
  for (const field of ['{question}', '{reference}', '{answer}'])
    if (!prompt.includes(field)) throw new InvalidConfigError('prompt', `must contain ${field}`);
  return {
    name: `model:${options.model}`,
    async judge(item, signal) {
      const content = prompt
        .replace('{question}', item.question)
        .replace('{reference}', item.reference)
        .replace('{answer}', item.answer);
      // One signal per call, tied to the caller's: a long labelling run must not pile listeners on one signal.
      const call = new AbortController();
      const onAbort = () => call.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let r: Awaited<ReturnType<Provider['complete']>>;
      try {
        r = await options.provider.complete({
          model: options.model,
          messages: [{ role: 'user', content }],
          maxTokens: 3,
          temperature: 0,
          purpose: 'judge',
          about: { query: item.question, answer: item.answer },
          signal: call.signal,
        });
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const word = r.content
        .trim()
        .toUpperCase()
        .replace(/[^A-Z]/g, '');
      if (word.startsWith('YES')) return true;
      if (word.startsWith('NO')) return false;
      throw new InvalidConfigError(
        'judge',
        `judge model "${options.model}" replied ${JSON.stringify(r.content.slice(0, 80))}, not YES or NO; use a stronger judge model or a prompt it follows`,
      );
    },
  };
}

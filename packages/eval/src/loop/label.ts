import { CascadeAbortedError } from '@cascadeflow/core';
import type { RecordedQuestion } from '../dataset/records.js';
import { type Judge, sameAnswer } from './judge.js';
import type { LiveRecord } from './live-record.js';

/** A user's verdict on an answer the gateway gave, keyed by the run id of the response. */
export type Feedback = ReadonlyMap<string, 'up' | 'down'>;

/** Options of {@link labelRecords}. */
export interface LabelOptions {
  judge: Judge;
  /** Users' thumbs up/down by record id: they override the judge on the answer the user saw. */
  feedback?: Feedback;
  /** The model whose answer is the reference (default: the last, strongest, of each record). */
  reference?: string;
  /**
   * Judge the reference's own answer too (with a judge that grades correctness, `GRADE_PROMPT`), so that
   * quality is correctness, not agreement with the strongest model. Default false: the reference is right
   * by definition and quality means agreeing with it (a stricter target: drafts right where the strongest
   * model is wrong count as wrong).
   */
  judgeReference?: boolean;
  /** Judge calls in flight at most (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** What {@link labelRecords} did. */
export interface LabelSummary {
  records: number;
  judged: number;
  /** Answers the same as the reference, labelled correct without a judge call. */
  matched: number;
  /** Labels set by users' feedback. */
  fromFeedback: number;
}

/**
 * Labels recorded live requests for calibration: each answer is marked correct or not against the
 * reference model's answer (answers the same as the reference share its label without a call, the others
 * go to the judge), and a user's thumbs up or down overrides the label of the answer that user saw (a
 * thumbs down on the reference's answer marks the answers the same as it wrong too). With
 * `judgeReference`, the reference's own answer is judged as well. Returns records in the eval's format,
 * ready for `calibrate()`.
 *
 * @example
 * ```ts
 * const { records } = await labelRecords(await loadLiveRecords('records.jsonl'), { judge: referenceJudge(), feedback });
 * const cal = calibrate(records, { ladder, targetQuality: 0.95 });
 * ```
 */
export async function labelRecords(
  live: readonly LiveRecord[],
  options: LabelOptions,
): Promise<{ records: RecordedQuestion[]; summary: LabelSummary }> {
  const summary: LabelSummary = { records: live.length, judged: 0, matched: 0, fromFeedback: 0 };
  const jobs: (() => Promise<void>)[] = [];
  const copies: (() => void)[] = [];
  // Numbered in the order of their questions, not of their arrival: the same records label and calibrate
  // the same way whatever order their shadow calls finished in.
  const ordered = [...live].sort(
    (a, b) =>
      a.user_prompt.localeCompare(b.user_prompt) ||
      a.system_prompt.localeCompare(b.system_prompt) ||
      a.id.localeCompare(b.id),
  );
  const out: RecordedQuestion[] = ordered.map((r, idx) => {
    const names = Object.keys(r.models);
    const reference = options.reference ?? names[names.length - 1]!;
    const refAnswer = r.models[reference]?.answer ?? '';
    const hasSignal = names.some((m) => r.models[m]!.raw_conf !== null);
    const sameAsReference: string[] = [];
    const q: RecordedQuestion = {
      benchmark: 'live',
      split: 'recorded',
      chain: 'live',
      idx,
      signal: 'ModelIntrinsicLogProb',
      systemPrompt: r.system_prompt,
      userPrompt: r.user_prompt,
      gold: null,
      models: {},
    };
    for (const m of names) {
      const a = r.models[m]!;
      q.models[m] = {
        answer: a.answer,
        correct: true,
        rawConf: hasSignal ? a.raw_conf : null,
        costUsd: a.cost_usd,
        tokensIn: a.tokens_in,
        tokensOut: a.tokens_out,
        latencyMs: a.latency_ms,
      };
      const verdict = options.feedback?.get(r.id);
      if (verdict && m === r.answered_by) {
        q.models[m]!.correct = verdict === 'up';
        summary.fromFeedback++;
      } else if (m === reference && !options.judgeReference) {
        q.models[m]!.correct = true;
      } else if (m !== reference && sameAnswer(a.answer, refAnswer)) {
        // The same answer as the reference gets the reference's label (set below when it is judged).
        summary.matched++;
        sameAsReference.push(m);
      } else {
        jobs.push(async () => {
          q.models[m]!.correct = await options.judge.judge(
            { system: r.system_prompt, question: r.user_prompt, answer: a.answer, reference: refAnswer },
            options.signal,
          );
          summary.judged++;
        });
      }
    }
    // Answers the same as the reference share its label: a thumbs down, or the judge's verdict on it.
    copies.push(() => {
      for (const m of sameAsReference) q.models[m]!.correct = q.models[reference]!.correct;
    });
    return q;
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      if (options.signal?.aborted) throw new CascadeAbortedError(options.signal.reason);
      await jobs[next++]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  for (const copy of copies) copy();
  return { records: out, summary };
}

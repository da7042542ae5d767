import { latestDocuments, latestImages } from '../agent/message-attachments.js';
import type { ChatMessage } from '../types/messages.js';
import type { QualityValidator, ValidationContext } from './validator.js';

/** Options of {@link selfCheck}. */
export interface SelfCheckOptions {
  /** Model that judges; default the tier's own model (the "AskModelConfidence" signal). */
  model?: string;
  /** Builds the judging prompt; the default asks for a bare Y or N. */
  prompt?: (question: string, answer: string) => ChatMessage[];
}

/**
 * The last line of the default self-check prompt. Programs should recognise a self-check call by its
 * `purpose: 'self-check'`; a scripted test server that sees only the HTTP body can look for this line.
 *
 * @example
 * ```ts
 * const isSelfCheck = JSON.stringify(body.messages).includes(SELF_CHECK_MARKER); // in a scripted test server
 * ```
 */
export const SELF_CHECK_MARKER = 'Is the proposed answer correct? Answer with a single letter, Y or N.';

/**
 * The self-check prompt, after Zellinger & Thomson (arXiv:2501.09345), whose "AskModelConfidence" signal is
 * the log-prob of "Y" when the model is asked whether its own answer is correct.
 *
 * @example
 * ```ts
 * const res = await provider.complete({ model, messages: selfCheckPrompt('Capital of France?', 'Paris'), maxTokens: 1, logprobs: true });
 * ```
 */
export function selfCheckPrompt(question: string, answer: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'You check answers. Reply with exactly one letter: Y if the proposed answer is correct, N if not.',
    },
    {
      role: 'user',
      content: `Question:\n${question}\n\nProposed answer:\n${answer}\n\n${SELF_CHECK_MARKER}`,
    },
  ];
}

/** What the model said when asked whether an answer is correct. */
export interface SelfCheckVerdict {
  /** True when the reply's first token is Y. */
  saidYes: boolean;
  /** Log-prob of that first token. */
  logprob: number;
  /** P(correct): p of Y, or 1 − p of N. */
  pCorrect: number;
  /** log P(correct), computed without losing precision when the model said Y. */
  logPCorrect: number;
}

/**
 * Makes the self-check call for a draft through the validator's `complete` (so it is paid into the attempt,
 * and marked `purpose: 'self-check'` with what it is `about`): the one place that builds that call, for
 * {@link selfCheck} and for validators that use the same signal (the eval's calibrated validator). Null when
 * the reply has no log-prob.
 *
 * @example
 * ```ts
 * const verdict = await askSelfCheck(ctx);
 * if (verdict) console.log(verdict.pCorrect);
 * ```
 */
export async function askSelfCheck(
  ctx: ValidationContext,
  options: SelfCheckOptions = {},
): Promise<SelfCheckVerdict | null> {
  let messages = (options.prompt ?? selfCheckPrompt)(ctx.query, ctx.response.content);
  // A question asked about images or documents (its own, or a tool result's after it) is checked with them: the checking
  // model sees what the answer saw.
  const images = latestImages(ctx.messages);
  const documents = latestDocuments(ctx.messages);
  if (images.length || documents.length) {
    const last = messages.findLastIndex((m) => m.role === 'user');
    const seen = Object.assign({}, images.length ? { images } : {}, documents.length ? { documents } : {});
    messages = messages.map((m, i) => (i === last && m.role === 'user' ? Object.assign({}, m, seen) : m));
  }
  const res = await ctx.complete(
    Object.assign({}, options.model ? { model: options.model } : {}, {
      messages,
      maxTokens: 1,
      temperature: 0,
      logprobs: true,
      purpose: 'self-check',
      about: { query: ctx.query, answer: ctx.response.content },
    }),
  );
  const first = res.logprobs?.[0];
  if (!first) return null;
  const p = Math.exp(first.logprob);
  const saidYes = /^\s*y/i.test(first.token);
  return {
    saidYes,
    logprob: first.logprob,
    pCorrect: saidYes ? p : 1 - p,
    logPCorrect: saidYes ? first.logprob : Math.log(Math.max(1e-12, 1 - p)),
  };
}

/**
 * Asks the model whether its own answer is correct and scores the probability of "Y", from the log-prob of
 * the first token of the reply (1 − p when the model said N). Costs one short extra call per judged draft,
 * which is added to the attempt's cost. Does not apply when the provider returns no log-probs.
 *
 * @example
 * ```ts
 * const agent = new CascadeAgent({ ..., validators: [selfCheck(), textChecks()] });
 * ```
 */
export function selfCheck(options: SelfCheckOptions = {}): QualityValidator {
  return {
    name: 'self-check',
    async validate(ctx) {
      if (ctx.response.content.trim() === '') return null;
      const verdict = await askSelfCheck(ctx, options);
      if (!verdict || !Number.isFinite(verdict.logprob)) return null;
      const score = verdict.pCorrect;
      return {
        score,
        reasons: [`self-check: P(correct) ${score.toFixed(3)} (said ${verdict.saidYes ? 'Y' : 'N'})`],
      };
    },
  };
}

import type { ChatMessage } from '../types/messages.js';
import type { QualityValidator } from './validator.js';

/** Options of {@link selfCheck}. */
export interface SelfCheckOptions {
  /** Model that judges; default the tier's own model (the "AskModelConfidence" signal). */
  model?: string;
  /** Builds the judging prompt; the default asks for a bare Y or N. */
  prompt?: (question: string, answer: string) => ChatMessage[];
}

/**
 * The marker replay providers use to recognise a self-check call.
 *
 * @example
 * ```ts
 * const isSelfCheck = prompt.includes(SELF_CHECK_MARKER); // how a replay or a test server recognises the call
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
  const build = options.prompt ?? selfCheckPrompt;
  return {
    name: 'self-check',
    async validate(ctx) {
      if (ctx.response.content.trim() === '') return null;
      const res = await ctx.complete({
        ...(options.model ? { model: options.model } : {}),
        messages: build(ctx.query, ctx.response.content),
        maxTokens: 1,
        temperature: 0,
        logprobs: true,
        purpose: 'self-check',
        about: { query: ctx.query, answer: ctx.response.content },
      });
      const first = res.logprobs?.[0];
      if (!first || !Number.isFinite(first.logprob)) return null;
      const p = Math.exp(first.logprob);
      const saidYes = /^\s*y/i.test(first.token);
      const score = saidYes ? p : 1 - p;
      return { score, reasons: [`self-check: P(correct) ${score.toFixed(3)} (said ${saidYes ? 'Y' : 'N'})`] };
    },
  };
}

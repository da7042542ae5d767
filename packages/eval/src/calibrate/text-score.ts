import { estimateComplexity, textChecks } from '@cascadeflow/core';

const checks = textChecks();

/** The core text checks' score of an answer, offline (the same number the live validator computes). */
export function textScore(answer: string, query: string): number {
  const verdict = checks.validate({
    query,
    messages: [],
    response: {
      content: answer,
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      model: '',
    },
    tier: { index: 0, name: '', model: '', provider: '', role: 'drafter', threshold: null },
    complexity: estimateComplexity(query),
    signal: new AbortController().signal,
    previous: [],
    complete: () => Promise.reject(new Error('text checks make no calls')),
  });
  return verdict && !(verdict instanceof Promise) ? verdict.score : 1;
}

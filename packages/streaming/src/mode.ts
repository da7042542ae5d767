import type { RunRequest } from '@cascadeflow/core';
import type { StreamMode } from './events.js';

/** The mode option: a fixed mode, or `auto` to pick per request. */
export type ModeOption = StreamMode | 'auto';

// Answers up to this many tokens are short enough that holding them costs little time to first token:
// 300 tokens stream in about 3 s at typical small-model speeds (100 tokens/s).
const SHORT_ANSWER_TOKENS = 300;

/**
 * Picks the mode of one request. `auto` buffers what must never be seen half-wrong or is short anyway
 * (JSON, tool calls, short answers, one-tier ladders need no buffering and stream), and streams long prose.
 *
 * @example
 * ```ts
 * chooseMode('auto', { query: 'JSON please', responseFormat: { type: 'json_object' } }); // { mode: 'buffer', reason: … }
 * ```
 */
export function chooseMode(option: ModeOption, request: RunRequest): { mode: StreamMode; reason: string } {
  if (option !== 'auto') return { mode: option, reason: 'requested' };
  if (request.ladder && request.ladder.length === 1)
    return { mode: 'stream', reason: 'one tier: nothing can be rejected' };
  if (request.responseFormat && request.responseFormat.type !== 'text')
    return { mode: 'buffer', reason: 'JSON output is only useful whole' };
  if (request.tools?.length) return { mode: 'buffer', reason: 'tool calls must not be retracted' };
  if (request.maxTokens !== undefined && request.maxTokens <= SHORT_ANSWER_TOKENS) {
    return { mode: 'buffer', reason: `short answer (maxTokens ≤ ${SHORT_ANSWER_TOKENS})` };
  }
  return { mode: 'stream', reason: 'long prose: first token first' };
}

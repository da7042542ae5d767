import type { ResolvedReply } from './tokens.js';

/**
 * OpenAI chat-completions wire format (https://platform.openai.com/docs/api-reference/chat).
 * Non-streamed: one `chat.completion` object. Streamed: `chat.completion.chunk` SSE frames, a final
 * usage-only chunk with empty `choices` when `stream_options.include_usage` is set, then `data: [DONE]`.
 */

export interface OpenAIWireOptions {
  id: string;
  model: string;
  created: number;
  logprobs: boolean;
  topLogprobs: number;
  includeUsage: boolean;
  /**
   * vLLM's extension: each finished choice says which stop sequence ended it (`stop_reason`, null when none
   * did). OpenAI's own API has no such field.
   */
  stopReason: boolean;
}

function tokenLogprob(token: string, logprob: number, top: number) {
  const bytes = [...Buffer.from(token, 'utf8')];
  return {
    token,
    logprob,
    bytes,
    top_logprobs: top > 0 ? [{ token, logprob, bytes }] : [],
  };
}

function usage(reply: ResolvedReply) {
  return {
    prompt_tokens: reply.inputTokens,
    completion_tokens: reply.outputTokens,
    total_tokens: reply.inputTokens + reply.outputTokens,
    prompt_tokens_details: { cached_tokens: reply.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
}

export function openaiCompletion(reply: ResolvedReply, o: OpenAIWireOptions): Record<string, unknown> {
  return {
    id: o.id,
    object: 'chat.completion',
    created: o.created,
    model: o.model,
    system_fingerprint: 'fp_cascadeflow_testing',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.content === '' && reply.toolCalls.length > 0 ? null : reply.content,
          refusal: null,
          ...(reply.toolCalls.length > 0
            ? {
                tool_calls: reply.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        logprobs: o.logprobs
          ? {
              content: reply.tokens.map((t, i) => tokenLogprob(t, reply.logprobs[i] ?? 0, o.topLogprobs)),
              refusal: null,
            }
          : null,
        finish_reason: reply.finishReason,
        ...(o.stopReason ? { stop_reason: reply.stopSequence } : {}),
      },
    ],
    usage: usage(reply),
  };
}

/** The data payloads of every SSE frame, in order; the caller adds `data: ` framing and `[DONE]`. */
export function openaiChunks(reply: ResolvedReply, o: OpenAIWireOptions): Record<string, unknown>[] {
  const base = { id: o.id, object: 'chat.completion.chunk', created: o.created, model: o.model };
  const extra = o.includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finish: string | null, logprobs: unknown = null) =>
    Object.assign(
      {},
      base,
      {
        system_fingerprint: 'fp_cascadeflow_testing',
        choices: [
          {
            index: 0,
            delta,
            logprobs,
            finish_reason: finish,
            ...(o.stopReason ? { stop_reason: finish === null ? null : reply.stopSequence } : {}),
          },
        ],
      },
      extra,
    );
  const frames: Record<string, unknown>[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  reply.tokens.forEach((token, i) => {
    const lp = o.logprobs
      ? { content: [tokenLogprob(token, reply.logprobs[i] ?? 0, o.topLogprobs)], refusal: null }
      : null;
    frames.push(chunk({ content: token }, null, lp));
  });
  reply.toolCalls.forEach((call, index) => {
    frames.push(
      chunk(
        {
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        },
        null,
      ),
    );
    // Arguments arrive in pieces, as they do from the real API.
    for (let at = 0; at < call.arguments.length; at += 8) {
      frames.push(
        chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + 8) } }] }, null),
      );
    }
  });
  frames.push(chunk({}, reply.finishReason));
  if (o.includeUsage) frames.push(Object.assign({}, base, { choices: [], usage: usage(reply) }));
  return frames;
}

export function openaiError(status: number, message: string): Record<string, unknown> {
  const type =
    status === 429
      ? 'requests'
      : status >= 500
        ? 'server_error'
        : status === 404
          ? 'invalid_request_error'
          : 'invalid_request_error';
  const code =
    status === 429 ? 'rate_limit_exceeded' : status === 404 ? 'model_not_found' : status >= 500 ? null : null;
  return { error: { message, type, param: null, code } };
}

import type { ResolvedReply } from './tokens.js';

/**
 * Anthropic Messages wire format (https://docs.anthropic.com/en/api/messages and .../messages-streaming).
 * Streamed: `message_start`, then per content block `content_block_start` / `content_block_delta`
 * (`text_delta` or `input_json_delta`) / `content_block_stop`, then `message_delta` carrying
 * `stop_reason` and the output usage, then `message_stop`; `ping` frames may appear anywhere.
 */

export interface AnthropicWireOptions {
  id: string;
  model: string;
}

const STOP_REASON = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
} as const;

function usage(reply: ResolvedReply, outputTokens: number) {
  return {
    input_tokens: reply.inputTokens - reply.cachedInputTokens - reply.cacheWriteInputTokens,
    cache_creation_input_tokens: reply.cacheWriteInputTokens,
    cache_read_input_tokens: reply.cachedInputTokens,
    output_tokens: outputTokens,
  };
}

function toolInput(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return { _raw: args };
  }
}

export function anthropicMessage(reply: ResolvedReply, o: AnthropicWireOptions): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (reply.content !== '') content.push({ type: 'text', text: reply.content });
  for (const call of reply.toolCalls) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  }
  return {
    id: o.id,
    type: 'message',
    role: 'assistant',
    model: o.model,
    content,
    stop_reason: stopReasonOf(reply),
    stop_sequence: reply.stopSequence,
    usage: usage(reply, reply.outputTokens),
  };
}

/** The Messages API's stop reason: `stop_sequence` when a requested sequence cut the answer. */
function stopReasonOf(reply: ResolvedReply): string {
  return reply.stopSequence !== null ? 'stop_sequence' : STOP_REASON[reply.finishReason];
}

/** SSE frames as `[event, data]` pairs, in order. */
export function anthropicEvents(
  reply: ResolvedReply,
  o: AnthropicWireOptions,
): [string, Record<string, unknown>][] {
  const events: [string, Record<string, unknown>][] = [];
  events.push([
    'message_start',
    {
      type: 'message_start',
      message: {
        id: o.id,
        type: 'message',
        role: 'assistant',
        model: o.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usage(reply, 1),
      },
    },
  ]);
  let index = 0;
  if (reply.content !== '') {
    events.push([
      'content_block_start',
      { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    ]);
    events.push(['ping', { type: 'ping' }]);
    for (const token of reply.tokens) {
      events.push([
        'content_block_delta',
        { type: 'content_block_delta', index, delta: { type: 'text_delta', text: token } },
      ]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  for (const call of reply.toolCalls) {
    events.push([
      'content_block_start',
      {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      },
    ]);
    for (let at = 0; at < call.arguments.length; at += 8) {
      events.push([
        'content_block_delta',
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: call.arguments.slice(at, at + 8) },
        },
      ]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(reply), stop_sequence: reply.stopSequence },
      usage: { output_tokens: reply.outputTokens },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

export function anthropicError(status: number, message: string): Record<string, unknown> {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : status === 404
            ? 'not_found_error'
            : status === 401
              ? 'authentication_error'
              : 'invalid_request_error';
  return { type: 'error', error: { type, message } };
}

import type { FinishReason } from '@cascadeflow/core';
import type { Observable } from 'rxjs';
import type { CascadeStreamEvent } from '../events.js';
import { toAsyncIterable } from '../iterate.js';
import { errorPayload } from './cascade-sse.js';

/** Options of {@link openAISSE}. */
export interface OpenAISSEOptions {
  /** Completion id; default a random `chatcmpl-…`. */
  id?: string;
  /** Model name on every chunk; default the model that produced it. */
  model?: string;
  /** Send the usage-only final chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Extra fields for the chunk that carries `finish_reason` (clients ignore unknown fields). */
  extra?: (result: import('@cascadeflow/core').CascadeResult) => Record<string, unknown>;
}

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  other: 'stop',
};

/**
 * Encodes a cascade stream as OpenAI `chat.completion.chunk` SSE ending with `data: [DONE]`, so that any
 * OpenAI client consumes a cascade unchanged. The format cannot take text back: feed it a `buffer`-mode
 * stream (only accepted drafts and the last tier reach the client). If a `retract` arrives anyway (the last
 * tier's stream broke after tokens were sent), the stream ends with an error chunk instead of wrong text.
 *
 * @example
 * ```ts
 * for await (const chunk of openAISSE(streamCascade(agent, req, { mode: 'buffer' }), { includeUsage: true })) res.write(chunk);
 * ```
 */
export async function* openAISSE(
  source: Observable<CascadeStreamEvent>,
  options: OpenAISSEOptions = {},
): AsyncGenerator<string> {
  const id = options.id ?? `chatcmpl-${Math.random().toString(36).slice(2, 14)}`;
  const created = Math.floor(Date.now() / 1000);
  let started = false;
  let sent = false;
  const chunk = (model: string, delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: options.model ?? model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(options.includeUsage ? { usage: null } : {}) })}\n\n`;
  const events = toAsyncIterable(source);
  try {
    for await (const e of events) {
      if (e.type === 'text' || e.type === 'tool_call') {
        if (!started) {
          yield chunk(e.model, { role: 'assistant', content: '' }, null);
          started = true;
        }
        sent = true;
        if (e.type === 'text') yield chunk(e.model, { content: e.text }, null);
        else {
          const fn: Record<string, string> = { arguments: e.argumentsDelta };
          if (e.name) fn.name = e.name;
          yield chunk(
            e.model,
            {
              tool_calls: [{ index: e.index, ...(e.id ? { id: e.id, type: 'function' } : {}), function: fn }],
            },
            null,
          );
        }
      } else if (e.type === 'retract' && sent) {
        yield `data: ${JSON.stringify({ error: { type: 'server_error', code: 'stream_retracted', message: `The answer's stream from ${e.model} broke after text was sent (${e.reason}); retry the request.` } })}\n\n`;
        return;
      } else if (e.type === 'finish') {
        const r = e.result;
        if (!started) yield chunk(r.model, { role: 'assistant', content: '' }, null);
        const last = chunk(r.model, {}, FINISH[r.finishReason]);
        yield options.extra
          ? last.replace(/\}\n\n$/, `,${JSON.stringify(options.extra(r)).slice(1)}\n\n`)
          : last;
        if (options.includeUsage) {
          yield `data: ${JSON.stringify({
            id,
            object: 'chat.completion.chunk',
            created,
            model: options.model ?? r.model,
            choices: [],
            usage: {
              prompt_tokens: r.usage.inputTokens,
              completion_tokens: r.usage.outputTokens,
              total_tokens: r.usage.inputTokens + r.usage.outputTokens,
              prompt_tokens_details: { cached_tokens: r.usage.cachedInputTokens },
            },
          })}\n\n`;
        }
        yield 'data: [DONE]\n\n';
      }
    }
  } catch (error) {
    yield `data: ${JSON.stringify({ error: { type: 'server_error', ...errorPayload(error) } })}\n\n`;
  } finally {
    await events.return?.();
  }
}

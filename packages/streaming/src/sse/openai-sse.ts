import type { FinishReason } from '@cascadeflow/core';
import type { Observable } from 'rxjs';
import type { CascadeStreamEvent } from '../events.js';
import { toAsyncIterable } from '../iterate.js';
import { errorPayload } from './cascade-sse.js';
import { framed, type SSEMessage } from './message.js';

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
  /**
   * The `logprobs` of the chunk that carries `finish_reason` (`{ content: [...], refusal: null }`, or null):
   * the answer's tokens all at once, at the end, since a stream whose text a plugin rewrote on its way (a
   * redaction) has no token that matches a chunk. Clients that add up the chunks' log-probs (the `openai`
   * SDK's stream helper) get the answer's.
   */
  logprobs?: (result: import('@cascadeflow/core').CascadeResult) => unknown;
}

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  other: 'stop',
};

/**
 * The OpenAI `chat.completion.chunk` stream of a cascade as SSE messages (data only, ending with `[DONE]`),
 * for an SSE helper that frames and writes them (`reply.sse.send()` in `@fastify/sse`). See
 * {@link openAISSE} for the framed text and the format's rules.
 *
 * @example
 * ```ts
 * await reply.sse.send(openAISSEMessages(streamCascade(agent, req, { mode: 'buffer' })));
 * ```
 */
export async function* openAISSEMessages(
  source: Observable<CascadeStreamEvent>,
  options: OpenAISSEOptions = {},
): AsyncGenerator<SSEMessage> {
  const id = options.id ?? `chatcmpl-${Math.random().toString(36).slice(2, 14)}`;
  const created = Math.floor(Date.now() / 1000);
  let started = false;
  let sent = false;
  const chunk = (
    model: string,
    delta: Record<string, unknown>,
    finish: string | null,
    logprobs: unknown = null,
  ) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model: options.model ?? model,
      choices: [{ index: 0, delta, logprobs, finish_reason: finish }],
      ...(options.includeUsage ? { usage: null } : {}),
    });
  const message = (data: string): SSEMessage => ({ data });
  const events = toAsyncIterable(source);
  try {
    for await (const e of events) {
      if (e.type === 'text' || e.type === 'tool_call') {
        if (!started) {
          yield message(chunk(e.model, { role: 'assistant', content: '' }, null));
          started = true;
        }
        sent = true;
        if (e.type === 'text') yield message(chunk(e.model, { content: e.text }, null));
        else {
          const fn: Record<string, string> = { arguments: e.argumentsDelta };
          if (e.name) fn.name = e.name;
          yield message(
            chunk(
              e.model,
              {
                tool_calls: [
                  { index: e.index, ...(e.id ? { id: e.id, type: 'function' } : {}), function: fn },
                ],
              },
              null,
            ),
          );
        }
      } else if (e.type === 'retract' && sent) {
        yield message(
          JSON.stringify({
            error: {
              type: 'server_error',
              code: 'stream_retracted',
              message: `The answer's stream from ${e.model} broke after text was sent (${e.reason}); retry the request.`,
            },
          }),
        );
        return;
      } else if (e.type === 'finish') {
        const r = e.result;
        if (!started) yield message(chunk(r.model, { role: 'assistant', content: '' }, null));
        const last = chunk(r.model, {}, FINISH[r.finishReason], options.logprobs?.(r) ?? null);
        yield message(
          options.extra ? `${last.slice(0, -1)},${JSON.stringify(options.extra(r)).slice(1)}` : last,
        );
        if (options.includeUsage) {
          yield message(
            JSON.stringify({
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
            }),
          );
        }
        yield message('[DONE]');
      }
    }
  } catch (error) {
    yield message(JSON.stringify({ error: { type: 'server_error', ...errorPayload(error) } }));
  } finally {
    await events.return?.();
  }
}

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
export function openAISSE(
  source: Observable<CascadeStreamEvent>,
  options: OpenAISSEOptions = {},
): AsyncGenerator<string> {
  return framed(openAISSEMessages(source, options));
}

import { CascadeFlowError } from '@cascadeflow/core';
import type { Observable } from 'rxjs';
import type { CascadeStreamEvent } from '../events.js';
import { toAsyncIterable } from '../iterate.js';
import { framed, type SSEMessage } from './message.js';

/** An error as an SSE payload: code and message, never a stack. */
export function errorPayload(error: unknown): { code: string; message: string } {
  if (CascadeFlowError.isInstance(error)) return { code: String(error.code), message: error.message };
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * A cascade stream as SSE messages carrying every decision: event `<type>` with the event as JSON (`finish`
 * carries the whole result), and event `error` with `{ code, message }` if the run fails. For an SSE helper
 * that frames and writes them; {@link cascadeSSE} gives the framed text.
 *
 * @example
 * ```ts
 * await reply.sse.send(cascadeSSEMessages(streamCascade(agent, req)));
 * ```
 */
export async function* cascadeSSEMessages(
  source: Observable<CascadeStreamEvent>,
): AsyncGenerator<SSEMessage> {
  const events = toAsyncIterable(source);
  try {
    for await (const e of events) {
      const { type, ...rest } = e;
      yield { event: type, data: JSON.stringify(rest) };
    }
  } catch (error) {
    yield { event: 'error', data: JSON.stringify(errorPayload(error)) };
  } finally {
    await events.return?.();
  }
}

/**
 * Encodes a cascade stream as Server-Sent Events carrying every decision: `event: <type>` with the event as
 * JSON (`finish` carries the whole result), and `event: error` with `{ code, message }` if the run fails.
 *
 * @example
 * ```ts
 * for await (const chunk of cascadeSSE(streamCascade(agent, req))) res.write(chunk);
 * ```
 */
export function cascadeSSE(source: Observable<CascadeStreamEvent>): AsyncGenerator<string> {
  return framed(cascadeSSEMessages(source));
}

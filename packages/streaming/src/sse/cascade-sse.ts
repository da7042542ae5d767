import { CascadeFlowError } from '@cascadeflow/core';
import type { Observable } from 'rxjs';
import type { CascadeStreamEvent } from '../events.js';
import { toAsyncIterable } from '../iterate.js';

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An error as an SSE payload: code and message, never a stack. */
export function errorPayload(error: unknown): { code: string; message: string } {
  if (CascadeFlowError.isInstance(error)) return { code: String(error.code), message: error.message };
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
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
export async function* cascadeSSE(source: Observable<CascadeStreamEvent>): AsyncGenerator<string> {
  const events = toAsyncIterable(source);
  try {
    for await (const e of events) {
      const { type, ...rest } = e;
      yield frame(type, rest);
    }
  } catch (error) {
    yield frame('error', errorPayload(error));
  } finally {
    await events.return?.();
  }
}

/**
 * One Server-Sent Event before framing: an optional event name and its data, already serialized (JSON
 * text, one line). The shape SSE helpers take (`reply.sse.send()` in `@fastify/sse`, `writeSSE()` in hono),
 * so a framework frames and writes it with its own backpressure.
 */
export interface SSEMessage {
  event?: string;
  data: string;
}

/** Frames one message as `event: …\ndata: …\n\n`, for a response written by hand. */
export function formatSSE(message: SSEMessage): string {
  return message.event === undefined
    ? `data: ${message.data}\n\n`
    : `event: ${message.event}\ndata: ${message.data}\n\n`;
}

/** Frames each message of a stream of SSE messages. */
export async function* framed(messages: AsyncIterable<SSEMessage>): AsyncGenerator<string> {
  for await (const m of messages) yield formatSSE(m);
}

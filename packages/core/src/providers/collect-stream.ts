import type { ToolCall } from '../types/messages.js';
import type { CompletionResponse, StreamDelta } from '../types/provider.js';

/**
 * Drains a provider stream into the same {@link CompletionResponse} that `complete()` returns.
 *
 * @example
 * ```ts
 * const response = await collectStream(provider.stream({ model: 'gpt-4o-mini', messages }));
 * ```
 */
export async function collectStream(stream: AsyncIterable<StreamDelta>): Promise<CompletionResponse> {
  let content = '';
  const logprobs: NonNullable<CompletionResponse['logprobs']> = [];
  let sawLogprobs = false;
  const calls = new Map<number, ToolCall>();
  for await (const delta of stream) {
    if (delta.type === 'text') {
      content += delta.text;
      if (delta.logprobs) {
        sawLogprobs = true;
        logprobs.push(...delta.logprobs);
      }
    } else if (delta.type === 'tool_call') {
      const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
      if (delta.id) call.id = delta.id;
      if (delta.name) call.name = delta.name;
      call.arguments += delta.argumentsDelta;
      calls.set(delta.index, call);
    } else {
      return {
        content,
        toolCalls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c),
        finishReason: delta.finishReason,
        usage: delta.usage,
        logprobs: sawLogprobs ? logprobs : undefined,
        model: delta.model,
      };
    }
  }
  throw new Error('The stream ended without a finish delta; a Provider must always end its stream with one.');
}

import type { TokenLogprob, ToolCall } from '../types/messages.js';
import type { CompletionResponse, StreamDelta } from '../types/provider.js';

/** Accumulates stream deltas into a {@link CompletionResponse}. */
export class StreamCollector {
  text = '';
  readonly logprobs: TokenLogprob[] = [];
  textDeltas = 0;
  #sawLogprobs = false;
  readonly #calls = new Map<number, ToolCall>();

  /** Adds a delta; returns the whole response when the delta is the `finish`. */
  add(delta: StreamDelta): CompletionResponse | null {
    if (delta.type === 'text') {
      this.text += delta.text;
      this.textDeltas++;
      if (delta.logprobs) {
        this.#sawLogprobs = true;
        for (const lp of delta.logprobs) this.logprobs.push(lp);
      }
      return null;
    }
    if (delta.type === 'tool_call') {
      const call = this.#calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
      if (delta.id) call.id = delta.id;
      if (delta.name) call.name = delta.name;
      call.arguments += delta.argumentsDelta;
      this.#calls.set(delta.index, call);
      return null;
    }
    return Object.assign(
      {},
      this.partial(delta.model),
      { finishReason: delta.finishReason, usage: delta.usage },
      delta.cost !== undefined ? { cost: delta.cost } : {},
      delta.stopSequence !== undefined ? { stopSequence: delta.stopSequence } : {},
    );
  }

  /** What has arrived so far, as a response (usage zero until the finish). */
  partial(model: string): CompletionResponse {
    return {
      content: this.text,
      toolCalls: [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c),
      finishReason: 'other',
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
      logprobs: this.#sawLogprobs ? this.logprobs : undefined,
      model,
    };
  }
}

/**
 * Drains a provider stream into the same {@link CompletionResponse} that `complete()` returns.
 *
 * @example
 * ```ts
 * const response = await collectStream(provider.stream({ model: 'gpt-4o-mini', messages }));
 * ```
 */
export async function collectStream(stream: AsyncIterable<StreamDelta>): Promise<CompletionResponse> {
  const collector = new StreamCollector();
  for await (const delta of stream) {
    const done = collector.add(delta);
    if (done) return done;
  }
  throw new Error('The stream ended without a finish delta; a Provider must always end its stream with one.');
}

import { createRequire } from 'node:module';
import { ThreadedProvider } from '@cascadeflow/core/thread';
import type { AnthropicProviderOptions } from './anthropic-provider.js';

/** Options of {@link threadedAnthropicProvider}: those of `AnthropicProvider` that are plain data. */
export interface ThreadedAnthropicProviderOptions
  extends Omit<AnthropicProviderOptions, 'client' | 'fetch' | 'batchApi'> {
  /**
   * Whether the worker's SDK client uses `pooledFetch()` of `@cascadeflow/openai` (about half the CPU per
   * call), with these options; that package must then be installed. Default false: the global `fetch`.
   */
  pooledFetch?: boolean | { connections?: number; keepAliveTimeoutMs?: number };
}

/**
 * An {@link AnthropicProvider} in a worker thread (a `ThreadedProvider` from `@cascadeflow/core/thread`):
 * the SDK's CPU for each call leaves the event loop that serves your users. Same answers, deltas and typed
 * errors as the provider itself; no batch API (build an `AnthropicProvider` for batches). The API key
 * defaults to the worker's `ANTHROPIC_API_KEY`, as the provider's does.
 *
 * @example
 * ```ts
 * const anthropic = threadedAnthropicProvider({ pooledFetch: true });
 * const agent = new CascadeAgent({ providers: { anthropic }, ladder: [{ model: 'claude-haiku-4-5', provider: 'anthropic' }] });
 * await anthropic.close(); // at shutdown
 * ```
 */
export function threadedAnthropicProvider(options: ThreadedAnthropicProviderOptions = {}): ThreadedProvider {
  return new ThreadedProvider({
    entry: createRequire(import.meta.url).resolve('@cascadeflow/anthropic/provider-thread'),
    options,
    name: options.name ?? 'anthropic',
    capabilities: {
      streaming: true,
      logprobs: false,
      tools: true,
      jsonSchema: options.structuredOutputs === true,
    },
    handlesTimeout: true,
  });
}

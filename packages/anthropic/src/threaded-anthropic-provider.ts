import { createRequire } from 'node:module';
import { InvalidConfigError } from '@cascadeflow/core';
import { ThreadedProvider } from '@cascadeflow/core/thread';
import { AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';

/** Options of {@link threadedAnthropicProvider}: those of `AnthropicProvider` that are plain data. */
export interface ThreadedAnthropicProviderOptions
  extends Omit<AnthropicProviderOptions, 'client' | 'fetch' | 'batchApi'> {
  /**
   * Whether the worker's SDK client uses `pooledFetch()` of `@cascadeflow/openai` (about half the CPU per
   * call), with these options; that package must then be installed. Default false: the global `fetch`.
   */
  pooledFetch?: boolean | { connections?: number; keepAliveTimeoutMs?: number };
  /**
   * A call runs on the calling thread (a second `AnthropicProvider` built there) while its event loop is
   * mostly idle, and in the worker when the event loop was busy more than this share of the last 100 ms:
   * the hop between threads costs latency and gains nothing on an idle event loop. Default 0.5; 0 sends every call to the
   * worker once any work is measured, and `inline: false` always.
   */
  offloadAbove?: number;
  /** Whether to build the provider in the calling thread too, for calls while its event loop is idle (default true). */
  inline?: boolean;
}

/** The provider these options describe, in whichever thread calls it. */
export function anthropicProviderFrom({
  pooledFetch: pooled = false,
  offloadAbove: _offloadAbove,
  inline: _inline,
  ...options
}: ThreadedAnthropicProviderOptions): AnthropicProvider {
  let fetch: typeof globalThis.fetch | undefined;
  if (pooled) {
    let openai: { pooledFetch(options: object): typeof globalThis.fetch };
    try {
      openai = createRequire(import.meta.url)('@cascadeflow/openai');
    } catch {
      throw new InvalidConfigError(
        'pooledFetch',
        'needs @cascadeflow/openai, which has pooledFetch(): install it, or leave pooledFetch false',
      );
    }
    fetch = openai.pooledFetch(pooled === true ? {} : pooled);
  }
  return new AnthropicProvider(Object.assign({}, options, { batchApi: false }, fetch ? { fetch } : {}));
}

/**
 * An {@link AnthropicProvider} in a worker thread (a `ThreadedProvider` from `@cascadeflow/core/thread`):
 * the SDK's CPU for each call leaves the event loop that serves your users when it is busy (while that
 * event loop is mostly idle, a call runs there: see `offloadAbove`). Same answers, deltas and typed errors
 * as the provider itself; no batch API (build an `AnthropicProvider` for batches). The API key
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
  // The provider here: the one the worker builds has its name and capabilities.
  return ThreadedProvider.of(anthropicProviderFrom(options), {
    entry: createRequire(import.meta.url).resolve('@cascadeflow/anthropic/provider-thread'),
    options,
    ...(options.inline === undefined ? {} : { inline: options.inline }),
    offloadAbove: options.offloadAbove,
  });
}

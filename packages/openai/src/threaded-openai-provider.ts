import { createRequire } from 'node:module';
import { ThreadedProvider } from '@cascadeflow/core/thread';
import { OpenAIProvider, type OpenAIProviderOptions } from './openai-provider.js';
import { type PooledFetchOptions, pooledFetch } from './pooled-fetch.js';

/** Options of {@link threadedOpenAIProvider}: those of `OpenAIProvider` that are plain data. */
export interface ThreadedOpenAIProviderOptions
  extends Omit<OpenAIProviderOptions, 'client' | 'fetch' | 'batchApi'> {
  /**
   * The SDK client's `fetch`: undici's pooled one ({@link pooledFetch}, the default, with these options) or
   * `false` for the global `fetch`.
   */
  pooledFetch?: boolean | PooledFetchOptions;
  /**
   * A call runs on the calling thread (a second `OpenAIProvider` built there) while its event loop is
   * mostly idle, and in the worker when the event loop was busy more than this share of the last 100 ms:
   * the hop between threads costs latency and gains nothing on an idle event loop. Default 0.5; 0 sends every call to the
   * worker once any work is measured, and `inline: false` always.
   */
  offloadAbove?: number;
  /** Whether to build the provider in the calling thread too, for calls while its event loop is idle (default true). */
  inline?: boolean;
}

/** The provider these options describe, in whichever thread calls it. */
export function openaiProviderFrom({
  pooledFetch: pooled = true,
  offloadAbove: _offloadAbove,
  inline: _inline,
  ...options
}: ThreadedOpenAIProviderOptions): OpenAIProvider {
  return new OpenAIProvider(
    Object.assign(
      {},
      options,
      { batchApi: false },
      pooled ? { fetch: pooledFetch(pooled === true ? {} : pooled) } : {},
    ),
  );
}

/**
 * An {@link OpenAIProvider} in a worker thread (a `ThreadedProvider` from `@cascadeflow/core/thread`): the
 * SDK's CPU for each call leaves the event loop that serves your users when it is busy (while that event
 * loop is mostly idle, a call runs there: see `offloadAbove`). Measured in the demo gateway's live mode,
 * where the event loop is the bottleneck. Same answers, deltas, log-probs and typed errors as the provider
 * itself; no batch API (build an `OpenAIProvider` for batches). The API key defaults to the
 * worker's `OPENAI_API_KEY`, as the provider's does.
 *
 * @example
 * ```ts
 * const vllm = threadedOpenAIProvider({ name: 'vllm', baseURL: 'http://localhost:8000/v1', apiKey: 'x' });
 * const agent = new CascadeAgent({ providers: { vllm }, ladder: [{ model: 'small', provider: 'vllm' }] });
 * await vllm.close(); // at shutdown
 * ```
 */
export function threadedOpenAIProvider(options: ThreadedOpenAIProviderOptions = {}): ThreadedProvider {
  // The provider here: the one the worker builds has its name and capabilities.
  return ThreadedProvider.of(openaiProviderFrom(options), {
    entry: createRequire(import.meta.url).resolve('@cascadeflow/openai/provider-thread'),
    options,
    ...(options.inline === undefined ? {} : { inline: options.inline }),
    offloadAbove: options.offloadAbove,
  });
}

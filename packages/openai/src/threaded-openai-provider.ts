import { createRequire } from 'node:module';
import { ThreadedProvider } from '@cascadeflow/core/thread';
import type { OpenAIProviderOptions } from './openai-provider.js';
import type { PooledFetchOptions } from './pooled-fetch.js';

/** Options of {@link threadedOpenAIProvider}: those of `OpenAIProvider` that are plain data. */
export interface ThreadedOpenAIProviderOptions
  extends Omit<OpenAIProviderOptions, 'client' | 'fetch' | 'batchApi'> {
  /** The worker's `fetch`: undici's pooled one ({@link pooledFetch}, the default, with these options) or `false` for the global `fetch`. */
  pooledFetch?: boolean | PooledFetchOptions;
}

/**
 * An {@link OpenAIProvider} in a worker thread (a `ThreadedProvider` from `@cascadeflow/core/thread`): the
 * SDK's CPU for each call leaves the event loop that serves your users. Measured in the demo gateway's live
 * mode, where the event loop is the bottleneck. Same answers, deltas, log-probs and typed errors as the
 * provider itself; no batch API (build an `OpenAIProvider` for batches). The API key defaults to the
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
  return new ThreadedProvider({
    entry: createRequire(import.meta.url).resolve('@cascadeflow/openai/provider-thread'),
    options,
    name: options.name ?? 'openai',
    capabilities: { streaming: true, logprobs: options.logprobs ?? true, tools: true, jsonSchema: true },
    handlesTimeout: true,
  });
}

/**
 * The entry of the worker thread of {@link threadedOpenAIProvider} (`@cascadeflow/openai/provider-thread`):
 * it serves an `OpenAIProvider` to the thread that started it. Not for import.
 */
import { serveProviderThread } from '@cascadeflow/core/thread';
import { OpenAIProvider } from './openai-provider.js';
import { pooledFetch } from './pooled-fetch.js';
import type { ThreadedOpenAIProviderOptions } from './threaded-openai-provider.js';

serveProviderThread(({ pooledFetch: pooled = true, ...options }: ThreadedOpenAIProviderOptions) => {
  return new OpenAIProvider({
    ...options,
    batchApi: false,
    ...(pooled ? { fetch: pooledFetch(pooled === true ? {} : pooled) } : {}),
  });
});

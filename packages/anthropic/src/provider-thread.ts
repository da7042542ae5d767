/**
 * The entry of the worker thread of {@link threadedAnthropicProvider}
 * (`@cascadeflow/anthropic/provider-thread`): it serves an `AnthropicProvider` to the thread that started it.
 * Not for import.
 */
import { serveProviderThread } from '@cascadeflow/core/thread';
import { AnthropicProvider } from './anthropic-provider.js';
import type { ThreadedAnthropicProviderOptions } from './threaded-anthropic-provider.js';

serveProviderThread(async ({ pooledFetch: pooled = false, ...options }: ThreadedAnthropicProviderOptions) => {
  let fetch: typeof globalThis.fetch | undefined;
  if (pooled) {
    const openai = await import('@cascadeflow/openai').catch(() => {
      throw new Error('pooledFetch: install @cascadeflow/openai, which has pooledFetch(), or leave it false');
    });
    fetch = openai.pooledFetch(pooled === true ? {} : pooled);
  }
  return new AnthropicProvider({ ...options, batchApi: false, ...(fetch ? { fetch } : {}) });
});

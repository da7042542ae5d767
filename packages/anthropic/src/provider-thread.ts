/**
 * The entry of the worker thread of {@link threadedAnthropicProvider}
 * (`@cascadeflow/anthropic/provider-thread`): it serves an `AnthropicProvider` to the thread that started it.
 * Not for import.
 */
import { serveProviderThread } from '@cascadeflow/core/thread';
import { anthropicProviderFrom } from './threaded-anthropic-provider.js';

serveProviderThread(anthropicProviderFrom);

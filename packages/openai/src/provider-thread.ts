/**
 * The entry of the worker thread of {@link threadedOpenAIProvider} (`@cascadeflow/openai/provider-thread`):
 * it serves an `OpenAIProvider` to the thread that started it. Not for import.
 */
import { serveProviderThread } from '@cascadeflow/core/thread';
import { openaiProviderFrom } from './threaded-openai-provider.js';

serveProviderThread(openaiProviderFrom);

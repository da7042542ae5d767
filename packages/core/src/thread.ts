/**
 * Providers in worker threads (`@cascadeflow/core/thread`, Node only): {@link ThreadedProvider} runs a
 * provider's SDK off the event loop that serves your users; {@link serveProviderThread} serves it in the
 * worker. Kept out of the main entry, which needs no Node module.
 */
export { serveProviderThread } from './providers/thread/serve-provider-thread.js';
export { ThreadedProvider, type ThreadedProviderOptions } from './providers/thread/threaded-provider.js';

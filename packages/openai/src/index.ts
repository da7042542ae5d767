export { OpenAIProvider, type OpenAIProviderOptions } from './openai-provider.js';
export { type PooledFetchOptions, pooledFetch } from './pooled-fetch.js';
export { type ThreadedOpenAIProviderOptions, threadedOpenAIProvider } from './threaded-openai-provider.js';

export { AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';
export {
  type ThreadedAnthropicProviderOptions,
  threadedAnthropicProvider,
} from './threaded-anthropic-provider.js';

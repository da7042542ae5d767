export { type AiSdkProviderOptions, aiSdkProvider } from './ai-sdk-provider.js';
export { type CascadeModelOptions, cascadeModel } from './cascade-model.js';

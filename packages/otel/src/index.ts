export { type OtelPluginOptions, otelPlugin } from './otel-plugin.js';

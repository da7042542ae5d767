export { StreamStallError } from './errors.js';
export type { CascadeStreamEvent, CascadeStreamEventType, StreamMode } from './events.js';
export { collectResult, toAsyncIterable, visibleText } from './iterate.js';
export { chooseMode, type ModeOption } from './mode.js';
export { cascadeSSE } from './sse/cascade-sse.js';
export { type OpenAISSEOptions, openAISSE } from './sse/openai-sse.js';
export { type StreamOptions, streamCascade } from './stream-cascade.js';

export { StreamStallError } from './errors.js';
export type { CascadeStreamEvent, CascadeStreamEventType, StreamMode } from './events.js';
export { collectResult, toAsyncIterable, visibleText } from './iterate.js';
export { chooseMode, type ModeOption } from './mode.js';
export { cascadeSSE, cascadeSSEMessages } from './sse/cascade-sse.js';
export { formatSSE, type SSEMessage } from './sse/message.js';
export { type OpenAISSEOptions, openAISSE, openAISSEMessages } from './sse/openai-sse.js';
export { type StreamOptions, streamCascade } from './stream-cascade.js';

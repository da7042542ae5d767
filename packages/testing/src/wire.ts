/**
 * The providers' wire formats alone, for tests and servers of your own: OpenAI chat completions (whole and
 * as SSE chunks) and errors, Anthropic messages (whole and as SSE events) and errors, built from a reply.
 *
 * @example
 * ```ts
 * import { openaiCompletion } from '@cascadeflow/testing/wire';
 * ```
 */
export {
  type AnthropicWireOptions,
  anthropicError,
  anthropicEvents,
  anthropicMessage,
} from './anthropic-wire.js';
export { type OpenAIWireOptions, openaiChunks, openaiCompletion, openaiError } from './openai-wire.js';
export { type ResolvedReply, resolveReply } from './tokens.js';

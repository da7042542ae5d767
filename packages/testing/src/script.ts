/** A tool call the scripted model makes. `arguments` may be a JSON string (sent as is, even if invalid) or an object. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** Token counts a scripted reply reports; anything left out is estimated from the text. */
export interface ScriptedUsage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  /** Of `inputTokens`, those written to the prompt cache (Anthropic's `cache_creation_input_tokens`). */
  cacheWriteInputTokens?: number;
}

/** How the scripted model ended its turn, in OpenAI's vocabulary (mapped to Anthropic's `stop_reason`). */
export type ScriptedFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * What a scripted model answers. Every field is optional: an empty reply answers `"OK"`.
 *
 * @example
 * ```ts
 * server.setModel('gpt-4o-mini', { content: 'Paris', logprobs: -0.02, latencyMs: 5 });
 * ```
 */
export interface ScriptedReply {
  /** The answer text. Default `"OK"` (empty string when only tool calls are given). */
  content?: string;
  /** The answer split into tokens, for streaming and log-probs. Default: split on word boundaries. */
  tokens?: string[];
  /** Log-prob of every token (one number for all, or one per token). Default -0.05. */
  logprobs?: number | number[];
  toolCalls?: ScriptedToolCall[];
  finishReason?: ScriptedFinishReason;
  usage?: ScriptedUsage;
  /** Delay before the response starts, in ms. */
  latencyMs?: number;
  /** Delay between stream chunks, in ms. */
  tokenDelayMs?: number;
}

/** The request a scripted model sees when its script is a function. */
export interface ScriptRequest {
  api: 'openai' | 'anthropic';
  model: string;
  body: Record<string, unknown>;
  stream: boolean;
}

/** A fixed reply, or a function computing one from the request. */
export type ModelScript =
  | ScriptedReply
  | ((request: ScriptRequest) => ScriptedReply | Promise<ScriptedReply>);

/**
 * A fault the server injects instead of a normal answer.
 * - `status`: an HTTP error in the provider's error format, optionally with `retry-after`.
 * - `hang`: accept the request and never answer, until the client gives up.
 * - `cut`: start the answer and drop the connection midway (after `afterChunks` stream chunks).
 * - `malformed`: answer 200 with a body (or stream chunk) that is not valid JSON.
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'cut'; afterChunks?: number }
  | { kind: 'malformed' };

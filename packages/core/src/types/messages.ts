/** A JSON schema, as plain data. */
export type JsonSchema = Record<string, unknown>;

/** A tool call made by the model. `arguments` is the raw JSON text the model produced. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * An image a user message carries: an `https:` URL or a `data:image/…;base64,…` URL, and the detail the
 * model should look at it in (OpenAI's `detail`; other providers ignore it).
 */
export interface ImageInput {
  url: string;
  detail?: 'auto' | 'low' | 'high';
}

/**
 * A chat message. Tool results use role `tool` with the `toolCallId` they answer. A user message may carry
 * `images` after its text; only tiers marked `images: true` are asked such a request.
 */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: ImageInput[] }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string };

/** A tool the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments object. */
  parameters: JsonSchema;
}

/** How the model must pick tools. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Output format. `json_schema` asks the provider for structured output and validates against `schema`. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean };

/** Log-prob of one generated token. */
export interface TokenLogprob {
  token: string;
  logprob: number;
}

/** Token usage as the provider reported it. `cachedInputTokens` is part of `inputTokens`. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

/** Why the model stopped, normalised across providers. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

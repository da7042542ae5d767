/** A JSON schema, as plain data. */
export type JsonSchema = Record<string, unknown>;

/** A tool call made by the model. `arguments` is the raw JSON text the model produced. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A chat message. Tool results use role `tool` with the `toolCallId` they answer. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
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

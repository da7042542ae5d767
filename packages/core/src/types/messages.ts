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
 * A document a message carries: a PDF or a plain-text file, as a `data:` URL (`data:application/pdf;base64,…`
 * or `data:text/plain;base64,…`) or a PDF's `https:` URL, with the file's name when known.
 *
 * @example
 * ```ts
 * const report: DocumentInput = { url: `data:application/pdf;base64,${pdf.toString('base64')}`, filename: 'report.pdf' };
 * ```
 */
export interface DocumentInput {
  url: string;
  filename?: string;
}

/**
 * A chat message. Tool results use role `tool` with the `toolCallId` they answer. A user message may carry
 * `images` and `documents` after its text, and so may a tool result (a screenshot, a PDF the tool read);
 * only tiers marked `images: true` are asked a request that carries images ({@link carriesImages}), and only
 * tiers marked `documents: true` one that carries documents ({@link carriesDocuments}).
 */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: ImageInput[]; documents?: DocumentInput[] }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string; images?: ImageInput[]; documents?: DocumentInput[] };

/** A tool the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments object. */
  parameters: JsonSchema;
}

/**
 * Sampling controls beyond `temperature`, as clients send them (OpenAI's `top_p`, `stop`, `seed`,
 * penalties; Anthropic's `top_p`, `top_k`, `stop_sequences`). Each provider sends the ones its API has and
 * leaves the others out: OpenAI-compatible endpoints take all but `topK` (and `topK` too when the provider
 * is made with `sendTopK`), Anthropic takes `topP`, `topK` and `stopSequences`. Validators' own calls
 * (self-checks, judges) do not get them, and replayed answers ignore them.
 *
 * @example
 * ```ts
 * await agent.run({ query: 'List three colours, one per line.', sampling: { stopSequences: ['\n\n'], seed: 7 } });
 * ```
 */
export interface SamplingOptions {
  /** Nucleus sampling: sample among the most likely tokens whose probabilities add up to `topP`, in [0, 1]. */
  topP?: number;
  /** Sample among the `topK` most likely tokens (a positive integer). */
  topK?: number;
  /** One to four non-empty sequences at which the model stops; the answer ends before the first one. */
  stopSequences?: string[];
  /** Asks for repeatable sampling (an integer; best effort, where the provider has it). */
  seed?: number;
  /** In [-2, 2]: positive values make a token less likely the more often it appeared. */
  frequencyPenalty?: number;
  /** In [-2, 2]: positive values make a token less likely once it appeared at all. */
  presencePenalty?: number;
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
  /** Of `inputTokens`, those read from the provider's prompt cache. */
  cachedInputTokens: number;
  /**
   * Of `inputTokens`, those written to the provider's prompt cache (Anthropic's `cache_creation_input_tokens`),
   * priced at `cacheWriteInput`; absent when none were.
   */
  cacheWriteInputTokens?: number;
}

/** Why the model stopped, normalised across providers. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

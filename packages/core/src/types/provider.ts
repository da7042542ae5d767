import type {
  ChatMessage,
  FinishReason,
  ResponseFormat,
  SamplingOptions,
  TokenLogprob,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from './messages.js';

/** Why a model is called. */
export type CallPurpose = 'answer' | 'self-check' | 'judge' | (string & {});

/** One call to one model. */
export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** With `tools`: whether the model may call several tools in one answer (the provider's default when absent). */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Sampling controls beyond `temperature`: send the ones the provider's API has (see {@link SamplingOptions}). */
  sampling?: SamplingOptions;
  /**
   * Why the call is made: `answer` (a tier answering, the default when absent) or a validator's own call
   * (`self-check`, `judge`). Providers that replay recordings or route by purpose read it; the SDK providers
   * ignore it.
   */
  purpose?: CallPurpose;
  /** For a validator's call: the question and the answer it judges (so that no one parses its prompt). */
  about?: { query: string; answer: string };
  /** Ask for token log-probs where the provider can return them. */
  logprobs?: boolean;
  /** Aborts the HTTP request itself. */
  signal?: AbortSignal;
  /**
   * Per-call timeout in ms, for providers that declare `handlesTimeout` (the agent then passes it instead of
   * arming a timer of its own); a timed-out call must throw a retryable `ProviderError` (`provider_timeout`).
   */
  timeoutMs?: number;
}

/** A finished completion, normalised across providers. */
export interface CompletionResponse {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Per-token log-probs, when the provider returned them. */
  logprobs?: TokenLogprob[];
  /** The stop sequence the answer ended before, when the provider says (Anthropic does, and so do OpenAI-compatible servers that send vLLM's `stop_reason`; OpenAI's own API does not). */
  stopSequence?: string;
  /** The model name the provider reported. */
  model: string;
  /**
   * Cost in USD as the provider itself reported it (OpenRouter's `usage.cost`, a replay of recorded
   * costs). When present it is used instead of the pricing table.
   */
  cost?: number;
}

/** One piece of a streamed completion. The stream always ends with exactly one `finish` delta. */
export type StreamDelta =
  | { type: 'text'; text: string; logprobs?: TokenLogprob[] }
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: Usage;
      model: string /** The provider's own cost, if it reports one. */;
      cost?: number;
      /** The stop sequence the answer ended before, when the provider says. */
      stopSequence?: string;
    };

/**
 * What a model provider implements. Two methods: a whole completion and a stream of deltas. Errors must be
 * {@link ProviderError}s (with `retryable` and `retryAfterMs` set) or a {@link CascadeAbortedError} when the
 * signal fired, so that the agent can retry and fall through correctly.
 *
 * @example
 * ```ts
 * const echo: Provider = {
 *   name: 'echo',
 *   async complete(req) {
 *     const last = req.messages.at(-1);
 *     const content = typeof last?.content === 'string' ? last.content : '';
 *     return { content, toolCalls: [], finishReason: 'stop', model: req.model,
 *              usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 } };
 *   },
 *   async *stream(req) {
 *     const res = await this.complete(req);
 *     yield { type: 'text', text: res.content };
 *     yield { type: 'finish', finishReason: 'stop', usage: res.usage, model: res.model };
 *   },
 * };
 * ```
 */
export interface Provider {
  /** A short unique name used in errors and events (`openai`, `anthropic`, `ollama`). */
  readonly name: string;
  /** What it can do; other packages read this instead of testing the provider's class. */
  readonly capabilities?: ProviderCapabilities;
  /** True when `complete()` enforces `timeoutMs` itself (the SDK providers do, through the SDK's own timer). */
  readonly handlesTimeout?: boolean;
  complete(request: CompletionRequest): Promise<CompletionResponse>;
  stream(request: CompletionRequest): AsyncIterable<StreamDelta>;
  /**
   * Optional: the same deltas as `stream()`, pushed to `onDelta` as they arrive (the agent uses it when
   * present: one promise per network chunk instead of one per delta). Resolves after the `finish` delta; a
   * throw from `onDelta` must close the stream and reject with that error.
   */
  streamEach?(request: CompletionRequest, onDelta: (delta: StreamDelta) => void): Promise<void>;
}

/**
 * What a provider can do. Packages decide on these, never on a provider's class: the native batch
 * strategy needs `batch`, streaming needs `streaming`, log-prob validators apply where `logprobs` is true.
 *
 * @example
 * ```ts
 * if (provider.capabilities?.batch) await runBatch(agent, queries, { strategy: 'native' });
 * ```
 */
export interface ProviderCapabilities {
  /** Streams deltas through `stream()` (every Provider must implement it; false when it only fakes it). */
  streaming: boolean;
  /** Returns token log-probs when asked. */
  logprobs: boolean;
  /** Accepts tool definitions and returns tool calls. */
  tools: boolean;
  /** Enforces a JSON schema on the answer (`responseFormat: json_schema`) itself. */
  jsonSchema: boolean;
  /** The provider's batch API (OpenAI Batch API, Anthropic Message Batches), at batch prices. */
  batch?: ProviderBatchApi;
}

/** One call of a provider batch, under the id its answer comes back with. */
export interface BatchCall {
  customId: string;
  request: CompletionRequest;
}

/** A provider's batch API: submit many calls at once, poll, read the answers, cancel. */
export interface ProviderBatchApi {
  /** Submits the calls as one provider batch; returns its id. */
  submit(calls: readonly BatchCall[], signal: AbortSignal): Promise<string>;
  /** The batch's status, and whether it has ended. */
  poll(batchId: string, signal: AbortSignal): Promise<{ ended: boolean; status: string }>;
  /** The answers (or per-call errors) by custom id. */
  results(
    batchId: string,
    signal: AbortSignal,
  ): Promise<Map<string, { response?: CompletionResponse; error?: string }>>;
  /** Asks the provider to stop a batch (what already finished stays readable). */
  cancel(batchId: string, signal: AbortSignal): Promise<void>;
}

import {
  type ChatMessage,
  type CompletionRequest,
  type CompletionResponse,
  type DocumentInput,
  documentData,
  type FinishReason,
  providerErrorFromSdk as fromSdkError,
  type ImageInput,
  midStreamError,
  type Provider,
  type ProviderCapabilities,
  ProviderError,
  type StreamDelta,
  type TokenLogprob,
} from '@cascadeflow/core';
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { openaiBatchApi } from './openai-batch.js';

/** Options of {@link OpenAIProvider}. */
export interface OpenAIProviderOptions {
  /** Name used in the ladder, errors and events. Default `openai`. */
  name?: string;
  /** Default: `process.env.OPENAI_API_KEY`. Local servers (Ollama, vLLM) accept any string. */
  apiKey?: string;
  /** Any OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1` (Ollama). */
  baseURL?: string;
  /** A ready client; overrides `apiKey`, `baseURL` and `fetch`. */
  client?: OpenAI;
  /** The `fetch` the SDK client uses, e.g. {@link pooledFetch} (about half the CPU per call). Default: the global one. */
  fetch?: typeof fetch;
  /**
   * Log level of the SDK client this provider creates. Default `off`: CascadeFlow does not write to the
   * console; failures reach you as typed errors and agent events.
   */
  sdkLogLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug';
  /** Whether the endpoint returns token log-probs. Default true. */
  logprobs?: boolean;
  /** Whether the endpoint supports `stream_options.include_usage`. Default true. */
  streamUsage?: boolean;
  /**
   * Whether the endpoint has OpenAI's Files and Batch API (the native batch strategy uses it). Default: true
   * for OpenAI itself (no `baseURL`), false for compatible endpoints (Ollama, vLLM have none).
   */
  batchApi?: boolean;
  /** Name of the max-tokens field: `max_tokens` (every compatible server) or `max_completion_tokens` (o-series). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Whether to send `sampling.topK` as `top_k`, which OpenAI's API refuses and vLLM, Ollama and most other
   * compatible servers take. Default false: `topK` is left out.
   */
  sendTopK?: boolean;
}

/** Image parts after a text part, as a user message carries them. */
function imageParts(images: readonly ImageInput[]) {
  return images.map((i) => ({
    type: 'image_url' as const,
    image_url: { url: i.url, ...(i.detail ? { detail: i.detail } : {}) },
  }));
}

/**
 * Document parts: a PDF as a `file` part with its data (chat completions take no file by URL), a text file
 * as a text part under its name.
 */
function documentParts(documents: readonly DocumentInput[]): ChatCompletionContentPart[] {
  return documents.map((d, i) => {
    const data = documentData(d);
    const name = d.filename ?? `document-${i + 1}${data?.mediaType === 'text/plain' ? '.txt' : '.pdf'}`;
    if (data?.mediaType === 'text/plain') return { type: 'text', text: `The file ${name}:\n${data.text}` };
    return { type: 'file', file: { file_data: d.url, filename: name } };
  });
}

/** The parts a user message or a tool result carries beyond its text: documents, then images. */
function attachedParts(m: {
  images?: ImageInput[];
  documents?: DocumentInput[];
}): ChatCompletionContentPart[] {
  return [...documentParts(m.documents ?? []), ...imageParts(m.images ?? [])];
}

/**
 * Chat completions messages. A tool message holds text only, so the images and documents of tool results (a
 * screenshot, a PDF read) follow the run of tool messages they belong to in one user message, each set under
 * a line that names its call.
 */
function toOpenAIMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  let shown: ChatCompletionContentPart[] = [];
  messages.forEach((m, i) => {
    out.push(toOpenAIMessage(m));
    if (m.role === 'tool' && (m.images?.length || m.documents?.length))
      shown.push(
        {
          type: 'text',
          text: `The ${m.documents?.length ? 'files' : 'images'} of the result of tool call ${m.toolCallId}:`,
        },
        ...attachedParts(m),
      );
    // After the last tool message of a run (tool messages must follow their calls unbroken).
    if (shown.length === 0 || messages[i + 1]?.role === 'tool') return;
    out.push({ role: 'user', content: shown });
    shown = [];
  });
  return out;
}

function toOpenAIMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'tool':
      return {
        role: 'tool',
        tool_call_id: m.toolCallId,
        content:
          m.content ||
          (m.images?.length || m.documents?.length
            ? `The result is the ${m.documents?.length ? 'files' : 'images'} in the next message.`
            : ''),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content,
        ...(m.toolCalls?.length
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
    case 'user':
      if (!m.images?.length && !m.documents?.length) return { role: 'user', content: m.content };
      // Images and documents after the text, as content parts.
      return {
        role: 'user',
        content: [...(m.content ? [{ type: 'text' as const, text: m.content }] : []), ...attachedParts(m)],
      };
    default:
      return { role: m.role, content: m.content };
  }
}

function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/**
 * The stop sequence that ended a choice, where the server says which: vLLM (and servers built like it) adds
 * `stop_reason` to each finished choice, the matched stop string (or a stop token's id). OpenAI's API has no
 * such field and says only `stop`. Taken only when it is one of the sequences the request asked for.
 */
function stopSequenceOf(
  choice: { finish_reason?: string | null },
  req: CompletionRequest,
): string | undefined {
  if (choice.finish_reason !== 'stop') return undefined;
  const said = (choice as { stop_reason?: unknown }).stop_reason;
  return typeof said === 'string' && req.sampling?.stopSequences?.includes(said) ? said : undefined;
}

function logprobsOf(
  content: { token: string; logprob: number }[] | null | undefined,
): TokenLogprob[] | undefined {
  return content ? content.map((t) => ({ token: t.token, logprob: t.logprob })) : undefined;
}

/**
 * OpenAI chat completions through the official `openai` SDK, and any OpenAI-compatible endpoint (Ollama,
 * vLLM, Groq, Together, OpenRouter) through `baseURL`. The SDK's own retries are off: the agent retries,
 * honouring `retry-after`, and falls through to the next tier.
 *
 * @example
 * ```ts
 * const openai = new OpenAIProvider({ apiKey: process.env.OPENAI_API_KEY });
 * const ollama = new OpenAIProvider({ name: 'ollama', baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' });
 * ```
 */
export class OpenAIProvider implements Provider {
  readonly name: string;
  readonly handlesTimeout = true;
  readonly capabilities: ProviderCapabilities;
  readonly #client: OpenAI;

  /** The SDK client (for APIs beyond chat, such as batches). */
  get client(): OpenAI {
    return this.#client;
  }
  readonly #logprobs: boolean;
  readonly #streamUsage: boolean;
  readonly #maxTokensField: 'max_tokens' | 'max_completion_tokens';
  readonly #sendTopK: boolean;

  constructor(options: OpenAIProviderOptions = {}) {
    this.name = options.name ?? 'openai';
    this.#client =
      options.client ??
      new OpenAI({
        apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? 'missing-api-key',
        baseURL: options.baseURL,
        maxRetries: 0,
        logLevel: options.sdkLogLevel ?? 'off',
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    this.#logprobs = options.logprobs ?? true;
    this.#streamUsage = options.streamUsage ?? true;
    this.#maxTokensField = options.maxTokensField ?? 'max_tokens';
    this.#sendTopK = options.sendTopK ?? false;
    const batch = options.batchApi ?? (options.baseURL === undefined && options.client === undefined);
    this.capabilities = {
      streaming: true,
      logprobs: this.#logprobs,
      tools: true,
      jsonSchema: true,
      ...(batch ? { batch: openaiBatchApi(this) } : {}),
    };
  }

  /**
   * The request body this provider sends for a call: the same wire mapping (messages, tools, tool choice,
   * response format, max tokens, sampling controls) for batch APIs that take one body per request.
   *
   * @example
   * ```ts
   * const body = provider.requestBody({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
   * ```
   */
  requestBody(req: CompletionRequest): ChatCompletionCreateParamsNonStreaming {
    const byUrl = req.messages.some(
      (m) => (m.role === 'user' || m.role === 'tool') && m.documents?.some((d) => !d.url.startsWith('data:')),
    );
    if (byUrl)
      throw new ProviderError({
        provider: this.name,
        model: req.model,
        message:
          "a document given by URL cannot be sent to a chat completions endpoint (it takes a file's data): send the document as a data: URL",
        retryable: false,
      });
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: req.model,
      messages: toOpenAIMessages(req.messages),
    };
    if (req.maxTokens !== undefined) body[this.#maxTokensField] = req.maxTokens;
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.tools?.length) {
      body.tools = req.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    }
    if (req.toolChoice !== undefined) {
      body.tool_choice =
        typeof req.toolChoice === 'string'
          ? req.toolChoice
          : { type: 'function', function: { name: req.toolChoice.name } };
    }
    // The API takes `parallel_tool_calls` only beside tools.
    if (req.parallelToolCalls !== undefined && body.tools) body.parallel_tool_calls = req.parallelToolCalls;
    const s = req.sampling;
    if (s) {
      if (s.topP !== undefined) body.top_p = s.topP;
      if (s.stopSequences) body.stop = s.stopSequences;
      if (s.seed !== undefined) body.seed = s.seed;
      if (s.frequencyPenalty !== undefined) body.frequency_penalty = s.frequencyPenalty;
      if (s.presencePenalty !== undefined) body.presence_penalty = s.presencePenalty;
      if (s.topK !== undefined && this.#sendTopK) (body as unknown as Record<string, unknown>).top_k = s.topK;
    }
    if (req.responseFormat?.type === 'json_object') body.response_format = { type: 'json_object' };
    if (req.responseFormat?.type === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: {
          name: req.responseFormat.name,
          schema: req.responseFormat.schema,
          strict: req.responseFormat.strict ?? false,
        },
      };
    }
    if (req.logprobs && this.#logprobs) body.logprobs = true;
    return body;
  }

  async complete(req: CompletionRequest): Promise<CompletionResponse> {
    let res: OpenAI.Chat.Completions.ChatCompletion;
    try {
      res = await this.#client.chat.completions.create(this.requestBody(req), {
        signal: req.signal,
        maxRetries: 0,
        ...(req.timeoutMs !== undefined ? { timeout: req.timeoutMs } : {}),
      });
    } catch (error) {
      throw fromSdkError(error, this.name, req.model, req.signal);
    }
    const choice = res.choices?.[0];
    if (!choice) {
      throw new ProviderError({
        code: 'provider_malformed_response',
        provider: this.name,
        model: req.model,
        message: 'The response has no choices.',
        retryable: true,
      });
    }
    const usage = res.usage;
    const stopSequence = stopSequenceOf(choice, req);
    return {
      content: choice.message.content ?? '',
      toolCalls: (choice.message.tool_calls ?? []).flatMap((c) =>
        c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : [],
      ),
      finishReason: finishReason(choice.finish_reason),
      usage: {
        inputTokens: usage?.prompt_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
        cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      },
      logprobs: logprobsOf(choice.logprobs?.content),
      ...(stopSequence !== undefined ? { stopSequence } : {}),
      model: res.model ?? req.model,
    };
  }

  stream(req: CompletionRequest): AsyncIterable<StreamDelta> {
    // The body is ours and new: given its streaming keys in place, not copied by a spread (see core's defineLazy).
    const body = this.requestBody(req) as unknown as ChatCompletionCreateParamsStreaming;
    body.stream = true;
    if (this.#streamUsage) body.stream_options = { include_usage: true };
    return new OpenAIDeltas(
      () => this.#client.chat.completions.create(body, { signal: req.signal, maxRetries: 0 }),
      req,
      this.name,
    );
  }

  /** The same deltas as {@link stream}, pushed to `onDelta` as each chunk is parsed (one promise per chunk). */
  streamEach(req: CompletionRequest, onDelta: (delta: StreamDelta) => void): Promise<void> {
    return (this.stream(req) as OpenAIDeltas).each(onDelta);
  }
}

/**
 * The deltas of one streamed completion. A hand-written async iterator rather than an async generator: one
 * promise per delta instead of a generator's extra hops, on the path of every token. Leaving a `for await`
 * early closes the SDK stream, and with it the HTTP request.
 */
class OpenAIDeltas implements AsyncIterableIterator<StreamDelta> {
  readonly #open: () => Promise<AsyncIterable<ChatCompletionChunk>>;
  readonly #req: CompletionRequest;
  readonly #provider: string;
  #it: AsyncIterator<ChatCompletionChunk> | undefined;
  readonly #queue: StreamDelta[] = [];
  #done = false;
  #finish: FinishReason | null = null;
  #stopSequence: string | undefined;
  #usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  #model: string;
  #received = 0;

  constructor(
    open: () => Promise<AsyncIterable<ChatCompletionChunk>>,
    req: CompletionRequest,
    provider: string,
  ) {
    this.#open = open;
    this.#req = req;
    this.#provider = provider;
    this.#model = req.model;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<StreamDelta>> {
    for (;;) {
      const queued = this.#queue.shift();
      if (queued) return { value: queued, done: false };
      if (this.#done) return { value: undefined, done: true };
      if (!this.#it) {
        try {
          this.#it = (await this.#open())[Symbol.asyncIterator]();
        } catch (error) {
          this.#done = true;
          throw fromSdkError(error, this.#provider, this.#req.model, this.#req.signal);
        }
      }
      const r = await this.#pull(this.#it);
      if (r.done) return { value: this.#end(), done: false };
      this.#take(r.value);
    }
  }

  #take(chunk: ChatCompletionChunk): void {
    this.#received++;
    this.#model = chunk.model || this.#model;
    if (chunk.usage) {
      this.#usage = {
        inputTokens: chunk.usage.prompt_tokens,
        outputTokens: chunk.usage.completion_tokens,
        cachedInputTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
      };
    }
    const choice = chunk.choices?.[0];
    if (!choice) return;
    if (choice.delta?.content)
      this.#queue.push({
        type: 'text',
        text: choice.delta.content,
        logprobs: logprobsOf(choice.logprobs?.content),
      });
    for (const call of choice.delta?.tool_calls ?? []) {
      this.#queue.push({
        type: 'tool_call',
        index: call.index,
        id: call.id,
        name: call.function?.name,
        argumentsDelta: call.function?.arguments ?? '',
      });
    }
    if (choice.finish_reason) {
      this.#finish = finishReason(choice.finish_reason);
      this.#stopSequence = stopSequenceOf(choice, this.#req);
    }
  }

  /**
   * Pushes every delta to `onDelta`, synchronously as each chunk arrives: no promise per delta on top of the
   * SDK's own. A throw from `onDelta` closes the SDK stream (and its HTTP request) and propagates.
   */
  async each(onDelta: (delta: StreamDelta) => void): Promise<void> {
    let it: AsyncIterator<ChatCompletionChunk>;
    try {
      it = (await this.#open())[Symbol.asyncIterator]();
    } catch (error) {
      this.#done = true;
      throw fromSdkError(error, this.#provider, this.#req.model, this.#req.signal);
    }
    this.#it = it;
    try {
      for (;;) {
        const r = await this.#pull(it);
        if (r.done) break;
        this.#take(r.value);
        const queue = this.#queue;
        for (let i = 0; i < queue.length; i++) onDelta(queue[i]!);
        queue.length = 0;
      }
    } catch (error) {
      if (!this.#done) {
        this.#done = true;
        await it.return?.()?.catch(() => undefined);
      }
      throw error;
    }
    onDelta(this.#end());
  }

  /** The next SDK chunk; an SDK error becomes a ProviderError that says how far the stream got. */
  async #pull(it: AsyncIterator<ChatCompletionChunk>): Promise<IteratorResult<ChatCompletionChunk>> {
    try {
      return await it.next();
    } catch (error) {
      this.#done = true;
      throw midStreamError(
        fromSdkError(error, this.#provider, this.#req.model, this.#req.signal),
        this.#received,
      );
    }
  }

  /** The finish delta once the SDK stream has ended; a stream cut before its finish_reason is a retryable error. */
  #end(): StreamDelta {
    this.#done = true;
    if (this.#finish === null) {
      throw new ProviderError({
        provider: this.#provider,
        model: this.#req.model,
        message: 'The stream ended before the model finished (no finish_reason): the connection was cut.',
        retryable: true,
      });
    }
    const stopSequence = this.#stopSequence;
    return {
      type: 'finish',
      finishReason: this.#finish,
      usage: this.#usage,
      model: this.#model,
      ...(stopSequence !== undefined ? { stopSequence } : {}),
    };
  }

  async return(): Promise<IteratorResult<StreamDelta>> {
    this.#done = true;
    await this.#it?.return?.();
    return { value: undefined, done: true };
  }
}

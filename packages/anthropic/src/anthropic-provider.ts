import Anthropic from '@anthropic-ai/sdk';
import type {
  DocumentBlockParam,
  ImageBlockParam,
  MessageCreateParamsNonStreaming,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages';
import {
  type ChatMessage,
  type CompletionRequest,
  type CompletionResponse,
  type DocumentInput,
  documentData,
  type FinishReason,
  providerErrorFromSdk as fromSdkError,
  type ImageInput,
  imageData,
  midStreamError,
  type Provider,
  type ProviderCapabilities,
  ProviderError,
  type StreamDelta,
  type ToolCall,
  type Usage,
} from '@cascadeflow/core';
import { anthropicBatchApi } from './anthropic-batch.js';
import { usageOf } from './anthropic-usage.js';

/** Options of {@link AnthropicProvider}. */
export interface AnthropicProviderOptions {
  /** Name used in the ladder, errors and events. Default `anthropic`. */
  name?: string;
  /** Default: `process.env.ANTHROPIC_API_KEY`. */
  apiKey?: string;
  baseURL?: string;
  /** A ready client; overrides `apiKey`, `baseURL` and `fetch`. */
  client?: Anthropic;
  /** The `fetch` the SDK client uses (for example `pooledFetch()` of `@cascadeflow/openai`). */
  fetch?: typeof globalThis.fetch;
  /**
   * Log level of the SDK client this provider creates. Default `off`: CascadeFlow does not write to the
   * console; failures reach you as typed errors and agent events.
   */
  sdkLogLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug';
  /** `max_tokens` is required by the Messages API; used when the request gives none. Default 1024. */
  defaultMaxTokens?: number;
  /** Whether the endpoint has Message Batches (the native batch strategy uses it). Default true. */
  batchApi?: boolean;
  /**
   * Prompt caching: cache breakpoints (`cache_control: { type: 'ephemeral' }`) on the last tool, the system
   * prompt and the last block of the conversation, so that the next call with the same beginning (an agent's
   * next turn, the same system prompt and tools) reads it from the cache at a tenth of the input price.
   * Writing to the cache costs 1.25 times the input price, and a prefix shorter than the model's minimum
   * (1024 or 2048 tokens) is not cached, so it pays off where prompts come back. Default false.
   */
  promptCaching?: boolean;
  /**
   * Send a `json_schema` response format as the Messages API's structured outputs (`output_config.format`):
   * the model's text is constrained to the schema, instead of being asked for it in the system prompt.
   * Claude models from the 4.5 generation on take it; earlier ones refuse the request. Default false.
   */
  structuredOutputs?: boolean;
}

type AnthropicBlock = Exclude<MessageParam['content'], string>[number];

function parseArgs(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}

/** An image as Anthropic takes it: a data URL as base64 with its media type, anything else by URL. */
function imageBlock(image: ImageInput): ImageBlockParam {
  // Core admits data URLs of the four types both APIs take (png, jpeg, gif, webp) only.
  const data = imageData(image);
  if (!data) return { type: 'image', source: { type: 'url', url: image.url } };
  return {
    type: 'image',
    source: { type: 'base64', media_type: data.mediaType as 'image/png', data: data.base64 },
  };
}

/** A document as a `document` block: a PDF's data or URL, or a text file's text. */
function documentBlock(document: DocumentInput): DocumentBlockParam {
  const data = documentData(document);
  const source: DocumentBlockParam['source'] = !data
    ? { type: 'url', url: document.url }
    : data.mediaType === 'text/plain'
      ? { type: 'text', media_type: 'text/plain', data: data.text }
      : { type: 'base64', media_type: 'application/pdf', data: data.base64 };
  return document.filename
    ? { type: 'document', source, title: document.filename }
    : { type: 'document', source };
}

/** A user message's or tool result's images and documents as blocks. */
function attachedBlocks(m: {
  images?: ImageInput[];
  documents?: DocumentInput[];
}): (ImageBlockParam | DocumentBlockParam)[] {
  if (!m.images?.length && !m.documents?.length) return [];
  return [...(m.documents ?? []).map(documentBlock), ...(m.images ?? []).map(imageBlock)];
}

const EPHEMERAL = { type: 'ephemeral' } as const;

/**
 * Cache breakpoints on the last tool, the system prompt and the last block of the conversation (three of the
 * four the Messages API takes): the tools, then the system prompt, then the messages are the prompt's order,
 * so each breakpoint caches everything before it.
 */
function markCacheBreakpoints(body: MessageCreateParamsNonStreaming): void {
  const tools = body.tools;
  if (tools?.length)
    tools[tools.length - 1] = Object.assign({}, tools[tools.length - 1]!, { cache_control: EPHEMERAL });
  if (typeof body.system === 'string')
    body.system = [{ type: 'text', text: body.system, cache_control: EPHEMERAL }];
  const last = body.messages[body.messages.length - 1];
  if (!last) return;
  if (typeof last.content === 'string') {
    last.content = [{ type: 'text', text: last.content, cache_control: EPHEMERAL }];
    return;
  }
  const blocks = last.content;
  // Thinking blocks take no breakpoint: the last block that does.
  for (let i = blocks.length - 1; i >= 0; i--) {
    const block = blocks[i]!;
    if (block.type === 'thinking' || block.type === 'redacted_thinking') continue;
    blocks[i] = Object.assign({}, block, { cache_control: EPHEMERAL }) as AnthropicBlock;
    return;
  }
}

/** Folds our messages into Anthropic's: system apart, tool results as `tool_result` blocks of a user turn. */
function toAnthropic(messages: ChatMessage[]): { system: string | undefined; messages: MessageParam[] } {
  const system: string[] = [];
  const out: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: AnthropicBlock[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'system') system.push(m.content);
    else if (m.role === 'user') {
      const attached = attachedBlocks(m);
      push('user', [
        // Documents first, as Anthropic advises, then the text, then images.
        ...attached.filter((b) => b.type === 'document'),
        ...(m.content || !attached.length ? [{ type: 'text' as const, text: m.content }] : []),
        ...attached.filter((b) => b.type === 'image'),
      ]);
    } else if (m.role === 'tool') {
      const attached = attachedBlocks(m);
      push('user', [
        {
          type: 'tool_result',
          tool_use_id: m.toolCallId,
          // A result that shows images or documents (a screenshot, a PDF read) carries them as its own blocks.
          content: attached.length
            ? [...(m.content ? [{ type: 'text' as const, text: m.content }] : []), ...attached]
            : m.content,
        },
      ]);
    } else {
      const blocks: AnthropicBlock[] = [];
      if (m.content) blocks.push({ type: 'text', text: m.content });
      for (const c of m.toolCalls ?? []) {
        blocks.push({
          type: 'tool_use',
          id: c.id,
          name: c.name,
          input: parseArgs(c.arguments) as Record<string, unknown>,
        });
      }
      push('assistant', blocks);
    }
  }
  return { system: system.length ? system.join('\n\n') : undefined, messages: out };
}

function stopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Anthropic Messages through the official `@anthropic-ai/sdk`. A `json_schema` response format goes out as
 * structured outputs (`output_config.format`) with `structuredOutputs: true`, for the models that take it;
 * otherwise, and for `json_object` (the Messages API has no schemaless JSON mode), the request gets a system
 * instruction to answer in JSON only (and the schema). Either way the JSON validators check the result.
 * Anthropic returns no log-probs, so confidence comes from the text.
 *
 * @example
 * ```ts
 * const anthropic = new AnthropicProvider({ apiKey: process.env.ANTHROPIC_API_KEY });
 * ```
 */
export class AnthropicProvider implements Provider {
  readonly name: string;
  readonly handlesTimeout = true;
  /** No log-probs (the Messages API returns none); a JSON schema enforced only with `structuredOutputs`. */
  readonly capabilities: ProviderCapabilities;
  readonly #client: Anthropic;

  /** The SDK client (for APIs beyond chat, such as batches). */
  get client(): Anthropic {
    return this.#client;
  }
  readonly #defaultMaxTokens: number;
  readonly #structuredOutputs: boolean;
  readonly #promptCaching: boolean;

  constructor(options: AnthropicProviderOptions = {}) {
    this.name = options.name ?? 'anthropic';
    this.#client =
      options.client ??
      new Anthropic({
        apiKey: options.apiKey ?? process.env.ANTHROPIC_API_KEY ?? 'missing-api-key',
        baseURL: options.baseURL,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        maxRetries: 0,
        logLevel: options.sdkLogLevel ?? 'off',
      });
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 1024;
    this.#structuredOutputs = options.structuredOutputs === true;
    this.#promptCaching = options.promptCaching === true;
    this.capabilities = {
      streaming: true,
      logprobs: false,
      tools: true,
      jsonSchema: this.#structuredOutputs,
      ...(options.batchApi !== false ? { batch: anthropicBatchApi(this) } : {}),
    };
  }

  /**
   * The request body this provider sends for a call: the same wire mapping (messages, tools, tool choice,
   * response format, max tokens, top-p, top-k and stop sequences; the Messages API has no seed or
   * penalties) for batch APIs that take one body per request.
   *
   * @example
   * ```ts
   * const body = provider.requestBody({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
   * ```
   */
  requestBody(req: CompletionRequest): MessageCreateParamsNonStreaming {
    const { system, messages } = toAnthropic(req.messages);
    let sys = system;
    const f = req.responseFormat;
    // Structured outputs carry the schema natively; otherwise JSON is asked for in the system prompt.
    const nativeSchema = this.#structuredOutputs && f?.type === 'json_schema' ? f.schema : undefined;
    if (req.responseFormat && req.responseFormat.type !== 'text' && !nativeSchema) {
      const schema =
        req.responseFormat.type === 'json_schema'
          ? ` matching this JSON schema: ${JSON.stringify(req.responseFormat.schema)}`
          : '';
      sys = `${sys ? `${sys}\n\n` : ''}Answer with a single valid JSON value${schema}, and nothing else.`;
    }
    const body: MessageCreateParamsNonStreaming = {
      model: req.model,
      max_tokens: req.maxTokens ?? this.#defaultMaxTokens,
      messages,
    };
    if (sys) body.system = sys;
    if (nativeSchema) body.output_config = { format: { type: 'json_schema', schema: nativeSchema } };
    // This SDK version's types dropped `temperature`; the Messages API still accepts it on most models.
    if (req.temperature !== undefined)
      (body as unknown as Record<string, unknown>).temperature = req.temperature;
    if (req.tools?.length) {
      body.tools = req.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.parameters as { type: 'object' },
      }));
    }
    if (req.toolChoice !== undefined) {
      const c = req.toolChoice;
      body.tool_choice =
        c === 'auto'
          ? { type: 'auto' }
          : c === 'none'
            ? { type: 'none' }
            : c === 'required'
              ? { type: 'any' }
              : { type: 'tool', name: c.name };
    }
    // One tool call per answer: the Messages API says so in the tool choice (`none` has no such flag).
    if (req.parallelToolCalls === false && body.tools && body.tool_choice?.type !== 'none')
      body.tool_choice = Object.assign({}, body.tool_choice ?? { type: 'auto' }, {
        disable_parallel_tool_use: true,
      }) as Anthropic.ToolChoice;
    const s = req.sampling;
    if (s) {
      if (s.stopSequences) body.stop_sequences = s.stopSequences;
      // Like `temperature`, left out of this SDK version's types and still taken by the Messages API.
      const loose = body as unknown as Record<string, unknown>;
      if (s.topP !== undefined) loose.top_p = s.topP;
      if (s.topK !== undefined) loose.top_k = s.topK;
    }
    if (this.#promptCaching) markCacheBreakpoints(body);
    return body;
  }

  async complete(req: CompletionRequest): Promise<CompletionResponse> {
    let res: Anthropic.Messages.Message;
    try {
      res = await this.#client.messages.create(this.requestBody(req), {
        signal: req.signal,
        maxRetries: 0,
        ...(req.timeoutMs !== undefined ? { timeout: req.timeoutMs } : {}),
      });
    } catch (error) {
      throw fromSdkError(error, this.name, req.model, req.signal);
    }
    let content = '';
    const toolCalls: ToolCall[] = [];
    for (const block of res.content ?? []) {
      if (block.type === 'text') content += block.text;
      else if (block.type === 'tool_use')
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
    }
    return {
      content,
      toolCalls,
      finishReason: stopReason(res.stop_reason),
      ...(typeof res.stop_sequence === 'string' ? { stopSequence: res.stop_sequence } : {}),
      usage: usageOf(res.usage ?? {}),
      model: res.model ?? req.model,
    };
  }

  async *stream(req: CompletionRequest): AsyncGenerator<StreamDelta> {
    let stream: AsyncIterable<RawMessageStreamEvent>;
    try {
      stream = await this.#client.messages.create(
        // The body is ours and new: given `stream` in place (see core's defineLazy on spreads).
        Object.assign(this.requestBody(req) as unknown as MessageCreateParamsStreaming, {
          stream: true as const,
        }),
        { signal: req.signal, maxRetries: 0 },
      );
    } catch (error) {
      throw fromSdkError(error, this.name, req.model, req.signal);
    }
    let usage: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    let finish: FinishReason | null = null;
    let stopSequence: string | undefined;
    let stopped = false;
    let model = req.model;
    // Anthropic numbers content blocks across text and tools; we number tool calls from 0.
    const toolIndex = new Map<number, number>();
    let received = 0;
    try {
      for await (const event of stream) {
        received++;
        switch (event.type) {
          case 'message_start':
            model = event.message.model || model;
            usage = usageOf(event.message.usage ?? {});
            break;
          case 'content_block_start':
            if (event.content_block.type === 'tool_use') {
              const i = toolIndex.size;
              toolIndex.set(event.index, i);
              yield {
                type: 'tool_call',
                index: i,
                id: event.content_block.id,
                name: event.content_block.name,
                argumentsDelta: '',
              };
            }
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') yield { type: 'text', text: event.delta.text };
            else if (event.delta.type === 'input_json_delta') {
              yield {
                type: 'tool_call',
                index: toolIndex.get(event.index) ?? 0,
                argumentsDelta: event.delta.partial_json,
              };
            }
            break;
          case 'message_delta':
            finish = stopReason(event.delta.stop_reason);
            if (typeof event.delta.stop_sequence === 'string') stopSequence = event.delta.stop_sequence;
            usage = Object.assign({}, usage, {
              outputTokens: event.usage.output_tokens ?? usage.outputTokens,
            });
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      }
    } catch (error) {
      throw midStreamError(fromSdkError(error, this.name, req.model, req.signal), received);
    }
    if (!stopped || finish === null) {
      throw new ProviderError({
        provider: this.name,
        model: req.model,
        message: 'The stream ended before message_stop: the connection was cut.',
        retryable: true,
      });
    }
    yield { type: 'finish', finishReason: finish, usage, model, ...(stopSequence ? { stopSequence } : {}) };
  }
}

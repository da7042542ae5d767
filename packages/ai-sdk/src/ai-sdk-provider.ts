import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import {
  type CompletionRequest,
  type CompletionResponse,
  type Provider,
  type ProviderCapabilities,
  ProviderError,
  type StreamDelta,
} from '@cascadeflow/core';
import { fromFinishReason, fromUsage, toPrompt } from './prompt.js';

/** Options of {@link aiSdkProvider}. */
export interface AiSdkProviderOptions {
  /** The provider's name on the ladder. Default: the model's provider id (`openai.chat`, …). */
  name?: string;
  /** Whether the model returns log-probs CascadeFlow can read. Default false (the AI SDK exposes none). */
  logprobs?: boolean;
}

function callOptions(req: CompletionRequest): LanguageModelV3CallOptions {
  return {
    prompt: toPrompt(req.messages),
    ...(req.maxTokens !== undefined ? { maxOutputTokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...req.sampling,
    ...(req.tools?.length
      ? {
          tools: req.tools.map((t) => ({
            type: 'function' as const,
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            inputSchema: t.parameters as never,
          })),
        }
      : {}),
    ...(req.toolChoice !== undefined
      ? {
          toolChoice:
            typeof req.toolChoice === 'string'
              ? { type: req.toolChoice }
              : { type: 'tool' as const, toolName: req.toolChoice.name },
        }
      : {}),
    ...(req.responseFormat && req.responseFormat.type !== 'text'
      ? {
          responseFormat:
            req.responseFormat.type === 'json_schema'
              ? {
                  type: 'json' as const,
                  schema: req.responseFormat.schema as never,
                  name: req.responseFormat.name,
                }
              : { type: 'json' as const },
        }
      : {}),
    ...(req.signal ? { abortSignal: req.signal } : {}),
  };
}

/** An AI SDK error (APICallError has `statusCode` and `isRetryable`) as a ProviderError. */
function providerError(error: unknown, provider: string, model: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return error;
  const e = error as {
    statusCode?: number;
    isRetryable?: boolean;
    message?: string;
    responseHeaders?: Record<string, string>;
  };
  const after = Number(e.responseHeaders?.['retry-after']);
  return new ProviderError({
    provider,
    model,
    message: e.message ?? String(error),
    retryable: e.isRetryable ?? true,
    ...(e.statusCode !== undefined ? { status: e.statusCode } : {}),
    ...(Number.isFinite(after) ? { retryAfterMs: after * 1000 } : {}),
    cause: error,
  });
}

/**
 * Any AI SDK language model (`@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/google`, …) as a tier of a
 * cascade, so the cascade reaches every provider the AI SDK reaches.
 *
 * @example
 * ```ts
 * import { createOpenAI } from '@ai-sdk/openai';
 * const openai = createOpenAI();
 * const agent = new CascadeAgent({
 *   providers: { ai: aiSdkProvider(openai.chat('gpt-4o-mini')) },
 *   ladder: [{ model: 'gpt-4o-mini', provider: 'ai', threshold: 0.8 }, { model: 'gpt-4o', provider: 'openai' }],
 * });
 * ```
 */
export function aiSdkProvider(model: LanguageModelV3, options: AiSdkProviderOptions = {}): Provider {
  const name = options.name ?? model.provider;
  const capabilities: ProviderCapabilities = {
    streaming: true,
    logprobs: options.logprobs ?? false,
    tools: true,
    jsonSchema: true,
  };
  return {
    name,
    capabilities,
    async complete(req): Promise<CompletionResponse> {
      let r: Awaited<ReturnType<LanguageModelV3['doGenerate']>>;
      try {
        r = await model.doGenerate(callOptions(req));
      } catch (error) {
        throw providerError(error, name, req.model, req.signal);
      }
      let content = '';
      const toolCalls: CompletionResponse['toolCalls'] = [];
      for (const c of r.content) {
        if (c.type === 'text') content += c.text;
        else if (c.type === 'tool-call')
          toolCalls.push({ id: c.toolCallId, name: c.toolName, arguments: c.input });
      }
      return {
        content,
        toolCalls,
        finishReason: fromFinishReason(r.finishReason),
        usage: fromUsage(r.usage),
        model: r.response?.modelId ?? model.modelId,
      };
    },
    async *stream(req): AsyncGenerator<StreamDelta> {
      let result: Awaited<ReturnType<LanguageModelV3['doStream']>>;
      try {
        result = await model.doStream(callOptions(req));
      } catch (error) {
        throw providerError(error, name, req.model, req.signal);
      }
      const reader = result.stream.getReader();
      const toolIndex = new Map<string, number>();
      let modelId = model.modelId;
      const finished = false;
      try {
        for (;;) {
          const { value: part, done } = await reader.read();
          if (done) break;
          if (part.type === 'text-delta') yield { type: 'text', text: part.delta };
          else if (part.type === 'tool-input-start') {
            toolIndex.set(part.id, toolIndex.size);
            yield {
              type: 'tool_call',
              index: toolIndex.get(part.id)!,
              id: part.id,
              name: part.toolName,
              argumentsDelta: '',
            };
          } else if (part.type === 'tool-input-delta')
            yield { type: 'tool_call', index: toolIndex.get(part.id) ?? 0, argumentsDelta: part.delta };
          else if (part.type === 'tool-call' && !toolIndex.has(part.toolCallId)) {
            toolIndex.set(part.toolCallId, toolIndex.size);
            yield {
              type: 'tool_call',
              index: toolIndex.get(part.toolCallId)!,
              id: part.toolCallId,
              name: part.toolName,
              argumentsDelta: part.input,
            };
          } else if (part.type === 'response-metadata' && part.modelId) modelId = part.modelId;
          else if (part.type === 'error') throw providerError(part.error, name, req.model, req.signal);
          else if (part.type === 'finish') {
            yield {
              type: 'finish',
              finishReason: fromFinishReason(part.finishReason),
              usage: fromUsage(part.usage),
              model: modelId,
            };
            return;
          }
        }
      } finally {
        // Left early (an abort, a draft given up): cancel, which closes the model's HTTP stream.
        if (!finished) await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
      throw new ProviderError({
        provider: name,
        model: req.model,
        message: 'the AI SDK stream ended without a finish part',
        retryable: true,
      });
    },
  };
}

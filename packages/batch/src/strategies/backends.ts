import {
  AnthropicProvider,
  type ChatMessage,
  type CompletionRequest,
  type CompletionResponse,
  type FinishReason,
  OpenAIProvider,
  type Provider,
  type RunRequest,
} from '@cascadeflow/core';
import { toFile } from 'openai';

/** One item of a provider batch: its index (the custom id) and its request. */
export interface NativeItem {
  index: number;
  request: RunRequest;
}

/** The tier a provider batch is for. */
export interface NativeTier {
  model: string;
  maxTokens: number | undefined;
  temperature: number | undefined;
}

/**
 * One item's call, as the provider's own `requestBody` maps it: messages, max tokens, temperature, tools,
 * tool choice and response format all reach the batch API exactly as they would reach the live API.
 */
export function callOf(tier: NativeTier, r: RunRequest): CompletionRequest {
  return {
    model: tier.model,
    messages: messagesOf(r),
    maxTokens: r.maxTokens ?? tier.maxTokens,
    temperature: r.temperature ?? tier.temperature,
    tools: r.tools,
    toolChoice: r.toolChoice,
    responseFormat: r.responseFormat,
    logprobs: true,
  };
}

/** A provider's batch API: submit one tier's items, poll, read the answers, cancel. */
export interface NativeBackend {
  readonly name: string;
  submit(tier: NativeTier, items: NativeItem[], signal: AbortSignal): Promise<string>;
  /** Asks the provider to stop a batch (what already finished stays readable). */
  cancel(batchId: string, signal: AbortSignal): Promise<void>;
  /** The batch's status, and whether it has ended. */
  poll(batchId: string, signal: AbortSignal): Promise<{ ended: boolean; status: string }>;
  results(
    batchId: string,
    model: string,
    signal: AbortSignal,
  ): Promise<Map<number, { response?: CompletionResponse; error?: string }>>;
}

export function messagesOf(r: RunRequest): ChatMessage[] {
  if (r.messages?.length) return r.messages;
  return [
    ...(r.system ? [{ role: 'system' as const, content: r.system }] : []),
    { role: 'user', content: r.query ?? '' },
  ];
}

function finish(fr: unknown): FinishReason {
  return fr === 'stop' || fr === 'length' || fr === 'tool_calls' || fr === 'content_filter' ? fr : 'other';
}

/** OpenAI Batch API: a JSONL file, a batch, its output and error files. */
function openaiBackend(provider: OpenAIProvider): NativeBackend {
  const client = provider.client;
  return {
    name: 'openai',
    async submit(tier, items, signal) {
      const lines = items.map(({ index, request }) =>
        JSON.stringify({
          custom_id: String(index),
          method: 'POST',
          url: '/v1/chat/completions',
          body: provider.requestBody(callOf(tier, request)),
        }),
      );
      const file = await client.files.create(
        {
          file: await toFile(Buffer.from(`${lines.join('\n')}\n`), `cascadeflow-${tier.model}.jsonl`),
          purpose: 'batch',
        },
        { signal },
      );
      return (
        await client.batches.create(
          { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
          { signal },
        )
      ).id;
    },
    async cancel(batchId, signal) {
      await client.batches.cancel(batchId, { signal });
    },
    async poll(batchId, signal) {
      const b = await client.batches.retrieve(batchId, { signal });
      return { ended: ['completed', 'failed', 'expired', 'cancelled'].includes(b.status), status: b.status };
    },
    async results(batchId, model, signal) {
      const b = await client.batches.retrieve(batchId, { signal });
      const answers = new Map<number, { response?: CompletionResponse; error?: string }>();
      for (const fileId of [b.output_file_id, b.error_file_id]) {
        if (!fileId) continue;
        const text = await (await client.files.content(fileId, { signal })).text();
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          const row = JSON.parse(line) as {
            custom_id: string;
            response?: { status_code: number; body: Record<string, any> } | null;
            error?: { message?: string } | null;
          };
          if (row.response?.status_code === 200) {
            const body = row.response.body;
            const choice = body.choices?.[0] ?? {};
            answers.set(Number(row.custom_id), {
              response: {
                content: choice.message?.content ?? '',
                toolCalls: (choice.message?.tool_calls ?? []).map((c: any) => ({
                  id: c.id,
                  name: c.function?.name,
                  arguments: c.function?.arguments ?? '',
                })),
                finishReason: finish(choice.finish_reason),
                usage: {
                  inputTokens: body.usage?.prompt_tokens ?? 0,
                  outputTokens: body.usage?.completion_tokens ?? 0,
                  cachedInputTokens: body.usage?.prompt_tokens_details?.cached_tokens ?? 0,
                },
                ...(choice.logprobs?.content
                  ? {
                      logprobs: choice.logprobs.content.map((t: any) => ({
                        token: t.token,
                        logprob: t.logprob,
                      })),
                    }
                  : {}),
                model: body.model ?? model,
              },
            });
          } else
            answers.set(Number(row.custom_id), {
              error: row.error?.message ?? `HTTP ${row.response?.status_code ?? '?'}`,
            });
        }
      }
      return answers;
    },
  };
}

/** Anthropic Message Batches: requests in one call, the results as JSONL. */
function anthropicBackend(provider: AnthropicProvider): NativeBackend {
  const client = provider.client;
  const stop: Record<string, FinishReason> = {
    end_turn: 'stop',
    stop_sequence: 'stop',
    max_tokens: 'length',
    tool_use: 'tool_calls',
    refusal: 'content_filter',
  };
  return {
    name: 'anthropic',
    async submit(tier, items, signal) {
      const requests = items.map(({ index, request }) => ({
        custom_id: String(index),
        params: provider.requestBody(callOf(tier, request)),
      }));
      return (await client.messages.batches.create({ requests }, { signal })).id;
    },
    async cancel(batchId, signal) {
      await client.messages.batches.cancel(batchId, {}, { signal });
    },
    async poll(batchId, signal) {
      const b = await client.messages.batches.retrieve(batchId, {}, { signal });
      return { ended: b.processing_status === 'ended', status: b.processing_status };
    },
    async results(batchId, model, signal) {
      const answers = new Map<number, { response?: CompletionResponse; error?: string }>();
      for await (const row of await client.messages.batches.results(batchId, {}, { signal })) {
        const i = Number(row.custom_id);
        if (row.result.type !== 'succeeded') {
          answers.set(i, {
            error: `${row.result.type}${'error' in row.result ? `: ${JSON.stringify(row.result.error)}` : ''}`,
          });
          continue;
        }
        const m = row.result.message;
        let content = '';
        const toolCalls: CompletionResponse['toolCalls'] = [];
        for (const block of m.content) {
          if (block.type === 'text') content += block.text;
          else if (block.type === 'tool_use')
            toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        }
        const u = m.usage;
        answers.set(i, {
          response: {
            content,
            toolCalls,
            finishReason: stop[m.stop_reason ?? ''] ?? 'other',
            usage: {
              inputTokens:
                (u.input_tokens ?? 0) +
                (u.cache_read_input_tokens ?? 0) +
                (u.cache_creation_input_tokens ?? 0),
              outputTokens: u.output_tokens ?? 0,
              cachedInputTokens: u.cache_read_input_tokens ?? 0,
            },
            model: m.model ?? model,
          },
        });
      }
      return answers;
    },
  };
}

/** The batch API of a provider, or null when it has none CascadeFlow knows. */
export function backendFor(provider: Provider | undefined): NativeBackend | null {
  if (provider instanceof OpenAIProvider) return openaiBackend(provider);
  if (provider instanceof AnthropicProvider) return anthropicBackend(provider);
  return null;
}

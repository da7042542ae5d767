import type { CompletionResponse, FinishReason, ProviderBatchApi } from '@cascadeflow/core';
import { toFile } from 'openai';
import type { OpenAIProvider } from './openai-provider.js';

function finish(fr: unknown): FinishReason {
  return fr === 'stop' || fr === 'length' || fr === 'tool_calls' || fr === 'content_filter' ? fr : 'other';
}

interface ChoiceBody {
  model?: string;
  choices?: {
    finish_reason?: string;
    message?: {
      content?: string | null;
      tool_calls?: { id: string; function?: { name?: string; arguments?: string } }[];
    };
    logprobs?: { content?: { token: string; logprob: number }[] | null } | null;
  }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
  };
}

/** A chat completion body of a batch output line, as a CompletionResponse. */
function responseOf(body: ChoiceBody, model: string): CompletionResponse {
  const choice = body.choices?.[0] ?? {};
  return {
    content: choice.message?.content ?? '',
    toolCalls: (choice.message?.tool_calls ?? []).map((c) => ({
      id: c.id,
      name: c.function?.name ?? '',
      arguments: c.function?.arguments ?? '',
    })),
    finishReason: finish(choice.finish_reason),
    usage: {
      inputTokens: body.usage?.prompt_tokens ?? 0,
      outputTokens: body.usage?.completion_tokens ?? 0,
      cachedInputTokens: body.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
    ...(choice.logprobs?.content
      ? { logprobs: choice.logprobs.content.map((t) => ({ token: t.token, logprob: t.logprob })) }
      : {}),
    model: body.model ?? model,
  };
}

/**
 * OpenAI's Batch API for a provider: one JSONL file of chat-completion bodies (built by the provider's own
 * `requestBody`, so tools, tool choice and response formats are sent as a live call sends them), a batch,
 * its output and error files.
 */
export function openaiBatchApi(provider: OpenAIProvider): ProviderBatchApi {
  const models = new Map<string, string>();
  return {
    async submit(calls, signal) {
      const lines = calls.map(({ customId, request }) =>
        JSON.stringify({
          custom_id: customId,
          method: 'POST',
          url: '/v1/chat/completions',
          body: provider.requestBody(request),
        }),
      );
      const model = calls[0]?.request.model ?? 'batch';
      const file = await provider.client.files.create(
        {
          file: await toFile(Buffer.from(`${lines.join('\n')}\n`), `cascadeflow-${model}.jsonl`),
          purpose: 'batch',
        },
        { signal },
      );
      const batch = await provider.client.batches.create(
        { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        { signal },
      );
      models.set(batch.id, model);
      return batch.id;
    },
    async poll(batchId, signal) {
      const b = await provider.client.batches.retrieve(batchId, { signal });
      return { ended: ['completed', 'failed', 'expired', 'cancelled'].includes(b.status), status: b.status };
    },
    async cancel(batchId, signal) {
      await provider.client.batches.cancel(batchId, { signal });
    },
    async results(batchId, signal) {
      const b = await provider.client.batches.retrieve(batchId, { signal });
      const model = models.get(batchId) ?? 'unknown';
      const answers = new Map<string, { response?: CompletionResponse; error?: string }>();
      for (const fileId of [b.output_file_id, b.error_file_id]) {
        if (!fileId) continue;
        const text = await (await provider.client.files.content(fileId, { signal })).text();
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          const row = JSON.parse(line) as {
            custom_id: string;
            response?: { status_code: number; body: ChoiceBody } | null;
            error?: { message?: string } | null;
          };
          answers.set(
            row.custom_id,
            row.response?.status_code === 200
              ? { response: responseOf(row.response.body, model) }
              : { error: row.error?.message ?? `HTTP ${row.response?.status_code ?? '?'}` },
          );
        }
      }
      return answers;
    },
  };
}

import type { CompletionResponse, FinishReason, ProviderBatchApi } from '@cascadeflow/core';
import type { AnthropicProvider } from './anthropic-provider.js';
import { usageOf } from './anthropic-usage.js';

const STOP: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/**
 * Anthropic's Message Batches for a provider: the requests in one call (each built by the provider's own
 * `requestBody`, with its tools and tool choice), then the results as JSONL.
 */
export function anthropicBatchApi(provider: AnthropicProvider): ProviderBatchApi {
  return {
    async submit(calls, signal) {
      const requests = calls.map(({ customId, request }) => ({
        custom_id: customId,
        params: provider.requestBody(request),
      }));
      return (await provider.client.messages.batches.create({ requests }, { signal })).id;
    },
    async poll(batchId, signal) {
      const b = await provider.client.messages.batches.retrieve(batchId, {}, { signal });
      return { ended: b.processing_status === 'ended', status: b.processing_status };
    },
    async cancel(batchId, signal) {
      await provider.client.messages.batches.cancel(batchId, {}, { signal });
    },
    async results(batchId, signal) {
      const answers = new Map<string, { response?: CompletionResponse; error?: string }>();
      for await (const row of await provider.client.messages.batches.results(batchId, {}, { signal })) {
        if (row.result.type !== 'succeeded') {
          answers.set(row.custom_id, {
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
        answers.set(row.custom_id, {
          response: {
            content,
            toolCalls,
            finishReason: STOP[m.stop_reason ?? ''] ?? 'other',
            usage: usageOf(u),
            model: m.model,
          },
        });
      }
      return answers;
    },
  };
}

import type {
  ChatMessage,
  CompletionRequest,
  Provider,
  ProviderBatchApi,
  RunRequest,
} from '@cascadeflow/core';

/** The tier a provider batch is for. */
export interface NativeTier {
  model: string;
  maxTokens: number | undefined;
  temperature: number | undefined;
}

export function messagesOf(r: RunRequest): ChatMessage[] {
  if (r.messages?.length) return r.messages;
  return [
    ...(r.system ? [{ role: 'system' as const, content: r.system }] : []),
    { role: 'user', content: r.query ?? '' },
  ];
}

/**
 * One item's call: messages, max tokens, temperature, tools, tool choice and response format, which the
 * provider's batch API maps exactly as its live API does.
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

/** The batch API a provider declares in its capabilities, or null when it has none. */
export function backendFor(provider: Provider | undefined): ProviderBatchApi | null {
  return provider?.capabilities?.batch ?? null;
}

import {
  type ChatMessage,
  type CompletionRequest,
  completionRequestFor,
  type Provider,
  type ProviderBatchApi,
  type RunRequest,
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

/** One item's call: core's own mapping of a request and a tier to a provider call. */
export function callOf(tier: NativeTier, r: RunRequest): CompletionRequest {
  return completionRequestFor(Object.assign({}, r, { messages: messagesOf(r) }), tier);
}

/** The batch API a provider declares in its capabilities, or null when it has none. */
export function backendFor(provider: Provider | undefined): ProviderBatchApi | null {
  return provider?.capabilities?.batch ?? null;
}

import type { ScriptedReply } from './script.js';

/** Splits text the way BPE tokenizers roughly do for English: a token is a word with its leading space. */
export function splitTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Rough token count of a text: 4 characters a token, OpenAI's published rule of thumb for English. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export interface ResolvedReply {
  content: string;
  tokens: string[];
  logprobs: number[];
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  latencyMs: number;
  tokenDelayMs: number;
}

let toolCallCounter = 0;

/** Fills in every default of a scripted reply. `promptText` is the concatenated request text, for usage. */
export function resolveReply(reply: ScriptedReply, promptText: string): ResolvedReply {
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_${(++toolCallCounter).toString(36).padStart(6, '0')}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  const content = reply.content ?? (toolCalls.length > 0 ? '' : 'OK');
  const tokens = reply.tokens ?? splitTokens(content);
  const lp = reply.logprobs ?? -0.05;
  const logprobs = tokens.map((_, i) => (Array.isArray(lp) ? (lp[i] ?? lp[lp.length - 1] ?? -0.05) : lp));
  const toolTokens = toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0);
  return {
    content,
    tokens,
    logprobs,
    toolCalls,
    finishReason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    inputTokens: reply.usage?.inputTokens ?? estimateTokens(promptText),
    outputTokens: reply.usage?.outputTokens ?? Math.max(1, tokens.length + toolTokens),
    cachedInputTokens: reply.usage?.cachedInputTokens ?? 0,
    latencyMs: reply.latencyMs ?? 0,
    tokenDelayMs: reply.tokenDelayMs ?? 0,
  };
}

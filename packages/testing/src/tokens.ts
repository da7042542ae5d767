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
  cacheWriteInputTokens: number;
  latencyMs: number;
  tokenDelayMs: number;
  /** The stop sequence the answer was cut before, or null (Anthropic reports it). */
  stopSequence: string | null;
}

let toolCallCounter = 0;

/** Fills in every default of a scripted reply. `promptText` is the concatenated request text, for usage. */
export function resolveReply(
  scripted: ScriptedReply,
  promptText: string,
  stops: readonly string[] = [],
): ResolvedReply {
  const { reply, stopSequence } = cutAtStop(scripted, stops);
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
    cacheWriteInputTokens: reply.usage?.cacheWriteInputTokens ?? 0,
    latencyMs: reply.latencyMs ?? 0,
    tokenDelayMs: reply.tokenDelayMs ?? 0,
    stopSequence,
  };
}

/**
 * A scripted reply as a model given stop sequences writes it: its text ends before the first sequence it
 * holds (a scripted token list is cut there too, mid-token if need be), with no tool calls after it and
 * finish reason `stop`.
 */
function cutAtStop(
  reply: ScriptedReply,
  stops: readonly string[],
): { reply: ScriptedReply; stopSequence: string | null } {
  const content = reply.content;
  let at = -1;
  let met: string | null = null;
  for (const stop of stops) {
    const i = stop === '' || content === undefined ? -1 : content.indexOf(stop);
    if (i >= 0 && (at < 0 || i < at)) {
      at = i;
      met = stop;
    }
  }
  if (met === null || content === undefined) return { reply, stopSequence: null };
  const cut: ScriptedReply = Object.assign({}, reply, {
    content: content.slice(0, at),
    toolCalls: [],
    finishReason: 'stop',
  });
  if (reply.tokens) {
    const tokens: string[] = [];
    let length = 0;
    for (const token of reply.tokens) {
      if (length >= at) break;
      tokens.push(token.slice(0, at - length));
      length += token.length;
    }
    cut.tokens = tokens;
  }
  return { reply: cut, stopSequence: met };
}

/** The stop sequences a request asks for: OpenAI's `stop` (a string or a list), Anthropic's `stop_sequences`. */
export function stopSequencesOf(api: 'openai' | 'anthropic', body: Record<string, unknown>): string[] {
  const stop = api === 'openai' ? body.stop : body.stop_sequences;
  if (typeof stop === 'string') return [stop];
  return Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string') : [];
}

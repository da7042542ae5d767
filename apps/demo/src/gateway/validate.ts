import type { ChatMessage, RunRequest } from '@cascadeflow/core';
import { z } from 'zod';
import { httpError } from './errors.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).strict();

const content = z.union([z.string(), z.array(textPart).min(1, 'must have at least one text part')]);

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('developer'), content, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }).strict(),
  z
    .object({ role: z.literal('assistant'), content: content.nullable(), name: z.string().optional() })
    .strict(),
]);

/** Fields of OpenAI's chat completions that this gateway does not support: refused by name, never ignored. */
const UNSUPPORTED = [
  'tools',
  'tool_choice',
  'functions',
  'function_call',
  'parallel_tool_calls',
  'response_format',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'audio',
  'modalities',
  'prediction',
  'web_search_options',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'stop',
  'seed',
  'service_tier',
] as const;

const chatBody = z
  .object({
    model: z.string().min(1, 'must be a model name ("cascade", or a model of the ladder)'),
    messages: z.array(message).min(1, 'must be a non-empty array'),
    max_tokens: z.number().int().positive().max(1_000_000).optional(),
    max_completion_tokens: z.number().int().positive().max(1_000_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    n: z.literal(1, 'only n = 1 is supported: the cascade returns one answer').optional(),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullable().optional(),
    user: z.string().optional(),
    store: z.boolean().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** A zod failure as a 400 in OpenAI's format, naming the field. */
function invalid(issue: z.core.$ZodIssue | undefined, root: string): never {
  const path = [root, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  if (issue?.code === 'unrecognized_keys') {
    const field = issue.keys[0]!;
    const where = path ? `${path}.${field}` : field;
    throw httpError(
      400,
      (UNSUPPORTED as readonly string[]).includes(field) ? 'unsupported_parameter' : 'unknown_parameter',
      (UNSUPPORTED as readonly string[]).includes(field)
        ? `${where}: not supported by this gateway; remove it.`
        : `${where}: unknown field; remove it.`,
    );
  }
  throw httpError(400, 'invalid_request', `${path || 'body'}: ${issue?.message ?? 'is invalid'}.`);
}

function textOf(c: z.infer<typeof content> | null): string | null {
  if (c === null) return null;
  return typeof c === 'string' ? c : c.map((p) => p.text).join('');
}

/** What a validated chat completion asks for. */
export interface ChatRequest {
  run: Omit<RunRequest, 'userId' | 'signal'>;
  stream: boolean;
  includeUsage: boolean;
}

/**
 * Validates a `POST /v1/chat/completions` body: every field the gateway reads is checked (a 400 names it),
 * and what it does not support (`n` > 1, tools, `response_format`, sampling controls) is refused by name.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  const parsed = chatBody.safeParse(body);
  if (!parsed.success) invalid(parsed.error.issues[0], '');
  const b = parsed.data;
  const messages: ChatMessage[] = b.messages.map((m) =>
    m.role === 'assistant'
      ? { role: 'assistant', content: textOf(m.content) }
      : { role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content)! },
  );
  if (!messages.some((m) => m.role === 'user' && (m.content ?? '').trim() !== ''))
    throw httpError(400, 'invalid_request', 'messages: needs a user message with text.');
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  return {
    run: {
      messages,
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(b.temperature !== undefined ? { temperature: b.temperature } : {}),
    },
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
  };
}

const batchItem = z.union([
  z.string().min(1, 'must not be empty'),
  z
    .object({
      query: z.string().min(1).optional(),
      messages: z.array(message).min(1).optional(),
      max_tokens: z.number().int().positive().max(1_000_000).optional(),
      temperature: z.number().min(0).max(2).optional(),
    })
    .strict(),
]);

/**
 * Validates a `POST /v1/cascade/batch` body: at most `maxItems` queries, each a string or `{ query |
 * messages, max_tokens, temperature }`. Nothing else a client sends reaches the agent (no ladder, no
 * thresholds, no metadata), so a client cannot pick unpriced models that would slip past its budget.
 */
export function parseBatchRequest(body: unknown, maxItems: number): Omit<RunRequest, 'userId' | 'signal'>[] {
  const parsed = z
    .object({
      queries: z
        .array(batchItem)
        .min(1, 'must be a non-empty array')
        .max(maxItems, `has more than ${maxItems} items (the gateway's maxBatchSize); split the batch`),
    })
    .strict()
    .safeParse(body);
  if (!parsed.success) invalid(parsed.error.issues[0], '');
  return parsed.data.queries.map((q, i) => {
    if (typeof q === 'string') return { query: q };
    if (!q.query && !q.messages)
      throw httpError(400, 'invalid_request', `queries.${i}: give a "query" or "messages".`);
    const messages = q.messages?.map(
      (m): ChatMessage =>
        m.role === 'assistant'
          ? { role: 'assistant', content: textOf(m.content) }
          : { role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content)! },
    );
    return {
      ...(messages ? { messages } : { query: q.query! }),
      ...(q.max_tokens !== undefined ? { maxTokens: q.max_tokens } : {}),
      ...(q.temperature !== undefined ? { temperature: q.temperature } : {}),
    };
  });
}

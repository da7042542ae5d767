import type { ChatMessage, DocumentInput, ImageInput, RunRequest, SamplingOptions } from '@cascadeflow/core';
import { z } from 'zod';
import { httpError } from './errors.js';
import { fileDocument } from './file-parts.js';
import { NOT_SUPPORTED, type RefusalRules, refuseBody } from './issues.js';
import { plainChatBody } from './plain-bodies.js';

/** Anthropic-style prompt caching on a part (OpenRouter and LiteLLM take it): a hint, taken and not forwarded. */
const cacheControl = z
  .object({ type: z.literal('ephemeral') })
  .passthrough()
  .optional();
const textPart = z
  .object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl })
  .strict();
/** An image part: asked of the tiers that take images (core checks the URL and refuses it by name if none does). */
const imagePart = z
  .object({
    type: z.literal('image_url'),
    image_url: z
      .object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() })
      .strict(),
  })
  .strict();

/**
 * A file part: a PDF or a text file's data (a data URL, or bare base64 taken as a PDF), asked of the tiers that
 * take documents. A file id is refused by name: this gateway has no Files API.
 */
const filePart = z
  .object({
    type: z.literal('file'),
    file: z
      .object({
        file_data: z.string().min(1).optional(),
        file_id: z
          .undefined({
            message:
              'file ids are not supported by this gateway (it has no Files API): send the file itself in file_data',
          })
          .optional(),
        filename: z.string().optional(),
      })
      .strict()
      .refine((f) => f.file_data !== undefined, 'needs file_data (the file as a data: URL)'),
  })
  .strict();

const content = z.union([
  z.string(),
  z.array(z.union([textPart, imagePart, filePart])).min(1, 'must have at least one part'),
]);

const toolCall = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }).strict(),
  })
  .strict();

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('developer'), content, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }).strict(),
  // An answer message as a client hands it back (SDKs keep every field of the answer, nulls included).
  z
    .object({
      role: z.literal('assistant'),
      content: content.nullable().optional(),
      name: z.string().optional(),
      tool_calls: z.array(toolCall).nullable().optional(),
      refusal: z.string().nullable().optional(),
      annotations: z.array(z.unknown()).optional(),
      function_call: z
        .null({
          message: 'only null: legacy function calls are not supported by this gateway; use tool_calls',
        })
        .optional(),
      audio: z.null({ message: 'only null: audio answers are not supported by this gateway' }).optional(),
    })
    .strict(),
  z
    .object({
      role: z.literal('tool'),
      content,
      tool_call_id: z.string().min(1),
      name: z.string().optional(),
    })
    .strict(),
]);

const tool = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().min(1),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .strict(),
  })
  .strict();

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z
    .object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }).strict() })
    .strict(),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().min(1),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        })
        .strict(),
    })
    .strict(),
]);

/** Fields of OpenAI's chat completions that this gateway does not support: refused by name, never ignored. */
const UNSUPPORTED = [
  'functions',
  'function_call',
  'logit_bias',
  'audio',
  'modalities',
  'prediction',
  'web_search_options',
  'service_tier',
] as const;

const penalty = z.number().min(-2, 'must be between -2 and 2').max(2, 'must be between -2 and 2');
const stopSequence = z.string().min(1, 'must not be empty');

/** The schema of a chat completions body (exported for the test that holds `plainChatBody` to it). */
export const chatBody = z
  .object({
    model: z.string().min(1, 'must be a model name ("cascade", or a model of the ladder)'),
    messages: z.array(message).min(1, 'must be a non-empty array'),
    // OpenAI's API takes null for "the default" on these.
    max_tokens: z.number().int().positive().max(1_000_000).nullable().optional(),
    max_completion_tokens: z.number().int().positive().max(1_000_000).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    frequency_penalty: penalty.nullable().optional(),
    presence_penalty: penalty.nullable().optional(),
    seed: z.number().int('must be an integer').nullable().optional(),
    stop: z
      .union([stopSequence, z.array(stopSequence).max(4)], {
        message: 'must be a non-empty string or a list of at most 4 non-empty strings',
      })
      .nullable()
      .optional(),
    n: z.literal(1, 'only n = 1 is supported: the cascade returns one answer').nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    // Asked by reasoning-model clients: taken as hints (the tiers are asked without them), named in a header.
    reasoning_effort: z
      .enum(
        ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'],
        'must be none, minimal, low, medium, high or xhigh',
      )
      .nullable()
      .optional(),
    verbosity: z.enum(['low', 'medium', 'high'], 'must be low, medium or high').nullable().optional(),
    top_logprobs: z
      .literal(0, 'only 0 is supported: the gateway returns the answer’s own tokens, no alternatives')
      .nullable()
      .optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullable().optional(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormat.optional(),
    // Hints that do not change the answer: taken, not forwarded.
    user: z.string().optional(),
    safety_identifier: z.string().optional(),
    prompt_cache_key: z.string().optional(),
    store: z.boolean().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** How chat completions bodies name what they refuse. */
const CHAT_RULES: RefusalRules = {
  kinds: { what: 'parts', taken: '"text", "image_url" and "file" parts' },
  unsupported: Object.fromEntries(UNSUPPORTED.map((f) => [f, NOT_SUPPORTED])),
};

/** The text of a message's content (its text parts joined). */
function textOf(c: z.infer<typeof content> | null | undefined): string | null {
  if (c === null || c === undefined) return null;
  if (typeof c === 'string') return c;
  return c.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** A message's images and documents, the keys left out when there are none. */
type Attached = { images?: ImageInput[]; documents?: DocumentInput[] };

/**
 * The images and files of a user message or of a tool result (a screenshot, a PDF; OpenAI's own API takes
 * text only in tool results, this gateway takes both there too); in any other role they are refused by name.
 */
function attachedOf(c: z.infer<typeof content> | null | undefined, where: string, taken: boolean): Attached {
  if (c === null || c === undefined || typeof c === 'string') return {};
  const images: ImageInput[] = [];
  const documents: DocumentInput[] = [];
  c.forEach((p, i) => {
    if (p.type === 'text') return;
    if (!taken)
      throw httpError(
        400,
        'invalid_request',
        `${where}.content.${i}: ${p.type === 'file' ? 'files' : 'images'} go in user messages and tool results only.`,
      );
    if (p.type === 'image_url')
      images.push({ url: p.image_url.url, ...(p.image_url.detail ? { detail: p.image_url.detail } : {}) });
    else documents.push(fileDocument({ data: p.file.file_data, filename: p.file.filename }));
  });
  return Object.assign({}, images.length ? { images } : {}, documents.length ? { documents } : {});
}

/** OpenAI's messages in CascadeFlow's shape. */
function toMessages(messages: z.infer<typeof message>[], root: string): ChatMessage[] {
  return messages.map((m, i): ChatMessage => {
    const where = `${root}.${i}`;
    const attached = attachedOf(m.content, where, m.role === 'user' || m.role === 'tool');
    if (m.role === 'assistant')
      return {
        role: 'assistant',
        content: textOf(m.content),
        ...(m.tool_calls?.length
          ? {
              toolCalls: m.tool_calls.map((c) => ({
                id: c.id,
                name: c.function.name,
                arguments: c.function.arguments,
              })),
            }
          : {}),
      };
    if (m.role === 'tool')
      return Object.assign(
        { role: 'tool' as const, toolCallId: m.tool_call_id, content: textOf(m.content) ?? '' },
        attached,
      );
    if (m.role === 'user')
      return Object.assign({ role: 'user' as const, content: textOf(m.content)! }, attached);
    return { role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content)! };
  });
}

/** A chat body's sampling controls in core's shape (null and an empty `stop` list mean the default), or undefined. */
function samplingOf(b: z.infer<typeof chatBody>): SamplingOptions | undefined {
  const sampling: SamplingOptions = {};
  if (b.top_p != null) sampling.topP = b.top_p;
  if (b.frequency_penalty != null) sampling.frequencyPenalty = b.frequency_penalty;
  if (b.presence_penalty != null) sampling.presencePenalty = b.presence_penalty;
  if (b.seed != null) sampling.seed = b.seed;
  if (typeof b.stop === 'string') sampling.stopSequences = [b.stop];
  else if (b.stop?.length) sampling.stopSequences = b.stop;
  for (const _ in sampling) return sampling;
  return undefined;
}

/** What a validated chat completion asks for. */
export interface ChatRequest {
  run: Omit<RunRequest, 'userId' | 'signal'>;
  stream: boolean;
  includeUsage: boolean;
  /** The answer's token log-probs are asked for. */
  logprobs: boolean;
  /** Fields taken but not acted on (`reasoning_effort`, `verbosity`): named in the answer's headers. */
  notApplied: readonly string[];
}

/**
 * Validates a `POST /v1/chat/completions` body: every field the gateway reads is checked (a 400 names it):
 * messages of every role (tool results, assistant tool calls), text parts, tools, tool choice and parallel
 * tool calls, response formats, image parts of user messages, and the sampling controls (`top_p`, `stop`,
 * `seed`, penalties), which every tier is asked with, and `logprobs`. What it does not support (`n` > 1,
 * `top_logprobs` > 0, logit bias, legacy functions) is refused by name.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  let b = plainChatBody(body) as z.infer<typeof chatBody> | undefined;
  if (!b) {
    const parsed = chatBody.safeParse(body);
    if (!parsed.success) refuseBody(parsed.error.issues[0], body, CHAT_RULES);
    b = parsed.data;
  }
  const messages = toMessages(b.messages, 'messages');
  if (
    !messages.some(
      (m) =>
        m.role === 'user' && ((m.content ?? '').trim() !== '' || m.images?.length || m.documents?.length),
    )
  )
    throw httpError(
      400,
      'invalid_request',
      'messages: needs a user message with text, an image or a document.',
    );
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  const sampling = samplingOf(b);
  const notApplied: string[] = [];
  if (b.reasoning_effort && b.reasoning_effort !== 'none') notApplied.push('reasoning_effort');
  if (b.verbosity) notApplied.push('verbosity');
  return {
    run: {
      messages,
      ...(maxTokens != null ? { maxTokens } : {}),
      ...(b.temperature != null ? { temperature: b.temperature } : {}),
      ...(sampling ? { sampling } : {}),
      ...(b.parallel_tool_calls !== undefined && b.tools?.length
        ? { parallelToolCalls: b.parallel_tool_calls }
        : {}),
      ...(b.tools?.length
        ? {
            tools: b.tools.map((t) => ({
              name: t.function.name,
              ...(t.function.description ? { description: t.function.description } : {}),
              parameters: t.function.parameters ?? { type: 'object', properties: {} },
            })),
          }
        : {}),
      ...(b.tool_choice !== undefined
        ? {
            toolChoice:
              typeof b.tool_choice === 'string' ? b.tool_choice : { name: b.tool_choice.function.name },
          }
        : {}),
      ...(b.response_format && b.response_format.type !== 'text'
        ? {
            responseFormat:
              b.response_format.type === 'json_object'
                ? { type: 'json_object' as const }
                : {
                    type: 'json_schema' as const,
                    name: b.response_format.json_schema.name,
                    schema: b.response_format.json_schema.schema ?? {},
                    ...(b.response_format.json_schema.strict ? { strict: true } : {}),
                  },
          }
        : {}),
    },
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
    logprobs: b.logprobs === true,
    notApplied,
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
  if (!parsed.success) refuseBody(parsed.error.issues[0], body, CHAT_RULES);
  return parsed.data.queries.map((q, i) => {
    if (typeof q === 'string') return { query: q };
    if (!q.query && !q.messages)
      throw httpError(400, 'invalid_request', `queries.${i}: give a "query" or "messages".`);
    const messages = q.messages ? toMessages(q.messages, `queries.${i}.messages`) : undefined;
    return Object.assign(
      {},
      messages ? { messages } : { query: q.query! },
      q.max_tokens !== undefined ? { maxTokens: q.max_tokens } : {},
      q.temperature !== undefined ? { temperature: q.temperature } : {},
    );
  });
}

/** Validates a `POST /v1/feedback` body: `{ "response_id": "chatcmpl-…" | "msg_…", "rating": "up" | "down" }`. */
export function parseFeedback(body: unknown): { responseId: string; rating: 'up' | 'down' } {
  const parsed = z
    .object({
      response_id: z
        .string()
        .min(1, 'must be the id of a response this key got')
        .max(100, 'is longer than any response id'),
      rating: z.enum(['up', 'down'], { message: 'must be "up" or "down"' }),
    })
    .strict()
    .safeParse(body);
  if (!parsed.success) refuseBody(parsed.error.issues[0], body, CHAT_RULES);
  return { responseId: parsed.data.response_id, rating: parsed.data.rating };
}

import {
  type CascadeResult,
  type ChatMessage,
  type DocumentInput,
  estimateInputTokens,
  type FinishReason,
  type ImageInput,
  type RunRequest,
  type SamplingOptions,
} from '@cascadeflow/core';
import type { CascadeStreamEvent, SSEMessage } from '@cascadeflow/streaming';
import { z } from 'zod';
import { ConversationTools } from './anthropic-tools.js';
import { type HttpError, httpError } from './errors.js';
import { NOT_SUPPORTED, type RefusalRules, refuseBody } from './issues.js';
import { plainMessagesBody } from './plain-bodies.js';

const text = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const toolUse = z
  .object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() })
  .passthrough();
const image = z
  .object({
    type: z.literal('image'),
    source: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('base64'),
        media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
        data: z.string().min(1),
      }),
      z.object({ type: z.literal('url'), url: z.string().url() }),
    ]),
  })
  .passthrough();
// A PDF (its data or URL) or a text file (Claude Code's Read of a PDF answers with one), asked of the tiers that
// take documents.
const documentBlock = z
  .object({
    type: z.literal('document'),
    source: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('base64'),
        media_type: z.literal('application/pdf'),
        data: z.string().min(1),
      }),
      z.object({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
      z.object({ type: z.literal('url'), url: z.string().url() }),
    ]),
    title: z.string().nullable().optional(),
  })
  .passthrough();
// A deferred tool a tool search found (Claude Code's ToolSearch answers with them): offered from then on.
const toolReference = z
  .object({ type: z.literal('tool_reference'), tool_name: z.string().min(1) })
  .passthrough();
// A tool's result: text, or text with images and documents (a screenshot, an image file or a PDF read: Claude
// Code's Read sends them), or the tools a tool search loaded.
const toolResult = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z
      .union([z.string(), z.array(z.discriminatedUnion('type', [text, image, documentBlock, toolReference]))])
      .optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();
// An earlier answer's reasoning, handed back in an assistant turn (a session that began on Claude itself): taken
// and left out of what the tiers are asked, since a model cannot read another model's signed reasoning.
const thinkingBlock = z
  .object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() })
  .passthrough();
const redactedThinking = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).passthrough();
/** The kinds of blocks a user or assistant turn holds. */
const BLOCKS = [text, toolUse, toolResult, image, documentBlock, thinkingBlock, redactedThinking] as const;
const block = z.discriminatedUnion('type', [...BLOCKS]);
const outputFormat = z
  .object({
    type: z.literal('json_schema', 'only "json_schema" (a JSON schema the answer must match)'),
    schema: z.record(z.string(), z.unknown(), 'must be a JSON schema object'),
  })
  .strict();

const toolDeclaration = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()),
    defer_loading: z.boolean().nullable().optional(),
  })
  .passthrough();

// Mid-conversation changes to the tools offered (system messages only): a tool by name, a tool's definition,
// or an MCP server's tool (refused by name: this gateway connects to no MCP server).
const toolChange = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tool_reference'), name: z.string().min(1) }).strict(),
  z.object({ type: z.literal('tool_definition'), definition: toolDeclaration }).strict(),
  z.object({ type: z.literal('mcp_tool_reference') }).passthrough(),
  z.object({ type: z.literal('mcp_toolset_reference') }).passthrough(),
]);
const toolAddition = z.object({ type: z.literal('tool_addition'), tool: toolChange }).passthrough();
const toolRemoval = z.object({ type: z.literal('tool_removal'), tool: toolChange }).passthrough();

const effort = z
  .enum(['low', 'medium', 'high', 'xhigh', 'max'], 'must be low, medium, high, xhigh or max')
  .nullable()
  .optional();

/**
 * A mid-conversation system message (Claude Code sends them): text, and `tool_addition` and `tool_removal`
 * blocks that change the tools offered from there on. Its own `output_config` (an effort for the turn) is
 * taken as a hint, and `clear_at: "next_user_message"` shows it to the tiers only until a
 * user message follows it. It may hold no content, only its `output_config`.
 */
const systemMessage = z
  .object({
    role: z.literal('system'),
    content: z
      .union([z.string(), z.array(z.discriminatedUnion('type', [...BLOCKS, toolAddition, toolRemoval]))])
      .optional(),
    output_config: z.object({ effort }).strict().nullable().optional(),
    clear_at: z
      .enum(['next_user_message', 'never'], 'must be "next_user_message" or "never"')
      .nullable()
      .optional(),
  })
  .strict();

/** The schema of a Messages API body (exported for the test that holds `plainMessagesBody` to it). */
export const messagesBody = z
  .object({
    model: z.string().min(1, 'must be a model name ("cascade")'),
    max_tokens: z.number().int().positive('must be a positive integer (the Messages API requires it)'),
    messages: z
      .array(
        z.discriminatedUnion('role', [
          z
            .object({
              role: z.enum(['user', 'assistant']),
              content: z.union([z.string(), z.array(block).min(1, 'must have at least one block')]),
            })
            .strict(),
          systemMessage,
        ]),
      )
      .min(1, 'must be a non-empty array'),
    system: z.union([z.string(), z.array(text)]).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int('must be a positive integer').positive('must be a positive integer').optional(),
    stop_sequences: z
      .array(z.string().min(1, 'must not be empty'))
      .max(4, 'must have at most 4 sequences (the ladder may hold OpenAI models, which take no more)')
      .optional(),
    stream: z.boolean().optional(),
    tools: z.array(toolDeclaration).optional(),
    tool_choice: z
      .discriminatedUnion('type', [
        z
          .object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() })
          .passthrough(),
        z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }).passthrough(),
        z.object({ type: z.literal('none') }).passthrough(),
        z
          .object({
            type: z.literal('tool'),
            name: z.string().min(1),
            disable_parallel_tool_use: z.boolean().optional(),
          })
          .passthrough(),
      ])
      .optional(),
    metadata: z.object({ user_id: z.string().optional() }).optional(),
    // Structured outputs: a JSON schema the answer must match (core's validators check every tier's draft).
    // `output_format` is the field's name in the beta that came before.
    output_config: z
      .object({
        format: outputFormat.nullable().optional(),
        effort,
        // An agentic turn's token budget, shown to the model as a countdown: a hint, not a cap.
        task_budget: z
          .object({
            type: z.literal('tokens', 'only "tokens"'),
            total: z.number().int().positive('must be a positive integer'),
            remaining: z.number().int().min(0).optional(),
          })
          .strict()
          .nullable()
          .optional(),
      })
      .strict()
      .optional(),
    output_format: outputFormat.optional(),
    // Claude Code asks for thinking, an effort and the clearing of old thinking on every turn. The tiers are
    // asked without them: taken as hints (the README says so), not refused, so that such clients work at all.
    thinking: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('disabled') }).strict(),
        z
          .object({
            type: z.literal('enabled'),
            budget_tokens: z.number().int().positive('must be a positive integer'),
            display: z.string().optional(),
          })
          .strict(),
        z.object({ type: z.literal('adaptive'), display: z.string().optional() }).strict(),
      ])
      .optional(),
    context_management: z
      .object({
        edits: z.array(
          z
            .object({
              type: z.literal(
                'clear_thinking_20251015',
                'only "clear_thinking_20251015" (this gateway keeps no reasoning to clear, and edits nothing else)',
              ),
              keep: z.unknown().optional(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict();

/** How Messages API bodies name what they refuse (in the Messages API's error format). */
const MESSAGES_RULES: RefusalRules = {
  kinds: {
    what: 'blocks',
    taken:
      '"text", "image", "document", "tool_use" and "tool_result" blocks (and an answer\'s "thinking" handed back)',
  },
  unsupported: { container: NOT_SUPPORTED, mcp_servers: NOT_SUPPORTED, service_tier: NOT_SUPPORTED },
};

function textOf(c: string | z.infer<typeof text>[] | undefined): string {
  if (c === undefined) return '';
  return typeof c === 'string' ? c : c.map((b) => b.text).join('');
}

/** What a validated Messages API request asks for. */
export interface MessagesRequest {
  run: Omit<RunRequest, 'userId' | 'signal'>;
  stream: boolean;
  /** Fields taken but not acted on (thinking, effort, context editing): named in the answer's headers. */
  notApplied: readonly string[];
}

/**
 * Validates a `POST /v1/messages` body (Anthropic's Messages API) and maps it onto the cascade: the system
 * prompt, user and assistant turns, `tool_use` and `tool_result` blocks, image and document blocks of user
 * turns and of tool results (base64, text or URL: asked of the tiers that take them), tools and tool choice (with `disable_parallel_tool_use`),
 * `top_p`, `top_k`, `stop_sequences` and structured outputs (`output_config.format`, or the beta's
 * `output_format`: a JSON schema every tier's draft is checked against). Unsupported fields are refused by name.
 */
export function parseMessagesRequest(raw: unknown): MessagesRequest {
  if (isThreaded(raw))
    throw httpError(
      400,
      'thread_unsupported_request',
      'thread: message threads are not supported by this gateway (it keeps no conversation); resend the turn with the whole conversation and no `thread`.',
      'invalid_request_error',
      {},
      // What Claude clients read as "resend this turn stateless, and stop threading".
      { error_code: 'thread_unsupported_request', unsupported: ['thread'] },
    );
  let b = plainMessagesBody(raw) as z.infer<typeof messagesBody> | undefined;
  if (!b) {
    const parsed = messagesBody.safeParse(raw);
    if (!parsed.success) refuseBody(parsed.error.issues[0], raw, MESSAGES_RULES);
    b = parsed.data;
  }
  return toRequest(b);
}

/**
 * Whether a body asks for a message thread (`thread`: a conversation the server keeps between turns, beta
 * `message-threads-2026-08-12`). This gateway keeps none: it refuses such a turn with the error code that
 * tells Claude clients to resend it with the whole conversation, which they then do for the rest of the
 * session (the Anthropic SDK's tool runner and Claude Code both).
 */
function isThreaded(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { thread?: unknown }).thread != null;
}

function withoutThread({ thread: _, ...rest }: { thread?: unknown }): object {
  return rest;
}

/** A count_tokens body: a Messages API body whose `max_tokens` may be left out. */
const countTokensBody = messagesBody.extend({ max_tokens: messagesBody.shape.max_tokens.optional() });

/**
 * Answers `POST /v1/messages/count_tokens` (Claude clients ask it before sending a long context): the body
 * is checked as a message's, and its input tokens estimated as core estimates them (4 ASCII characters a
 * token, a CJK character a token, an image from its size as Claude counts it, or 1600 tokens where its size
 * cannot be read), with the tools' definitions and a structured output's schema. An estimate: the cascade's
 * tiers may use different tokenizers.
 */
export function countMessageTokens(raw: unknown): { input_tokens: number } {
  // A threaded turn's count is of what it sends (the thread is the client's business here).
  const parsed = countTokensBody.safeParse(
    isThreaded(raw) ? withoutThread(raw as { thread?: unknown }) : raw,
  );
  if (!parsed.success) refuseBody(parsed.error.issues[0], raw, MESSAGES_RULES);
  const { run } = toRequest(parsed.data);
  const messages = run.messages ?? [];
  let tokens = estimateInputTokens(messages);
  if (run.tools?.length)
    tokens += estimateInputTokens([{ role: 'system', content: JSON.stringify(run.tools) }]);
  // A structured output's schema is sent to the tiers too (as their response format).
  if (run.responseFormat?.type === 'json_schema')
    tokens += estimateInputTokens([{ role: 'system', content: JSON.stringify(run.responseFormat.schema) }]);
  return { input_tokens: tokens };
}

/** An image block as the cascade takes it: a URL, or the base64 data as a data URL. */
function imageOf(blk: z.infer<typeof image>): ImageInput {
  const { source } = blk;
  return { url: source.type === 'url' ? source.url : `data:${source.media_type};base64,${source.data}` };
}

/** A document block as the cascade takes it: a PDF's URL, or the data (a text file's too) as a data URL. */
function documentOf(blk: z.infer<typeof documentBlock>): DocumentInput {
  const { source } = blk;
  const url =
    source.type === 'url'
      ? source.url
      : source.type === 'text'
        ? `data:text/plain;base64,${Buffer.from(source.data, 'utf8').toString('base64')}`
        : `data:application/pdf;base64,${source.data}`;
  return blk.title ? { url, filename: blk.title } : { url };
}

/** A `tool_result` block as a tool message: its text blocks joined, its image and document blocks attached. */
function toolResultOf(blk: z.infer<typeof toolResult>, tools: ConversationTools, where: string): ChatMessage {
  if (typeof blk.content !== 'object')
    return { role: 'tool', toolCallId: blk.tool_use_id, content: blk.content ?? '' };
  let content = '';
  const images: ImageInput[] = [];
  const documents: DocumentInput[] = [];
  blk.content.forEach((part, k) => {
    if (part.type === 'image') images.push(imageOf(part));
    else if (part.type === 'document') documents.push(documentOf(part));
    else if (part.type === 'text') content += part.text;
    else {
      // A tool search's find: the tool is offered to the tiers from here on, and the result says so.
      tools.load(part.tool_name, `${where}.content.${k}.tool_name`);
      content += `${content ? '\n' : ''}Tool loaded: ${part.tool_name}`;
    }
  });
  return {
    role: 'tool',
    toolCallId: blk.tool_use_id,
    content,
    ...(images.length ? { images } : {}),
    ...(documents.length ? { documents } : {}),
  };
}

/** Applies a system message's `tool_addition` and `tool_removal` blocks, in order. */
function changeTools(
  blocks: readonly { type: string; tool?: z.infer<typeof toolChange> }[],
  tools: ConversationTools,
  where: string,
): void {
  blocks.forEach((blk, j) => {
    if ((blk.type !== 'tool_addition' && blk.type !== 'tool_removal') || !blk.tool) return;
    const at = `${where}.${j}.tool`;
    const change = blk.tool;
    if (change.type === 'mcp_tool_reference' || change.type === 'mcp_toolset_reference')
      throw httpError(
        400,
        'invalid_request',
        `${at}: MCP servers' tools are not supported by this gateway (it connects to no MCP server); declare the tool in tools.`,
      );
    if (blk.type === 'tool_removal') {
      if (change.type !== 'tool_reference')
        throw httpError(400, 'invalid_request', `${at}: a tool_removal names a tool ("tool_reference").`);
      tools.remove(change.name, `${at}.name`);
    } else if (change.type === 'tool_reference') tools.load(change.name, `${at}.name`);
    else tools.define(change.definition);
  });
}

/** A checked Messages API body (or a count_tokens one, which may leave `max_tokens` out) as a run of the cascade. */
function toRequest(b: z.infer<typeof countTokensBody>): MessagesRequest {
  const messages: ChatMessage[] = [];
  let handedBackThinking = false;
  if (b.system !== undefined) messages.push({ role: 'system', content: textOf(b.system) });
  let turnEffort = false;
  const tools = new ConversationTools(b.tools);
  b.messages.forEach((m, i) => {
    if (m.role === 'system') {
      if (m.output_config?.effort) turnEffort = true;
      if (typeof m.content === 'object') changeTools(m.content, tools, `messages.${i}.content`);
      // Shown only until a user message follows it; one with no text is its output_config alone.
      if (m.clear_at === 'next_user_message' && b.messages.slice(i + 1).some((n) => n.role === 'user'))
        return;
      if (m.content === undefined || m.content.length === 0) return;
      // An instruction from this point of the conversation on: a system message in place (an OpenAI
      // upstream reads it there; the Anthropic provider moves it into the top-level system prompt).
      if (typeof m.content !== 'string') {
        const j = m.content.findIndex(
          (blk) => blk.type !== 'text' && blk.type !== 'tool_addition' && blk.type !== 'tool_removal',
        );
        if (j !== -1)
          throw httpError(
            400,
            'invalid_request',
            `messages.${i}.content.${j}: a system message holds text, tool_addition and tool_removal blocks only, not "${m.content[j]!.type}".`,
          );
      }
      const said =
        typeof m.content === 'string'
          ? m.content
          : m.content.map((blk) => (blk.type === 'text' ? blk.text : '')).join('');
      if (said) messages.push({ role: 'system', content: said });
      return;
    }
    if (typeof m.content === 'string') {
      messages.push(
        m.role === 'user' ? { role: 'user', content: m.content } : { role: 'assistant', content: m.content },
      );
      return;
    }
    let said = '';
    const toolCalls: { id: string; name: string; arguments: string }[] = [];
    const images: ImageInput[] = [];
    const documents: DocumentInput[] = [];
    m.content.forEach((blk, j) => {
      if (blk.type === 'image' || blk.type === 'document') {
        if (m.role !== 'user')
          throw httpError(
            400,
            'invalid_request',
            `messages.${i}.content.${j}: ${blk.type === 'image' ? 'images' : 'documents'} go in user turns only.`,
          );
        if (blk.type === 'image') images.push(imageOf(blk));
        else documents.push(documentOf(blk));
      } else if (blk.type === 'thinking' || blk.type === 'redacted_thinking') {
        handedBackThinking = true;
        if (m.role !== 'assistant')
          throw httpError(
            400,
            'invalid_request',
            `messages.${i}.content.${j}: "${blk.type}" blocks come back in assistant turns only.`,
          );
      } else if (blk.type === 'text') said += blk.text;
      else if (blk.type === 'tool_use')
        toolCalls.push({ id: blk.id, name: blk.name, arguments: JSON.stringify(blk.input ?? {}) });
      else if (blk.type === 'tool_result')
        messages.push(toolResultOf(blk, tools, `messages.${i}.content.${j}`));
    });
    if (m.role === 'assistant')
      messages.push({ role: 'assistant', content: said || null, ...(toolCalls.length ? { toolCalls } : {}) });
    else if (said || images.length || documents.length)
      messages.push({
        role: 'user',
        content: said,
        ...(images.length ? { images } : {}),
        ...(documents.length ? { documents } : {}),
      });
  });
  if (b.output_format && b.output_config?.format)
    throw httpError(
      400,
      'invalid_request',
      'output_format: give the schema once, in output_config.format (output_format is its beta name).',
    );
  const format = b.output_config?.format ?? b.output_format;
  const c = b.tool_choice;
  const offered = tools.offered();
  if (c?.type === 'tool' && !tools.offers(c.name))
    throw httpError(
      400,
      'invalid_request',
      `tool_choice.name: "${c.name}" is not offered at this point of the conversation (not in tools, deferred and not loaded, or removed).`,
    );
  const sampling: SamplingOptions = {};
  if (b.top_p !== undefined) sampling.topP = b.top_p;
  if (b.top_k !== undefined) sampling.topK = b.top_k;
  if (b.stop_sequences?.length) sampling.stopSequences = b.stop_sequences;
  const notApplied: string[] = [];
  if (b.thinking && b.thinking.type !== 'disabled') notApplied.push('thinking');
  if (b.output_config?.effort) notApplied.push('output_config.effort');
  if (turnEffort) notApplied.push('messages.output_config.effort');
  if (b.output_config?.task_budget) notApplied.push('output_config.task_budget');
  if (b.context_management?.edits.length) notApplied.push('context_management');
  if (handedBackThinking) notApplied.push('thinking blocks');
  return {
    run: {
      messages,
      ...(b.max_tokens !== undefined ? { maxTokens: b.max_tokens } : {}),
      ...(b.temperature !== undefined ? { temperature: b.temperature } : {}),
      ...(Object.keys(sampling).length ? { sampling } : {}),
      ...(format
        ? { responseFormat: { type: 'json_schema' as const, name: 'output', schema: format.schema } }
        : {}),
      ...(c && 'disable_parallel_tool_use' in c && c.disable_parallel_tool_use === true && offered
        ? { parallelToolCalls: false }
        : {}),
      ...(offered ? { tools: offered } : {}),
      ...(c
        ? {
            toolChoice:
              c.type === 'tool' ? { name: c.name } : c.type === 'any' ? ('required' as const) : c.type,
          }
        : {}),
    },
    stream: b.stream === true,
    notApplied,
  };
}

const STOP: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
  other: 'end_turn',
};

/** The Messages API's stop reason: `stop_sequence` when the answering model said it stopped before one. */
function stopReasonOf(r: CascadeResult): string {
  return r.stopSequence !== undefined ? 'stop_sequence' : STOP[r.finishReason];
}

function input(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}

/** The cascade's answer as a Messages API response (plus the extra `cascade` field clients ignore). */
export function messagesResponse(
  r: CascadeResult,
  cascade: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: typeof r.metadata.responseId === 'string' ? r.metadata.responseId : `msg_${r.runId}`,
    type: 'message',
    role: 'assistant',
    model: r.model,
    content: [
      ...(r.content ? [{ type: 'text', text: r.content }] : []),
      ...r.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: input(c.arguments) })),
    ],
    stop_reason: stopReasonOf(r),
    stop_sequence: r.stopSequence ?? null,
    usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
    cascade,
  };
}

/** An error in the Messages API's format. */
export function messagesError(e: HttpError): Record<string, unknown> {
  const type =
    e.status === 401
      ? 'authentication_error'
      : e.status === 403
        ? 'permission_error'
        : e.status === 404
          ? 'not_found_error'
          : e.status === 413
            ? 'request_too_large'
            : e.status === 429
              ? 'rate_limit_error'
              : e.status >= 500
                ? 'api_error'
                : 'invalid_request_error';
  return {
    type: 'error',
    error: { type, message: e.body.error.message, ...(e.details ? { details: e.details } : {}) },
  };
}

const frame = (event: string, data: Record<string, unknown>): SSEMessage => ({
  event,
  data: JSON.stringify(data),
});

/**
 * Turns the cascade's stream events into the Messages API's SSE sequence: `message_start`, a text block
 * (`content_block_start`, `text_delta`s, `content_block_stop`), a `tool_use` block per tool call
 * (`input_json_delta`s), `message_delta` with the stop reason and usage, `message_stop`.
 */
export class MessagesStreamEncoder {
  #index = 0;
  #textOpen = false;
  #started = false;

  constructor(readonly id: string) {}

  /** A failure after the stream began: the Messages API's `error` event. */
  error(e: HttpError): SSEMessage {
    return { event: 'error', data: JSON.stringify(messagesError(e)) };
  }

  /** The SSE messages for one cascade event (possibly none). */
  push(e: CascadeStreamEvent): SSEMessage[] {
    const out: SSEMessage[] = [];
    if (!this.#started && (e.type === 'text' || e.type === 'finish')) {
      this.#started = true;
      const model = e.type === 'text' ? e.model : e.result.model;
      out.push(
        frame('message_start', {
          type: 'message_start',
          message: {
            id: this.id,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        }),
      );
    }
    if (e.type === 'text') {
      if (!this.#textOpen) {
        this.#textOpen = true;
        out.push(
          frame('content_block_start', {
            type: 'content_block_start',
            index: this.#index,
            content_block: { type: 'text', text: '' },
          }),
        );
      }
      out.push(
        frame('content_block_delta', {
          type: 'content_block_delta',
          index: this.#index,
          delta: { type: 'text_delta', text: e.text },
        }),
      );
    } else if (e.type === 'finish') {
      const r = e.result;
      if (this.#textOpen) {
        out.push(frame('content_block_stop', { type: 'content_block_stop', index: this.#index }));
        this.#index++;
        this.#textOpen = false;
      }
      for (const c of r.toolCalls) {
        out.push(
          frame('content_block_start', {
            type: 'content_block_start',
            index: this.#index,
            content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} },
          }),
        );
        out.push(
          frame('content_block_delta', {
            type: 'content_block_delta',
            index: this.#index,
            delta: { type: 'input_json_delta', partial_json: c.arguments },
          }),
        );
        out.push(frame('content_block_stop', { type: 'content_block_stop', index: this.#index }));
        this.#index++;
      }
      out.push(
        frame('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReasonOf(r), stop_sequence: r.stopSequence ?? null },
          usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
        }),
      );
      out.push(frame('message_stop', { type: 'message_stop' }));
    }
    return out;
  }
}

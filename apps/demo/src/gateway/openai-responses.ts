import type {
  CascadeResult,
  ChatMessage,
  DocumentInput,
  ImageInput,
  ResponseFormat,
  RunRequest,
  SamplingOptions,
  ToolCall,
  ToolDefinition,
} from '@cascadeflow/core';
import type { CascadeStreamEvent, SSEMessage } from '@cascadeflow/streaming';
import { z } from 'zod';
import { type HttpError, httpError } from './errors.js';
import { fileDocument } from './file-parts.js';
import { NOT_SUPPORTED, type RefusalRules, refuseBody } from './issues.js';

// OpenAI's Responses API (POST /v1/responses), stateless: the conversation comes whole in `input` (messages,
// the answer's own items handed back, function calls and their outputs), as the OpenAI Agents SDK and other
// clients send it. Items handed back keep fields this gateway does not read (ids, status): they pass.

const inputText = z.object({ type: z.literal('input_text'), text: z.string() }).passthrough();
const inputImage = z
  .object({
    type: z.literal('input_image'),
    image_url: z
      .string({ message: 'must be an image URL (file ids are not supported by this gateway)' })
      .min(1, 'must be an image URL (file ids are not supported by this gateway)'),
    // "original" (full resolution, newer models) is asked of the tiers as "high", the most chat completions has.
    detail: z.enum(['auto', 'low', 'high', 'original']).optional(),
  })
  .passthrough();
// A file: a PDF or a text file, by its data (a data URL, or bare base64 taken as a PDF) or a PDF's URL.
const inputFile = z
  .object({
    type: z.literal('input_file'),
    file_data: z.string().min(1).optional(),
    file_url: z.string().url().optional(),
    file_id: z
      .null({
        message:
          'file ids are not supported by this gateway (it has no Files API): send the file in file_data',
      })
      .optional(),
    filename: z.string().optional(),
  })
  .passthrough()
  .refine((f) => f.file_data !== undefined || f.file_url !== undefined, 'needs file_data or file_url');
/** A tool's output: text, or text with image and file parts (a screenshot, an image file or a PDF read). */
const toolOutput = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile])),
]);
const outputText = z.object({ type: z.literal('output_text'), text: z.string() }).passthrough();
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() }).passthrough();

const message = z
  .object({
    type: z.literal('message').optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']),
    content: z.union([
      z.string(),
      z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputText, refusal])),
    ]),
  })
  .passthrough();
const functionCall = z
  .object({
    type: z.literal('function_call'),
    call_id: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    arguments: z.string(),
  })
  .passthrough();
const functionCallOutput = z
  .object({
    type: z.literal('function_call_output'),
    call_id: z.string().min(1),
    output: toolOutput,
  })
  .passthrough();

// A custom (free-form) tool's call and its output, handed back: the call's input is one string.
const customToolCall = z
  .object({
    type: z.literal('custom_tool_call'),
    call_id: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
    input: z.string(),
  })
  .passthrough();
const customToolCallOutput = z
  .object({
    type: z.literal('custom_tool_call_output'),
    call_id: z.string().min(1),
    output: toolOutput,
  })
  .passthrough();

// A reasoning item of an earlier answer, handed back (Codex sends them, with their encrypted content): taken
// and left out of what the tiers are asked, since no model reads another's encrypted reasoning.
const reasoningItem = z.object({ type: z.literal('reasoning') }).passthrough();

/**
 * An input item: a message (its `type` may be left out), a function or custom tool call or its output, or an
 * earlier answer's reasoning.
 */
const item = z.union([
  message,
  functionCall,
  functionCallOutput,
  customToolCall,
  customToolCallOutput,
  reasoningItem,
]);

const functionTool = z
  .object({
    type: z.literal('function'),
    name: z.string().min(1),
    description: z.string().nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    strict: z.boolean().nullable().optional(),
  })
  .passthrough();

/**
 * A custom tool: its input is free text, in a grammar (Lark or a regex) or unconstrained, as Codex's
 * `apply_patch` is. The tiers are asked for it as a function with one string parameter, `input`, and the
 * grammar in its description; its calls come back as `custom_tool_call` items.
 */
const customTool = z
  .object({
    type: z.literal('custom'),
    name: z.string().min(1),
    description: z.string().nullable().optional(),
    format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }).strict(),
        z
          .object({ type: z.literal('grammar'), syntax: z.enum(['lark', 'regex']), definition: z.string() })
          .strict(),
      ])
      .optional(),
  })
  .passthrough();

/** Function and custom tools grouped under a namespace (Codex sends its sub-agent tools so); calls name both. */
const namespaceTool = z
  .object({
    type: z.literal('namespace'),
    name: z.string().min(1),
    description: z.string().nullable().optional(),
    tools: z.array(z.discriminatedUnion('type', [functionTool, customTool])).min(1, 'must hold a tool'),
  })
  .passthrough();

/**
 * OpenAI's hosted web search, which only OpenAI runs: taken and left out of what the tiers are asked (the
 * answer comes without a search), and said so in `x-cascadeflow-not-applied`. Codex sends it on every turn.
 */
const webSearchTool = z.object({ type: z.literal('web_search') }).passthrough();
const webSearchPreviewTool = z.object({ type: z.literal('web_search_preview') }).passthrough();

const format = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      name: z.string().min(1),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().optional(),
      strict: z.boolean().nullable().optional(),
    })
    .strict(),
]);

/** The schema of a Responses API body. */
export const responsesBody = z
  .object({
    model: z.string().min(1, 'must be a model name ("cascade", or a model of the ladder)'),
    input: z.union([
      z.string().min(1, 'must not be empty'),
      z.array(item).min(1, 'must be a non-empty string or list of items'),
    ]),
    instructions: z.string().nullable().optional(),
    tools: z
      .array(
        z.discriminatedUnion('type', [
          functionTool,
          customTool,
          namespaceTool,
          webSearchTool,
          webSearchPreviewTool,
        ]),
      )
      .optional(),
    tool_choice: z
      .union([
        z.enum(['auto', 'none', 'required']),
        z.object({ type: z.enum(['function', 'custom']), name: z.string().min(1) }).strict(),
      ])
      .optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    max_output_tokens: z.number().int().positive().max(1_000_000).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    text: z
      .object({
        format: format.optional(),
        verbosity: z.enum(['low', 'medium', 'high'], 'must be low, medium or high').nullable().optional(),
      })
      .strict()
      .optional(),
    stream: z.boolean().nullable().optional(),
    // Defaults some SDKs spell out are taken; so is Codex's ask for reasoning's encrypted content (named in
    // the answer's headers: there is none).
    include: z
      .array(
        z.literal(
          'reasoning.encrypted_content',
          'only "reasoning.encrypted_content" (there is none to include: the tiers are asked without reasoning)',
        ),
      )
      .nullable()
      .optional(),
    truncation: z
      .literal('disabled', 'only "disabled": this gateway does not truncate the input')
      .nullable()
      .optional(),
    // Codex asks for reasoning (an effort, a summary, its encrypted content) and a verbosity on every turn. The
    // tiers are asked without them: taken as hints and named in the answer's headers, not refused.
    reasoning: z
      .object({
        effort: z
          .enum(
            ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'],
            'must be none, minimal, low, medium, high or xhigh',
          )
          .nullable()
          .optional(),
        summary: z
          .enum(['auto', 'concise', 'detailed', 'none'], 'must be auto, concise, detailed or none')
          .nullable()
          .optional(),
      })
      .strict()
      .nullable()
      .optional(),
    // Hints that do not change the answer: taken, not forwarded. Nothing is stored (`store` is taken for the
    // SDKs that send it; a later `previous_response_id` is refused).
    store: z.boolean().nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    user: z.string().optional(),
    safety_identifier: z.string().optional(),
    prompt_cache_key: z.string().optional(),
    // Codex's turn and session ids (0.171 on): the client's own bookkeeping.
    client_metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict();

/** How Responses API bodies name what they refuse: what needs stored state says what to send instead. */
const RESPONSES_RULES: RefusalRules = {
  kinds: {
    what: 'parts',
    taken: '"input_text", "input_image" and "input_file" parts, and "output_text" in answers handed back,',
    tools: 'function, custom and namespace tools',
  },
  unsupported: {
    previous_response_id:
      'not supported: this gateway keeps no responses; send the whole conversation as `input`.',
    conversation:
      'not supported: this gateway keeps no conversations; send the whole conversation as `input`.',
    background: NOT_SUPPORTED,
    prompt: 'not supported by this gateway (no stored prompts); send `instructions`.',
    max_tool_calls: NOT_SUPPORTED,
    top_logprobs: NOT_SUPPORTED,
    service_tier: NOT_SUPPORTED,
  },
};

const ITEM_KINDS = new Set([
  'message',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'reasoning',
]);

/** An input item of a kind the gateway does not take (a built-in tool's call, say) is refused by kind. */
function refuseItemKinds(raw: unknown): void {
  const input = (raw as { input?: unknown } | null)?.input;
  if (!Array.isArray(input)) return;
  input.forEach((it, i) => {
    const type = (it as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && !ITEM_KINDS.has(type))
      throw httpError(
        400,
        'unsupported_parameter',
        `input.${i}: "${type}" items are not supported by this gateway ("message", function and custom tool calls and their outputs are, and an answer's "reasoning" handed back).`,
      );
  });
}

/** What a validated Responses API request asks for, and what its answer echoes. */
export interface ResponsesRequest {
  run: Omit<RunRequest, 'userId' | 'signal'>;
  stream: boolean;
  /** The request's settings as the answer states them (`instructions`, `tools`, `tool_choice`, …). */
  echo: Record<string, unknown>;
  /** Fields taken but not acted on (reasoning, verbosity): named in the answer's headers. */
  notApplied: readonly string[];
  /** The custom tools' names: their calls are answered as `custom_tool_call` items. */
  custom: ReadonlySet<string>;
  /** The tools of namespaces, by the name the tiers know them by (`ns__name`): their calls name both. */
  namespaced: ReadonlyMap<string, { namespace: string; name: string }>;
}

type Body = z.infer<typeof responsesBody>;
type Part = Exclude<z.infer<typeof message>['content'], string>[number];

/** An `input_image` part as the cascade takes it. */
function imageOf(p: z.infer<typeof inputImage>): ImageInput {
  const detail = p.detail === 'original' ? 'high' : p.detail;
  return { url: p.image_url, ...(detail ? { detail } : {}) };
}

/** A message's text (its text parts joined), and its images and documents (keys left out when none). */
function contentOf(
  content: string | Part[],
  where: string,
  user: boolean,
): { text: string; attached: { images?: ImageInput[]; documents?: DocumentInput[] } } {
  if (typeof content === 'string') return { text: content, attached: {} };
  let text = '';
  const images: ImageInput[] = [];
  const documents: DocumentInput[] = [];
  content.forEach((p, i) => {
    if (p.type === 'input_image' || p.type === 'input_file') {
      if (!user)
        throw httpError(
          400,
          'invalid_request',
          `${where}.content.${i}: ${p.type === 'input_image' ? 'images' : 'files'} go in user messages and tool outputs only.`,
        );
      if (p.type === 'input_image') images.push(imageOf(p));
      else documents.push(fileDocument({ data: p.file_data, url: p.file_url, filename: p.filename }));
    } else if (p.type === 'refusal') text += p.refusal;
    else text += p.text;
  });
  return {
    text,
    attached: Object.assign({}, images.length ? { images } : {}, documents.length ? { documents } : {}),
  };
}

/** The input items as the cascade's messages: function calls join the assistant turn they belong to. */
function toMessages(b: Body): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (b.instructions) messages.push({ role: 'system', content: b.instructions });
  if (typeof b.input === 'string') {
    messages.push({ role: 'user', content: b.input });
    return messages;
  }
  b.input.forEach((it, i) => {
    const where = `input.${i}`;
    if (it.type === 'reasoning') return;
    if (it.type === 'function_call' || it.type === 'custom_tool_call') {
      const call: ToolCall = {
        id: it.call_id,
        name: it.namespace ? tierName(it.namespace, it.name) : it.name,
        arguments: it.type === 'function_call' ? it.arguments : JSON.stringify({ input: it.input }),
      };
      const last = messages.at(-1);
      if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call];
      else messages.push({ role: 'assistant', content: null, toolCalls: [call] });
      return;
    }
    if (it.type === 'function_call_output' || it.type === 'custom_tool_call_output') {
      // A tool's output takes images as a user message does.
      const { text, attached } = contentOf(it.output, `${where}.output`, true);
      messages.push(
        Object.assign({ role: 'tool' as const, toolCallId: it.call_id, content: text }, attached),
      );
      return;
    }
    const { text, attached } = contentOf(it.content, where, it.role === 'user');
    if (it.role === 'assistant') messages.push({ role: 'assistant', content: text || null });
    else if (it.role === 'user')
      messages.push(Object.assign({ role: 'user' as const, content: text }, attached));
    else messages.push({ role: 'system', content: text });
  });
  return messages;
}

function responseFormatOf(b: Body): ResponseFormat | undefined {
  const f = b.text?.format;
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', name: f.name, schema: f.schema, ...(f.strict ? { strict: true } : {}) };
}

/** The custom tools of a request without tools (no set made per request). */
const NO_CUSTOM_TOOLS: ReadonlySet<string> = new Set();
const NO_NAMESPACES: ReadonlyMap<string, { namespace: string; name: string }> = new Map();

/** The name a namespace's tool has for the tiers, whose function names take no dots: `ns__name`. */
function tierName(namespace: string, name: string): string {
  return `${namespace}__${name}`;
}

/** A custom tool's one parameter, as the tiers are asked for it. */
const CUSTOM_INPUT = {
  type: 'object',
  properties: { input: { type: 'string', description: "The tool's whole input, as free text." } },
  required: ['input'],
  additionalProperties: false,
};

/** A custom tool's description for the tiers: its own, and the grammar its input must match. */
function customDescription(t: z.infer<typeof customTool>): string {
  const own = t.description ?? '';
  if (t.format?.type !== 'grammar') return own;
  const grammar = `The input must match this ${t.format.syntax === 'lark' ? 'Lark grammar' : 'regular expression'}:\n${t.format.definition}`;
  return own ? `${own}\n\n${grammar}` : grammar;
}

/** A custom tool call's input: the `input` the tier gave, or its raw arguments when they are not that. */
function customInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as { input?: unknown };
    if (typeof parsed?.input === 'string') return parsed.input;
  } catch {
    // Not JSON: the raw text is the input.
  }
  return args;
}

/**
 * Validates a `POST /v1/responses` body (OpenAI's Responses API, stateless) and maps it onto the cascade:
 * `instructions`, input messages of every role (text and image parts), function and custom tool calls and
 * their outputs handed back, function and custom tools, tool choice and parallel tool calls, `max_output_tokens`, temperature and
 * top-p, and `text.format` (JSON object or schema, checked by core's validators). What needs stored state
 * (`previous_response_id`) or is not supported (built-in tools, files) is refused by name. Reasoning and
 * verbosity asked for (Codex asks on every turn) are taken, not acted on, and named in `notApplied`.
 */
export function parseResponsesRequest(raw: unknown): ResponsesRequest {
  refuseItemKinds(raw);
  const parsed = responsesBody.safeParse(raw);
  if (!parsed.success) refuseBody(parsed.error.issues[0], raw, RESPONSES_RULES);
  const b = parsed.data;
  const messages = toMessages(b);
  if (
    !messages.some(
      (m) => m.role === 'user' && (m.content.trim() !== '' || m.images?.length || m.documents?.length),
    )
  )
    throw httpError(400, 'invalid_request', 'input: needs a user message with text, an image or a document.');
  const responseFormat = responseFormatOf(b);
  const sampling: SamplingOptions | undefined = b.top_p != null ? { topP: b.top_p } : undefined;
  let custom: Set<string> | undefined;
  let namespaced: Map<string, { namespace: string; name: string }> | undefined;
  const notApplied: string[] = [];
  const named = new Set<string>();
  const tools: ToolDefinition[] = [];
  const add = (
    t: z.infer<typeof functionTool> | z.infer<typeof customTool>,
    where: string,
    namespace?: { name: string; description?: string | null | undefined },
  ) => {
    const name = namespace ? tierName(namespace.name, t.name) : t.name;
    if (named.has(name))
      throw httpError(400, 'invalid_request', `${where}.name: "${t.name}" is the name of an earlier tool.`);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
      throw httpError(
        400,
        'invalid_request',
        `${where}.name: "${name}" must be 1-64 letters, digits, "_" or "-"${namespace ? ' with its namespace and "__" before it' : ''}.`,
      );
    named.add(name);
    if (namespace) {
      namespaced ??= new Map();
      namespaced.set(name, { namespace: namespace.name, name: t.name });
    }
    const about = namespace?.description ? `${namespace.name}: ${namespace.description}` : undefined;
    const join = (own: string) => (about ? (own ? `${about}\n\n${own}` : about) : own);
    if (t.type === 'function') {
      const description = join(t.description ?? '');
      tools.push({
        name,
        ...(description ? { description } : {}),
        parameters: t.parameters ?? { type: 'object', properties: {} },
      });
      return;
    }
    custom ??= new Set();
    custom.add(name);
    tools.push({ name, description: join(customDescription(t)), parameters: CUSTOM_INPUT });
  };
  b.tools?.forEach((t, i) => {
    if (t.type === 'namespace')
      t.tools.forEach((inner, j) => {
        add(inner, `tools.${i}.tools.${j}`, t);
      });
    else if (t.type === 'function' || t.type === 'custom') add(t, `tools.${i}`);
    else notApplied.push(`tools.${i} (${t.type})`);
  });
  const c = b.tool_choice;
  if (b.reasoning?.effort && b.reasoning.effort !== 'none') notApplied.push('reasoning.effort');
  if (b.reasoning?.summary && b.reasoning.summary !== 'none') notApplied.push('reasoning.summary');
  if (b.include?.length) notApplied.push('include');
  if (b.text?.verbosity) notApplied.push('text.verbosity');
  if (Array.isArray(b.input) && b.input.some((it) => it.type === 'reasoning'))
    notApplied.push('reasoning items');
  return {
    run: {
      messages,
      ...(b.max_output_tokens != null ? { maxTokens: b.max_output_tokens } : {}),
      ...(b.temperature != null ? { temperature: b.temperature } : {}),
      ...(sampling ? { sampling } : {}),
      ...(tools.length ? { tools } : {}),
      ...(c !== undefined ? { toolChoice: typeof c === 'string' ? c : { name: c.name } } : {}),
      ...(b.parallel_tool_calls != null && tools.length ? { parallelToolCalls: b.parallel_tool_calls } : {}),
      ...(responseFormat ? { responseFormat } : {}),
    },
    stream: b.stream === true,
    notApplied,
    custom: custom ?? NO_CUSTOM_TOOLS,
    namespaced: namespaced ?? NO_NAMESPACES,
    echo: {
      instructions: b.instructions ?? null,
      max_output_tokens: b.max_output_tokens ?? null,
      metadata: b.metadata ?? {},
      parallel_tool_calls: b.parallel_tool_calls ?? true,
      temperature: b.temperature ?? null,
      text: { format: b.text?.format ?? { type: 'text' } },
      tool_choice: c ?? 'auto',
      tools: (b.tools ?? []).map(echoTool),
      top_p: b.top_p ?? null,
      ...(b.user !== undefined ? { user: b.user } : {}),
    },
  };
}

/** A tool as the answer echoes it. */
function echoTool(t: NonNullable<Body['tools']>[number]): Record<string, unknown> {
  if (t.type === 'function')
    return {
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? null,
      strict: t.strict ?? null,
    };
  if (t.type === 'custom')
    return {
      type: 'custom',
      name: t.name,
      description: t.description ?? null,
      format: t.format ?? { type: 'text' },
    };
  if (t.type === 'namespace')
    return {
      type: 'namespace',
      name: t.name,
      description: t.description ?? null,
      tools: t.tools.map(echoTool),
    };
  return { ...t };
}

/** The answer's output items: its text as a message, then a function or custom tool call item per call. */
function outputItems(
  r: CascadeResult,
  ids: OutputIds,
  m: Pick<ResponsesRequest, 'custom' | 'namespaced'>,
): Record<string, unknown>[] {
  return [
    ...(r.content || !r.toolCalls.length ? [messageItem(ids.message, r.content, 'completed')] : []),
    ...r.toolCalls.map((c, i) =>
      m.custom.has(c.name)
        ? customCallItem(ids.custom(i), c, customInput(c.arguments), 'completed', m.namespaced)
        : functionCallItem(ids.call(i), c, c.arguments, 'completed', m.namespaced),
    ),
  ];
}

/** A call's name as the client knows it, and its namespace when the tool has one. */
function calledName(
  c: ToolCall,
  namespaced: ReadonlyMap<string, { namespace: string; name: string }>,
): { name: string; namespace?: string } {
  return namespaced.get(c.name) ?? { name: c.name };
}

function messageItem(id: string, text: string, status: string, open = false): Record<string, unknown> {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: open ? [] : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

function functionCallItem(
  id: string,
  c: ToolCall,
  args: string,
  status: string,
  namespaced: ReadonlyMap<string, { namespace: string; name: string }>,
): Record<string, unknown> {
  return { id, type: 'function_call', status, call_id: c.id, ...calledName(c, namespaced), arguments: args };
}

function customCallItem(
  id: string,
  c: ToolCall,
  input: string,
  status: string,
  namespaced: ReadonlyMap<string, { namespace: string; name: string }>,
): Record<string, unknown> {
  return { id, type: 'custom_tool_call', status, call_id: c.id, ...calledName(c, namespaced), input };
}

/** Ids of an answer's output items, derived from the response id. */
interface OutputIds {
  message: string;
  call(index: number): string;
  custom(index: number): string;
}

function outputIds(responseId: string): OutputIds {
  const tail = responseId.replace(/^resp_/, '');
  return { message: `msg_${tail}`, call: (i) => `fc_${tail}_${i}`, custom: (i) => `ctc_${tail}_${i}` };
}

/** A Response object: `status` and `output` as given, the request's settings echoed. */
function responseObject(
  id: string,
  createdAt: number,
  model: string,
  echo: Record<string, unknown>,
  status: 'in_progress' | 'completed' | 'incomplete',
  output: Record<string, unknown>[],
  r?: CascadeResult,
): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    model,
    output,
    ...echo,
    usage: r
      ? {
          input_tokens: r.usage.inputTokens,
          input_tokens_details: { cached_tokens: r.usage.cachedInputTokens },
          output_tokens: r.usage.outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: r.usage.inputTokens + r.usage.outputTokens,
        }
      : null,
  };
}

/** The cascade's answer as a Responses API response (plus the extra `cascade` field clients ignore). */
export function responsesResponse(
  id: string,
  r: CascadeResult,
  m: Pick<ResponsesRequest, 'echo' | 'custom' | 'namespaced'>,
  cascade: Record<string, unknown>,
): Record<string, unknown> {
  const status = r.finishReason === 'length' ? 'incomplete' : 'completed';
  const created = Math.floor(Date.now() / 1000);
  const output = outputItems(r, outputIds(id), m);
  return Object.assign({}, responseObject(id, created, r.model, m.echo, status, output, r), { cascade });
}

/**
 * Turns the cascade's stream events into the Responses API's SSE events, each with its `sequence_number`:
 * `response.created`, `response.in_progress`, the message item (`output_item.added`, `content_part.added`,
 * `output_text.delta`s, `output_text.done`, `content_part.done`, `output_item.done`), a function call item
 * per tool call (`function_call_arguments.delta` and `.done`; a custom tool's `custom_tool_call_input.delta`
 * and `.done`), then `response.completed`.
 */
export class ResponsesStreamEncoder {
  #sequence = 0;
  #started = false;
  #text = '';
  #textOpen = false;
  #output: Record<string, unknown>[] = [];
  readonly #createdAt = Math.floor(Date.now() / 1000);
  readonly #ids: OutputIds;

  readonly echo: Record<string, unknown>;
  readonly #custom: ReadonlySet<string>;
  readonly #namespaced: ReadonlyMap<string, { namespace: string; name: string }>;

  constructor(
    readonly id: string,
    m: Pick<ResponsesRequest, 'echo' | 'custom' | 'namespaced'>,
  ) {
    this.#ids = outputIds(id);
    this.echo = m.echo;
    this.#custom = m.custom;
    this.#namespaced = m.namespaced;
  }

  #event(type: string, data: Record<string, unknown>): SSEMessage {
    return { event: type, data: JSON.stringify({ type, sequence_number: this.#sequence++, ...data }) };
  }

  /** A custom tool call's events: the item, its whole input as one delta, its input done, the item done. */
  #customCall(c: ToolCall, i: number, index: number): SSEMessage[] {
    const id = this.#ids.custom(i);
    const input = customInput(c.arguments);
    const done = customCallItem(id, c, input, 'completed', this.#namespaced);
    this.#output.push(done);
    return [
      this.#event('response.output_item.added', {
        output_index: index,
        item: customCallItem(id, c, '', 'in_progress', this.#namespaced),
      }),
      this.#event('response.custom_tool_call_input.delta', {
        item_id: id,
        output_index: index,
        delta: input,
      }),
      this.#event('response.custom_tool_call_input.done', { item_id: id, output_index: index, input }),
      this.#event('response.output_item.done', { output_index: index, item: done }),
    ];
  }

  /** A failure after the stream began: an `error` event. */
  error(e: HttpError): SSEMessage {
    return this.#event('error', { code: e.body.error.code, message: e.body.error.message, param: null });
  }

  /** The SSE messages for one cascade event (possibly none). */
  push(e: CascadeStreamEvent): SSEMessage[] {
    const out: SSEMessage[] = [];
    if (!this.#started && (e.type === 'text' || e.type === 'finish')) {
      this.#started = true;
      const model = e.type === 'text' ? e.model : e.result.model;
      const response = responseObject(this.id, this.#createdAt, model, this.echo, 'in_progress', []);
      out.push(this.#event('response.created', { response }));
      out.push(this.#event('response.in_progress', { response }));
    }
    const where = { item_id: this.#ids.message, output_index: 0, content_index: 0 };
    if (e.type === 'text') {
      if (!this.#textOpen) {
        this.#textOpen = true;
        out.push(
          this.#event('response.output_item.added', {
            output_index: 0,
            item: messageItem(this.#ids.message, '', 'in_progress', true),
          }),
        );
        out.push(
          this.#event(
            'response.content_part.added',
            Object.assign({}, where, {
              part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
            }),
          ),
        );
      }
      this.#text += e.text;
      out.push(
        this.#event('response.output_text.delta', Object.assign({}, where, { delta: e.text, logprobs: [] })),
      );
    } else if (e.type === 'finish') {
      const r = e.result;
      if (this.#textOpen) {
        const done = messageItem(this.#ids.message, this.#text, 'completed');
        out.push(
          this.#event(
            'response.output_text.done',
            Object.assign({}, where, { text: this.#text, logprobs: [] }),
          ),
        );
        out.push(
          this.#event(
            'response.content_part.done',
            Object.assign({}, where, {
              part: { type: 'output_text', text: this.#text, annotations: [], logprobs: [] },
            }),
          ),
        );
        out.push(this.#event('response.output_item.done', { output_index: 0, item: done }));
        this.#output.push(done);
      }
      r.toolCalls.forEach((c, i) => {
        const index = this.#output.length;
        if (this.#custom.has(c.name)) {
          out.push(...this.#customCall(c, i, index));
          return;
        }
        const id = this.#ids.call(i);
        out.push(
          this.#event('response.output_item.added', {
            output_index: index,
            item: functionCallItem(id, c, '', 'in_progress', this.#namespaced),
          }),
        );
        out.push(
          this.#event('response.function_call_arguments.delta', {
            item_id: id,
            output_index: index,
            delta: c.arguments,
          }),
        );
        out.push(
          this.#event('response.function_call_arguments.done', {
            item_id: id,
            output_index: index,
            name: calledName(c, this.#namespaced).name,
            arguments: c.arguments,
          }),
        );
        const done = functionCallItem(id, c, c.arguments, 'completed', this.#namespaced);
        out.push(this.#event('response.output_item.done', { output_index: index, item: done }));
        this.#output.push(done);
      });
      const status = r.finishReason === 'length' ? 'incomplete' : 'completed';
      const response = responseObject(this.id, this.#createdAt, r.model, this.echo, status, this.#output, r);
      out.push(
        this.#event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }),
      );
    }
    return out;
  }
}

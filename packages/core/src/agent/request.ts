import { z } from 'zod';
import { InvalidConfigError, UnknownProviderError } from '../errors/errors.js';
import type { PluginHandoffs } from '../plugins/handoffs.js';
import type { TierInfo, TierRole } from '../quality/validator.js';
import type {
  ChatMessage,
  ResponseFormat,
  SamplingOptions,
  TokenLogprob,
  ToolChoice,
  ToolDefinition,
} from '../types/messages.js';
import type { StreamDelta } from '../types/provider.js';
import { carriesDocuments, carriesImages } from './message-attachments.js';
import { plainRequest } from './plain-request.js';
import { questionIn } from './question.js';
import type { AttemptRecord } from './result.js';

/** One rung of the ladder as the user configures it. */
export interface TierOptions {
  /** Model name sent to the provider. */
  model: string;
  /** Key of the provider in the agent's `providers`. */
  provider: string;
  /** Name for results and overrides; default the model name. */
  name?: string;
  /** Score in [0, 1] a draft from this tier needs to be accepted. Ignored on the last tier. */
  threshold?: number;
  maxTokens?: number;
  temperature?: number;
  /** Per-attempt timeout in ms; aborts the HTTP request. */
  timeoutMs?: number;
  /** The model takes images: a request whose messages carry images is asked of such tiers only. */
  images?: boolean;
  /** The model takes documents (PDFs, text files): a request that carries documents is asked of such tiers only. */
  documents?: boolean;
}

/**
 * One request to the cascade: a `query` string or `messages`, plus per-request overrides.
 *
 * @example
 * ```ts
 * await agent.run({
 *   messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Why is the sky blue?' }],
 *   thresholds: { 'gpt-4o-mini': 0.9 },
 *   maxTokens: 200,
 *   signal: AbortSignal.timeout(10_000),
 *   userId: 'user-42',
 * });
 * ```
 */
export interface RunRequest {
  query?: string;
  messages?: ChatMessage[];
  /** A system prompt put before `query` (ignored when `messages` are given). */
  system?: string;
  /** Another ladder for this request: tiers, or names (or models) of the agent's tiers, cheapest first. */
  ladder?: (TierOptions | string)[];
  /** Thresholds by tier name, or by position. */
  thresholds?: Record<string, number> | number[];
  maxTokens?: number;
  temperature?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** With `tools`: whether a model may call several tools in one answer (each provider's default when absent). */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Sampling controls beyond `temperature` (top-p, top-k, stop sequences, seed, penalties), for every tier. */
  sampling?: SamplingOptions;
  signal?: AbortSignal;
  /** Per-attempt timeout in ms (overrides the agent's and the tier's). */
  timeoutMs?: number;
  userId?: string;
  /** Free-form data that travels with the run to its result (for your own records). */
  metadata?: Record<string, unknown>;
  /** Set by batch runners: this run is one item of a batch (plugins may gate or price batch work). */
  batch?: { index: number; id?: string };
  /** Typed settings that plugins hand each other (limits, guardrails, profile): see {@link PluginHandoffs}. */
  handoffs?: PluginHandoffs;
  /**
   * Receives every delta of every attempt as it arrives. When set, attempts are streamed through the
   * provider's `stream()`; the text passes the plugins' `transformText`; the draft is judged whole, on the
   * provider's own text and log-probs.
   */
  onDelta?: (delta: StreamDelta, tier: TierInfo) => void;
  /** Receives this run's attempts, retries and escalations as they happen. */
  onEvent?: (event: RunEvent) => void;
  /** With `onDelta`: abandon a draft early when its first tokens already look bad. */
  earlyReject?: EarlyRejectCheck;
}

/** What happens in one run, as it happens: for streaming, progress bars and tracing of that run alone. */
export type RunEvent =
  | { type: 'attempt_start'; tier: TierInfo }
  | { type: 'retry'; tier: TierInfo; error: Error; retry: number; delayMs: number }
  | { type: 'attempt_end'; attempt: AttemptRecord }
  | { type: 'escalate'; from: TierInfo; to: TierInfo; reason: string };

/**
 * Judges a streamed draft while it arrives: return a reason to abandon it (the HTTP stream is closed and the
 * next tier starts at once), or null to go on. Called after every text delta of every tier but the last.
 */
export type EarlyRejectCheck = (draft: {
  text: string;
  logprobs: readonly TokenLogprob[];
  tier: TierInfo;
}) => string | null;

/** A tier as resolved for a run. */
export interface ResolvedTier extends TierInfo {
  maxTokens: number | undefined;
  temperature: number | undefined;
  timeoutMs: number | undefined;
  /** The tier's model takes images. */
  images: boolean;
  /** The tier's model takes documents. */
  documents: boolean;
}

/** A request after configuration, validation and defaults: what `beforeRun` hooks see and may rewrite. */
export interface ResolvedRequest {
  messages: ChatMessage[];
  /** The conversation's question: the last user message's text without coding agents' context blocks ({@link questionIn}). */
  query: string;
  ladder: ResolvedTier[];
  maxTokens: number | undefined;
  temperature: number | undefined;
  tools: ToolDefinition[] | undefined;
  toolChoice: ToolChoice | undefined;
  parallelToolCalls: boolean | undefined;
  responseFormat: ResponseFormat | undefined;
  sampling: SamplingOptions | undefined;
  timeoutMs: number;
  userId: string | undefined;
  metadata: Record<string, unknown>;
  handoffs: PluginHandoffs;
}

const probability = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const tierSchema = z.object({
  model: z.string().min(1, 'must be a non-empty model name'),
  provider: z.string().min(1, 'must name a provider'),
  name: z.string().min(1).optional(),
  threshold: probability.optional(),
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  timeoutMs: z.number().positive().optional(),
  images: z.boolean().optional(),
  documents: z.boolean().optional(),
});

const imageSchema = z.object({
  url: z
    .string()
    .regex(
      /^(?:https?:\/\/|data:image\/(?:png|jpeg|gif|webp);base64,)/i,
      'must be an http(s) URL or a data URL of a png, jpeg, gif or webp image (data:image/png;base64,…)',
    ),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});

const documentSchema = z.object({
  url: z
    .string()
    .regex(
      /^(?:https?:\/\/|data:(?:application\/pdf|text\/plain);base64,)/i,
      'must be an http(s) URL of a PDF or a data URL of a PDF or a text file (data:application/pdf;base64,…)',
    ),
  filename: z.string().optional(),
});

const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({
    role: z.literal('user'),
    content: z.string(),
    images: z.array(imageSchema).optional(),
    documents: z.array(documentSchema).optional(),
  }),
  z.object({
    role: z.literal('assistant'),
    content: z.string().nullable(),
    toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
  }),
  z.object({
    role: z.literal('tool'),
    content: z.string(),
    toolCallId: z.string().min(1),
    images: z.array(imageSchema).optional(),
    documents: z.array(documentSchema).optional(),
  }),
]);

const penalty = z.number().min(-2, 'must be between -2 and 2').max(2, 'must be between -2 and 2');

const samplingSchema = z
  .object({
    topP: probability.optional(),
    topK: z.number().int('must be a positive integer').positive('must be a positive integer').optional(),
    stopSequences: z
      .array(z.string().min(1, 'must not be empty'))
      .min(1, 'must have at least one sequence')
      .max(4, 'must have at most 4 sequences (OpenAI takes no more)')
      .optional(),
    seed: z.number().int('must be an integer').optional(),
    frequencyPenalty: penalty.optional(),
    presencePenalty: penalty.optional(),
  })
  .strict();

/** The schema of a run request (exported for the test that holds `plainRequest` to it). */
export const requestSchema = z.object({
  query: z.string().optional(),
  messages: z.array(messageSchema).optional(),
  system: z.string().optional(),
  ladder: z
    .array(z.union([z.string(), tierSchema]))
    .min(1, 'must have at least one tier')
    .optional(),
  thresholds: z.union([z.record(z.string(), probability), z.array(probability)]).optional(),
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  tools: z
    .array(
      z.object({
        name: z.string().min(1),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  toolChoice: z.union([z.enum(['auto', 'none', 'required']), z.object({ name: z.string() })]).optional(),
  parallelToolCalls: z.boolean().optional(),
  sampling: samplingSchema.optional(),
  responseFormat: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        name: z.string().min(1),
        schema: z.record(z.string(), z.unknown()),
        strict: z.boolean().optional(),
      }),
    ])
    .optional(),
  timeoutMs: z.number().positive().optional(),
  userId: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  handoffs: z.record(z.string(), z.unknown()).optional(),
});

/** Turns the first zod issue into an InvalidConfigError naming the field. */
export function parseOrThrow<T>(
  schema: z.ZodType<T>,
  value: unknown,
  root: string,
  code: 'invalid_config' | 'invalid_request',
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [root, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw new InvalidConfigError(field || root, issue?.message ?? 'is invalid', code);
}

function roleOf(index: number, length: number): TierRole {
  if (index === length - 1) return 'verifier';
  return index === 0 ? 'drafter' : 'intermediate';
}

/** Validated tiers → resolved tiers, with roles from their position (never from their cost). */
export function resolveLadder(
  tiers: TierOptions[],
  providers: ReadonlyMap<string, unknown>,
  defaultThreshold: number,
  field: string,
): ResolvedTier[] {
  const names = new Set<string>();
  return tiers.map((t, index) => {
    if (!providers.has(t.provider))
      throw new UnknownProviderError(t.provider, [...providers.keys()], `${field}.${index}.provider`);
    const name = t.name ?? t.model;
    if (names.has(name))
      throw new InvalidConfigError(
        `${field}.${index}.name`,
        `duplicate tier name "${name}"; give each tier a unique name`,
      );
    names.add(name);
    const last = index === tiers.length - 1;
    return {
      index,
      name,
      model: t.model,
      provider: t.provider,
      role: roleOf(index, tiers.length),
      threshold: last ? null : (t.threshold ?? defaultThreshold),
      maxTokens: t.maxTokens,
      temperature: t.temperature,
      timeoutMs: t.timeoutMs,
      images: t.images === true,
      documents: t.documents === true,
    };
  });
}

/** What a request's messages carry beyond text, that only some tiers take. */
interface Carried {
  images: boolean;
  documents: boolean;
}

/**
 * The tiers of a resolved ladder that take what the request carries (images, documents), renumbered, with
 * roles from their new positions and no threshold on the new last tier. Throws when none does: a request
 * with images or documents is never sent to a model that would drop them.
 */
function capableTiers(ladder: ResolvedTier[], carried: Carried): ResolvedTier[] {
  const kept = ladder.filter((t) => (!carried.images || t.images) && (!carried.documents || t.documents));
  if (kept.length === 0) {
    const what =
      carried.images && carried.documents ? 'images and documents' : carried.images ? 'images' : 'documents';
    const marks = [carried.images ? '`images: true`' : '', carried.documents ? '`documents: true`' : '']
      .filter(Boolean)
      .join(' and ');
    throw new InvalidConfigError(
      'request.messages',
      `carry ${what}, and no tier of this ladder (${ladder.map((t) => t.name).join(', ')}) takes ${what}; send text, or mark the tiers whose models take them with ${marks}`,
      'invalid_request',
    );
  }
  return kept.map((t, index) =>
    Object.assign({}, t, {
      index,
      role: roleOf(index, kept.length),
      threshold: index === kept.length - 1 ? null : t.threshold,
    }),
  );
}

/** The agent's defaults that a request is resolved against. */
export interface RequestDefaults {
  tiers: TierOptions[];
  providers: ReadonlyMap<string, unknown>;
  defaultThreshold: number;
  timeoutMs: number;
  /** The agent's ladder already resolved and frozen, shared when a request overrides neither ladder nor thresholds. */
  resolvedLadder?: readonly ResolvedTier[];
  /**
   * Ladders resolved for requests whose `ladder` (and `thresholds`, if any) are frozen arrays or objects:
   * the same frozen input resolves to the same frozen tiers, once per agent.
   */
  ladderCache?: LadderCache;
}

/** Resolved ladders by the frozen `ladder` of a request, then by its frozen `thresholds` (or none). */
export type LadderCache = WeakMap<object, WeakMap<object, ResolvedTier[]>>;

const NO_THRESHOLDS = Object.freeze({});

/**
 * Checks a run request's fields as `run()` checks them, without running it: throws an
 * {@link InvalidConfigError} naming the first wrong field (`request.sampling.topP`). For pipelines that send
 * requests to a provider themselves (a provider's batch API), so that they never send one `run()` would
 * refuse. The ladder's names and the query's text are checked against an agent by `run()` only.
 *
 * @example
 * ```ts
 * try {
 *   checkRunRequest({ query: 'Hi', sampling: { topP: 2 } });
 * } catch (e) {
 *   if (e instanceof InvalidConfigError) console.error(e.field, e.problem); // request.sampling.topP must be between 0 and 1
 * }
 * ```
 */
export function checkRunRequest(input: RunRequest): void {
  checkedFields(input);
}

/** A request's data fields (no signal or callbacks), checked: by the hand-written walk, else by the schema. */
function checkedFields(input: RunRequest): RunRequest {
  const { signal: _s, onDelta: _d, onEvent: _e, earlyReject: _r, ...plain } = input;
  return (
    plainRequest(plain) ?? (parseOrThrow(requestSchema, plain, 'request', 'invalid_request') as RunRequest)
  );
}

/** Validates a run request and fills in the agent's defaults. */
export function resolveRequest(input: RunRequest, defaults: RequestDefaults): ResolvedRequest {
  let req: RunRequest;
  if (Object.keys(input).length === 1 && typeof input.query === 'string') {
    req = input; // a bare query: nothing for the schema to check beyond what follows
  } else {
    req = checkedFields(input);
  }
  let messages: ChatMessage[];
  if (req.messages && req.messages.length > 0) {
    messages = req.messages;
  } else {
    if (req.query === undefined || req.query.trim() === '') {
      throw new InvalidConfigError(
        'request.query',
        'is empty; pass a non-empty `query` or `messages`',
        'invalid_request',
      );
    }
    messages = [
      ...(req.system ? [{ role: 'system' as const, content: req.system }] : []),
      { role: 'user', content: req.query },
    ];
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  if (
    !lastUser ||
    (lastUser.content.trim() === '' &&
      !(lastUser.role === 'user' && (lastUser.images?.length || lastUser.documents?.length)))
  ) {
    throw new InvalidConfigError('request.messages', 'needs a non-empty user message', 'invalid_request');
  }

  const carried: Carried = { images: carriesImages(messages), documents: carriesDocuments(messages) };
  const narrowed = carried.images || carried.documents;
  if (!req.ladder && !req.thresholds && defaults.resolvedLadder && !narrowed) {
    return finish(req, messages, defaults.resolvedLadder as ResolvedTier[], defaults.timeoutMs);
  }
  // A frozen ladder (and thresholds) cannot have changed since it was last resolved: the profiles plugin
  // hands the same frozen arrays to every run of a profile.
  const cache =
    defaults.ladderCache &&
    input.ladder !== undefined &&
    Object.isFrozen(input.ladder) &&
    input.ladder.every((t) => typeof t === 'string' || Object.isFrozen(t)) &&
    (input.thresholds === undefined || Object.isFrozen(input.thresholds))
      ? defaults.ladderCache
      : undefined;
  const cached = cache?.get(input.ladder!)?.get(input.thresholds ?? NO_THRESHOLDS);
  if (cached)
    return finish(req, messages, narrowed ? capableTiers(cached, carried) : cached, defaults.timeoutMs);
  let tiers = defaults.tiers;
  if (req.ladder) {
    tiers = req.ladder.map((t, i) => {
      if (typeof t !== 'string') return t;
      const found = defaults.tiers.find((d) => (d.name ?? d.model) === t || d.model === t);
      if (!found)
        throw new InvalidConfigError(
          `request.ladder.${i}`,
          `no tier named "${t}" on the agent's ladder`,
          'invalid_request',
        );
      return found;
    });
  }
  const ladder = resolveLadder(
    tiers,
    defaults.providers,
    defaults.defaultThreshold,
    req.ladder ? 'request.ladder' : 'ladder',
  );
  if (req.thresholds) {
    const th = req.thresholds;
    if (Array.isArray(th)) {
      th.forEach((v, i) => {
        const tier = ladder[i];
        if (!tier)
          throw new InvalidConfigError(
            `request.thresholds.${i}`,
            `the ladder has only ${ladder.length} tiers`,
            'invalid_request',
          );
        if (tier.threshold !== null) tier.threshold = v;
      });
    } else {
      for (const [name, v] of Object.entries(th)) {
        const tier = ladder.find((t) => t.name === name || t.model === name);
        if (!tier)
          throw new InvalidConfigError(
            `request.thresholds.${name}`,
            `no tier named "${name}" in this run's ladder`,
            'invalid_request',
          );
        if (tier.threshold !== null) tier.threshold = v;
      }
    }
  }
  if (cache) {
    for (const t of ladder) Object.freeze(t);
    Object.freeze(ladder);
    let byThresholds = cache.get(input.ladder!);
    if (!byThresholds) {
      byThresholds = new WeakMap();
      cache.set(input.ladder!, byThresholds);
    }
    byThresholds.set(input.thresholds ?? NO_THRESHOLDS, ladder);
  }
  return finish(req, messages, narrowed ? capableTiers(ladder, carried) : ladder, defaults.timeoutMs);
}

const EMPTY_HANDOFFS: PluginHandoffs = Object.freeze({});

function finish(
  req: RunRequest,
  messages: ChatMessage[],
  ladder: ResolvedTier[],
  timeoutMs: number,
): ResolvedRequest {
  return {
    messages,
    query: questionIn(messages),
    ladder,
    maxTokens: req.maxTokens,
    temperature: req.temperature,
    tools: req.tools,
    toolChoice: req.toolChoice,
    parallelToolCalls: req.parallelToolCalls,
    responseFormat: req.responseFormat,
    sampling: req.sampling,
    timeoutMs: req.timeoutMs ?? timeoutMs,
    userId: req.userId,
    metadata: req.metadata ?? {},
    handoffs: req.handoffs ?? EMPTY_HANDOFFS,
  };
}

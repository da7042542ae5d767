import type { ResolvedRequest } from '@cascadeflow/core';

/** How a model's input is counted for a reservation. */
export type TokenCounting = 'o200k_base' | 'cl100k_base' | 'utf8-bytes';

/** Counts tokens of text with one of OpenAI's encodings. */
type Counter = (text: string) => number;

// OpenAI's published encodings by model family; every other model is bounded by its UTF-8 bytes.
const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)/;
const CL100K = /^(gpt-4|gpt-3\.5)/;

/** Per message: role and separators (OpenAI documents 3 for its chat format; other formats spend more). */
const PER_MESSAGE = { openai: 4, other: 8 } as const;
/** Per request: the reply's priming tokens (3 for OpenAI) and, elsewhere, a chat template's framing. */
const PER_REQUEST = { openai: 3, other: 16 } as const;
/**
 * Tools add a hidden system prompt on Anthropic's API (its documentation lists 313 to 346 tokens for the
 * current models); a bound for the other providers too.
 */
const TOOLS_PROMPT = 400;

/**
 * Which counting a model gets: OpenAI's tokenizer where its encoding is known (when the optional
 * `gpt-tokenizer` is installed; without it, UTF-8 bytes), otherwise UTF-8 bytes, an
 * upper bound for any byte-level BPE (each token is at least one byte) and for SentencePiece with byte
 * fallback (each piece covers at least one byte).
 *
 * @example
 * ```ts
 * countingFor('gpt-4o-mini'); // 'o200k_base'
 * countingFor('claude-sonnet-4-20250514'); // 'utf8-bytes'
 * ```
 */
export function countingFor(model: string): TokenCounting {
  if (O200K.test(model)) return 'o200k_base';
  if (CL100K.test(model)) return 'cl100k_base';
  return 'utf8-bytes';
}

const loaded = new Map<TokenCounting, Promise<Counter>>();
/** The counters whose encoding has finished loading: counted without a promise. */
const ready = new Map<TokenCounting, Counter>();

/** Loads an encoding once, on first use (o200k takes about 250 ms and 10 MB). */
function counter(counting: TokenCounting): Promise<Counter> {
  let c = loaded.get(counting);
  if (!c) {
    const noSpecial = { disallowedSpecial: new Set<string>() };
    const bytes = (t: string) => Buffer.byteLength(t, 'utf8');
    // gpt-tokenizer is an optional peer dependency (about 50 MB): without it, OpenAI models are bounded by
    // their UTF-8 bytes too, which is still an upper bound, only a looser one.
    c =
      counting === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base').then(
            (m) => (t: string) => m.countTokens(t, noSpecial),
            () => bytes,
          )
        : counting === 'cl100k_base'
          ? import('gpt-tokenizer/encoding/cl100k_base').then(
              (m) => (t: string) => m.countTokens(t, noSpecial),
              () => bytes,
            )
          : Promise.resolve(bytes);
    void c.then((count) => ready.set(counting, count));
    loaded.set(counting, c);
  }
  return c;
}

/** The texts of a request that reach the model: messages, tool-call arguments, tool and schema definitions. */
function textsOf(request: Pick<ResolvedRequest, 'messages' | 'tools' | 'responseFormat'>): string[] {
  const texts: string[] = [];
  for (const m of request.messages) {
    if (m.content) texts.push(m.content);
    if (m.role === 'assistant' && m.toolCalls) for (const c of m.toolCalls) texts.push(c.name, c.arguments);
  }
  if (request.tools?.length) texts.push(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json_schema')
    texts.push(JSON.stringify(request.responseFormat.schema));
  return texts;
}

/**
 * At least as many input tokens as the model will count for this request: its own tokenizer plus the chat
 * format's overhead for OpenAI models, UTF-8 bytes plus a template's overhead for every other model.
 *
 * @example
 * ```ts
 * await inputTokenBound('gpt-4o-mini', { messages: [{ role: 'user', content: '天空为什么是蓝色的？' }] });
 * ```
 */
export async function inputTokenBound(
  model: string,
  request: Pick<ResolvedRequest, 'messages' | 'tools' | 'responseFormat'>,
): Promise<number> {
  const counting = countingFor(model);
  return boundWith(counting, await counter(counting), request);
}

/**
 * {@link inputTokenBound} without a promise, once the model's encoding has loaded; `undefined` before (then
 * call the async one, which loads it).
 */
export function inputTokenBoundIfReady(
  model: string,
  request: Pick<ResolvedRequest, 'messages' | 'tools' | 'responseFormat'>,
): number | undefined {
  const counting = countingFor(model);
  const count = ready.get(counting);
  return count ? boundWith(counting, count, request) : undefined;
}

function boundWith(
  counting: TokenCounting,
  count: Counter,
  request: Pick<ResolvedRequest, 'messages' | 'tools' | 'responseFormat'>,
): number {
  const kind = counting === 'utf8-bytes' ? 'other' : 'openai';
  let tokens = PER_REQUEST[kind] + request.messages.length * PER_MESSAGE[kind];
  for (const text of textsOf(request)) tokens += count(text);
  if (request.tools?.length) tokens += TOOLS_PROMPT;
  return tokens;
}

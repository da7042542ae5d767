/**
 * The body schemas' work, by hand, for the bodies nearly every client sends. Each function returns what its
 * schema returns (fresh objects, the same fields), or `undefined` for anything else (tools, content parts or
 * blocks, tool results, an unknown or misspelt field), which the schema then checks and names. Inside a busy
 * server a schema parse costs many times this walk (its code sees every shape the process validates).
 */

/** What a field check returns for a value it does not take. */
const REFUSED = Symbol('refused');

/** A field's check: the value as the schema returns it, or {@link REFUSED}. */
type Field = (value: unknown) => unknown;

function isPlain(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function keyCount(o: object): number {
  let keys = 0;
  for (const _ in o) keys++;
  return keys;
}

const string: Field = (v) => (typeof v === 'string' ? v : REFUSED);
const nonEmptyString: Field = (v) => (typeof v === 'string' && v !== '' ? v : REFUSED);
const boolean: Field = (v) => (typeof v === 'boolean' ? v : REFUSED);
const between =
  (min: number, max: number): Field =>
  (v) =>
    typeof v === 'number' && v >= min && v <= max ? v : REFUSED;
const tokens =
  (max: number): Field =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= max ? v : REFUSED;

/** `check`, or null as it is (OpenAI's API takes null for "the default"). */
const orNull =
  (check: Field): Field =>
  (v) =>
    v === null ? null : check(v);
const integer: Field = (v) => (Number.isSafeInteger(v) ? v : REFUSED);
const positiveInteger: Field = (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? v : REFUSED);

/** A fresh list of at most four non-empty strings. */
const stopList: Field = (v) => {
  if (!Array.isArray(v) || v.length > 4) return REFUSED;
  for (const s of v) if (typeof s !== 'string' || s === '') return REFUSED;
  return [...v];
};

/** An object with at most the one key `key`, whose value `check` takes. */
const onlyKey =
  (key: string, check: Field): Field =>
  (v) => {
    if (!isPlain(v)) return REFUSED;
    const out: Record<string, unknown> = {};
    for (const k in v) {
      const value = k === key ? check((v as Record<string, unknown>)[k]) : REFUSED;
      if (value === REFUSED) return REFUSED;
      out[k] = value;
    }
    return out;
  };

/** A record of strings (no `__proto__` key). */
const stringRecord: Field = (v) => {
  if (!isPlain(v)) return REFUSED;
  const out: Record<string, string> = {};
  for (const k in v) {
    const value = (v as Record<string, unknown>)[k];
    if (typeof value !== 'string' || k === '__proto__') return REFUSED;
    out[k] = value;
  }
  return out;
};

/**
 * A non-empty array of text messages, `{ role, content }` with a string content and one of `roles`, and
 * an optional string `name` when `named`.
 */
const textMessages =
  (roles: readonly string[], named: boolean): Field =>
  (v) => {
    if (!Array.isArray(v) || v.length === 0) return REFUSED;
    const list: Record<string, string>[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const m = v[i] as Record<string, unknown>;
      if (!isPlain(m)) return REFUSED;
      const { role, content, name } = m;
      if (typeof role !== 'string' || !roles.includes(role) || typeof content !== 'string') return REFUSED;
      const keys = keyCount(m);
      if (name === undefined) {
        if (keys !== 2) return REFUSED;
        list[i] = { role, content };
      } else {
        if (!named || typeof name !== 'string' || keys !== 3) return REFUSED;
        list[i] = { role, content, name };
      }
    }
    return list;
  };

/** Walks a body's fields with their checks; every one of `required` must be there. */
function walk(
  body: unknown,
  fields: ReadonlyMap<string, Field>,
  required: readonly string[],
): Record<string, unknown> | undefined {
  if (!isPlain(body)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key in body) {
    const check = fields.get(key);
    if (!check) return undefined;
    const value = check((body as Record<string, unknown>)[key]);
    if (value === REFUSED) return undefined;
    out[key] = value;
  }
  for (const key of required) if (!(key in out)) return undefined;
  return out;
}

const CHAT_FIELDS: ReadonlyMap<string, Field> = new Map([
  ['model', nonEmptyString],
  ['messages', textMessages(['system', 'developer', 'user', 'assistant'], true)],
  ['max_tokens', orNull(tokens(1_000_000))],
  ['max_completion_tokens', orNull(tokens(1_000_000))],
  ['temperature', orNull(between(0, 2))],
  ['top_p', orNull(between(0, 1))],
  ['frequency_penalty', orNull(between(-2, 2))],
  ['presence_penalty', orNull(between(-2, 2))],
  ['seed', orNull(integer)],
  ['stop', orNull((v) => (typeof v === 'string' ? nonEmptyString(v) : stopList(v)))],
  ['n', orNull((v) => (v === 1 ? 1 : REFUSED))],
  ['logprobs', orNull(boolean)],
  ['top_logprobs', orNull((v) => (v === 0 ? 0 : REFUSED))],
  ['stream', orNull(boolean)],
  ['store', boolean],
  ['user', string],
  ['stream_options', (v) => (v === null ? null : onlyKey('include_usage', boolean)(v))],
  ['metadata', stringRecord],
]);

/**
 * A chat completions body of text messages (system, developer, user, assistant, each with an optional
 * name), the model, token limits, temperature and the other sampling controls, `n` = 1, log-probs (no
 * alternatives), stream flags, `user`, `store` and string metadata.
 */
export function plainChatBody(body: unknown): Record<string, unknown> | undefined {
  return walk(body, CHAT_FIELDS, ['model', 'messages']);
}

const MESSAGES_FIELDS: ReadonlyMap<string, Field> = new Map([
  ['model', nonEmptyString],
  ['max_tokens', tokens(Number.MAX_SAFE_INTEGER)],
  ['messages', textMessages(['user', 'assistant'], false)],
  ['system', string],
  ['temperature', between(0, 1)],
  ['top_p', between(0, 1)],
  ['top_k', positiveInteger],
  ['stop_sequences', stopList],
  ['stream', boolean],
  ['metadata', onlyKey('user_id', string)],
]);

/**
 * A Messages API body of text turns (user and assistant, content a string), the model, `max_tokens`, a
 * string system prompt, temperature, top-p, top-k, stop sequences, `stream` and `metadata.user_id`.
 */
export function plainMessagesBody(body: unknown): Record<string, unknown> | undefined {
  return walk(body, MESSAGES_FIELDS, ['model', 'max_tokens', 'messages']);
}

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

/** {@link walk} as a field: an object of these fields only, with every one of `required`. */
const object = (fields: Record<string, Field>, required: readonly string[]): Field => {
  const map = new Map(Object.entries(fields));
  return (v) => walk(v, map, required) ?? REFUSED;
};

/** A fresh list whose every item `check` takes. */
const list =
  (check: Field): Field =>
  (v) => {
    if (!Array.isArray(v)) return REFUSED;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const value = check(v[i]);
      if (value === REFUSED) return REFUSED;
      out[i] = value;
    }
    return out;
  };

const exactly =
  (literal: string): Field =>
  (v) =>
    v === literal ? v : REFUSED;

/** A JSON schema as the schema takes it: a shallow copy of a plain object (no `__proto__` key). */
const schemaRecord: Field = (v) => {
  if (!isPlain(v) || Object.getOwnPropertySymbols(v).length > 0) return REFUSED;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (k === '__proto__') return REFUSED;
    out[k] = (v as Record<string, unknown>)[k];
  }
  return out;
};

const toolCall = object(
  {
    id: nonEmptyString,
    type: exactly('function'),
    function: object({ name: nonEmptyString, arguments: string }, ['name', 'arguments']),
  },
  ['id', 'type', 'function'],
);

/** The messages of an agent's turn: an assistant's text or tool calls, a tool's result, text of the others. */
const CHAT_MESSAGE: Record<string, Field> = {
  system: object({ role: string, content: string, name: string }, ['role', 'content']),
  developer: object({ role: string, content: string, name: string }, ['role', 'content']),
  user: object({ role: string, content: string, name: string }, ['role', 'content']),
  assistant: object(
    {
      role: string,
      content: orNull(string),
      name: string,
      tool_calls: orNull(list(toolCall)),
      refusal: orNull(string),
    },
    ['role'],
  ),
  tool: object({ role: string, content: string, tool_call_id: nonEmptyString, name: string }, [
    'role',
    'content',
    'tool_call_id',
  ]),
};
const chatMessage: Field = (v) => {
  const role = isPlain(v) ? (v as { role?: unknown }).role : undefined;
  const check =
    typeof role === 'string' && Object.hasOwn(CHAT_MESSAGE, role) ? CHAT_MESSAGE[role] : undefined;
  return check ? check(v) : REFUSED;
};
const textChatMessages = textMessages(['system', 'developer', 'user', 'assistant'], true);
const chatMessages = list(chatMessage);

const tool = object(
  {
    type: exactly('function'),
    function: object(
      { name: nonEmptyString, description: string, parameters: schemaRecord, strict: orNull(boolean) },
      ['name'],
    ),
  },
  ['type', 'function'],
);
const namedToolChoice = object(
  { type: exactly('function'), function: object({ name: nonEmptyString }, ['name']) },
  ['type', 'function'],
);

const CHAT_FIELDS: ReadonlyMap<string, Field> = new Map([
  ['model', nonEmptyString],
  // Text messages, the usual case, by the quick walk; an agent's turn (tool calls, tool results) by the other.
  [
    'messages',
    (v) => {
      const text = textChatMessages(v);
      if (text !== REFUSED) return text;
      return Array.isArray(v) && v.length > 0 ? chatMessages(v) : REFUSED;
    },
  ],
  ['tools', list(tool)],
  ['tool_choice', (v) => (v === 'auto' || v === 'none' || v === 'required' ? v : namedToolChoice(v))],
  ['parallel_tool_calls', boolean],
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
 * A chat completions body of string-content messages (system, developer, user, assistant with its tool
 * calls, tool results, each with an optional name), function tools, tool choice and parallel tool calls,
 * the model, token limits, temperature and the other sampling controls, `n` = 1, log-probs (no
 * alternatives), stream flags, `user`, `store` and string metadata.
 */
export function plainChatBody(body: unknown): Record<string, unknown> | undefined {
  return walk(body, CHAT_FIELDS, ['model', 'messages']);
}

const MESSAGES_FIELDS: ReadonlyMap<string, Field> = new Map([
  ['model', nonEmptyString],
  ['max_tokens', tokens(Number.MAX_SAFE_INTEGER)],
  ['messages', textMessages(['user', 'assistant', 'system'], false)],
  ['system', string],
  ['temperature', between(0, 1)],
  ['top_p', between(0, 1)],
  ['top_k', positiveInteger],
  ['stop_sequences', stopList],
  ['stream', boolean],
  ['metadata', onlyKey('user_id', string)],
]);

/**
 * A Messages API body of text turns (user, assistant and mid-conversation system messages, content a string), the model, `max_tokens`, a
 * string system prompt, temperature, top-p, top-k, stop sequences, `stream` and `metadata.user_id`.
 */
export function plainMessagesBody(body: unknown): Record<string, unknown> | undefined {
  return walk(body, MESSAGES_FIELDS, ['model', 'max_tokens', 'messages']);
}

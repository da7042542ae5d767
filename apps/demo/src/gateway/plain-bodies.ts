/**
 * The chat body schema's work, by hand, for the body nearly every client sends: text messages (system,
 * developer, user, assistant, each with an optional name), the model, token limits, temperature, stream
 * flags, `user`, `store` and string metadata. Returns what the schema returns (fresh objects, the same
 * fields), or `undefined` for anything else (tools, content parts, tool results, an unknown or misspelt
 * field), which the schema then checks and names. Inside a busy server a schema parse costs many times this
 * walk (its code sees every shape the process validates).
 */
export function plainChatBody(body: unknown): Record<string, unknown> | undefined {
  if (!isPlain(body)) return undefined;
  const out: Record<string, unknown> = {};
  let model = false;
  let messages = false;
  for (const key in body) {
    const value = (body as Record<string, unknown>)[key];
    switch (key) {
      case 'model':
        if (typeof value !== 'string' || value === '') return undefined;
        model = true;
        out.model = value;
        break;
      case 'messages': {
        const list = textMessages(value);
        if (!list) return undefined;
        messages = true;
        out.messages = list;
        break;
      }
      case 'max_tokens':
      case 'max_completion_tokens':
        if (!Number.isSafeInteger(value) || (value as number) <= 0 || (value as number) > 1_000_000)
          return undefined;
        out[key] = value;
        break;
      case 'temperature':
        if (typeof value !== 'number' || !(value >= 0 && value <= 2)) return undefined;
        out.temperature = value;
        break;
      case 'stream':
      case 'store':
        if (typeof value !== 'boolean') return undefined;
        out[key] = value;
        break;
      case 'user':
        if (typeof value !== 'string') return undefined;
        out.user = value;
        break;
      case 'stream_options': {
        if (value === null) {
          out.stream_options = null;
          break;
        }
        if (!isPlain(value)) return undefined;
        const options: Record<string, unknown> = {};
        for (const k in value) {
          const v = (value as Record<string, unknown>)[k];
          if (k !== 'include_usage' || typeof v !== 'boolean') return undefined;
          options.include_usage = v;
        }
        out.stream_options = options;
        break;
      }
      case 'metadata': {
        if (!isPlain(value)) return undefined;
        const record: Record<string, string> = {};
        for (const k in value) {
          const v = (value as Record<string, unknown>)[k];
          if (typeof v !== 'string' || k === '__proto__') return undefined;
          record[k] = v;
        }
        out.metadata = record;
        break;
      }
      default:
        return undefined;
    }
  }
  return model && messages ? out : undefined;
}

/**
 * The Messages API body schema's work, by hand, for the body nearly every Claude client sends: text turns
 * (user and assistant, content a string), the model, `max_tokens`, a string system prompt, temperature,
 * `stream` and `metadata.user_id`. Returns what the schema returns, or `undefined` for anything else (content
 * blocks, tools, a system prompt in blocks, an unknown field), which the schema then checks and names.
 */
export function plainMessagesBody(body: unknown): Record<string, unknown> | undefined {
  if (!isPlain(body)) return undefined;
  const out: Record<string, unknown> = {};
  let required = 0;
  for (const key in body) {
    const value = (body as Record<string, unknown>)[key];
    switch (key) {
      case 'model':
        if (typeof value !== 'string' || value === '') return undefined;
        required++;
        out.model = value;
        break;
      case 'max_tokens':
        if (!Number.isSafeInteger(value) || (value as number) <= 0) return undefined;
        required++;
        out.max_tokens = value;
        break;
      case 'messages': {
        if (!Array.isArray(value) || value.length === 0) return undefined;
        const turns: { role: string; content: string }[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const m = value[i] as Record<string, unknown>;
          if (!isPlain(m) || keyCount(m) !== 2) return undefined;
          if ((m.role !== 'user' && m.role !== 'assistant') || typeof m.content !== 'string')
            return undefined;
          turns[i] = { role: m.role, content: m.content };
        }
        required++;
        out.messages = turns;
        break;
      }
      case 'system':
        if (typeof value !== 'string') return undefined;
        out.system = value;
        break;
      case 'temperature':
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) return undefined;
        out.temperature = value;
        break;
      case 'stream':
        if (typeof value !== 'boolean') return undefined;
        out.stream = value;
        break;
      case 'metadata': {
        if (!isPlain(value)) return undefined;
        const metadata: Record<string, string> = {};
        for (const k in value) {
          const v = (value as Record<string, unknown>)[k];
          if (k !== 'user_id' || typeof v !== 'string') return undefined;
          metadata.user_id = v;
        }
        out.metadata = metadata;
        break;
      }
      default:
        return undefined;
    }
  }
  return required === 3 ? out : undefined;
}

function keyCount(o: object): number {
  let keys = 0;
  for (const _ in o) keys++;
  return keys;
}

/** Fresh messages when each is a text message of a role that takes one; undefined otherwise. */
function textMessages(value: unknown): Record<string, string>[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const list: Record<string, string>[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const m = value[i] as Record<string, unknown>;
    if (!isPlain(m)) return undefined;
    const { role, content, name } = m;
    if (role !== 'user' && role !== 'system' && role !== 'developer' && role !== 'assistant')
      return undefined;
    if (typeof content !== 'string') return undefined;
    const keys = keyCount(m);
    if (name === undefined) {
      if (keys !== 2) return undefined;
      list[i] = { role, content };
    } else {
      if (typeof name !== 'string' || keys !== 3) return undefined;
      list[i] = { role, content, name };
    }
  }
  return list;
}

function isPlain(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

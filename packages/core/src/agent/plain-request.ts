import type { ChatMessage, SamplingOptions, ToolCall, ToolDefinition } from '../types/messages.js';
import type { RunRequest } from './request.js';

/**
 * The request schema's work, by hand, for the shape nearly every request has: text messages of the
 * system, user and assistant roles, a ladder of tier names, thresholds as an array, limits as numbers,
 * sampling controls, and metadata and hand-offs as plain objects. Returns what the schema would return
 * (fresh messages, arrays and records, the same fields), or `undefined` for anything else, which the schema
 * then checks and names.
 * A schema parse costs far more inside a busy server (its code sees every shape the process validates)
 * than this monomorphic walk.
 */
export function plainRequest(plain: Record<string, unknown>): RunRequest | undefined {
  const out: Record<string, unknown> = {};
  for (const key in plain) {
    const value = plain[key];
    if (value === undefined) return undefined;
    switch (key) {
      case 'query':
      case 'system':
      case 'userId':
        if (typeof value !== 'string') return undefined;
        out[key] = value;
        break;
      case 'messages': {
        // Text messages, the usual case, by the quick walk; an agent's turn (tool calls, results) by the other.
        const messages = textMessages(value) ?? agentMessages(value);
        if (!messages) return undefined;
        out.messages = messages;
        break;
      }
      case 'tools': {
        const tools = plainTools(value);
        if (!tools) return undefined;
        out.tools = tools;
        break;
      }
      case 'toolChoice':
        if (value === 'auto' || value === 'none' || value === 'required') out.toolChoice = value;
        else {
          const name = ownFields(value, ['name']) ? (value as { name: unknown }).name : undefined;
          if (typeof name !== 'string') return undefined;
          out.toolChoice = { name };
        }
        break;
      case 'ladder':
        if (!Array.isArray(value) || value.length === 0 || !value.every((t) => typeof t === 'string'))
          return undefined;
        out.ladder = [...value];
        break;
      case 'thresholds':
        if (!Array.isArray(value) || !value.every((t) => typeof t === 'number' && t >= 0 && t <= 1))
          return undefined;
        out.thresholds = [...value];
        break;
      case 'maxTokens':
        if (!Number.isSafeInteger(value) || (value as number) <= 0) return undefined;
        out.maxTokens = value;
        break;
      case 'temperature':
        if (typeof value !== 'number' || !(value >= 0 && value <= 2)) return undefined;
        out.temperature = value;
        break;
      case 'timeoutMs':
        if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) return undefined;
        out.timeoutMs = value;
        break;
      case 'parallelToolCalls':
        if (typeof value !== 'boolean') return undefined;
        out.parallelToolCalls = value;
        break;
      case 'sampling': {
        const sampling = plainSampling(value);
        if (!sampling) return undefined;
        out.sampling = sampling;
        break;
      }
      case 'metadata':
      case 'handoffs': {
        const record = plainRecord(value);
        if (!record) return undefined;
        out[key] = record;
        break;
      }
      default:
        return undefined;
    }
  }
  return out as RunRequest;
}

/** Fresh `{ role, content }` messages when every one is a plain text message; undefined otherwise. */
function textMessages(value: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const messages: ChatMessage[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const m = value[i] as { role?: unknown; content?: unknown } | null;
    if (typeof m !== 'object' || m === null || Object.getPrototypeOf(m) !== Object.prototype)
      return undefined;
    let keys = 0;
    for (const _ in m) keys++;
    if (keys !== 2 || typeof m.content !== 'string') return undefined;
    if (m.role !== 'user' && m.role !== 'system' && m.role !== 'assistant') return undefined;
    messages[i] = { role: m.role, content: m.content };
  }
  return messages;
}

/**
 * Whether `value` is a plain object whose own keys are among `allowed` (so that the schema would strip
 * none: an unknown key is left to it).
 */
function ownFields(value: unknown, allowed: readonly string[]): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (!allowed.includes(key)) return false;
  return true;
}

/** An object literal's kind of object: Object's prototype, no symbol keys. */
function isPlainObject(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}

/** Fresh tool calls `{ id, name, arguments }` (strings); undefined for anything else. */
function plainToolCalls(value: unknown): ToolCall[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const calls: ToolCall[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as Partial<ToolCall>;
    if (!ownFields(c, ['id', 'name', 'arguments'])) return undefined;
    if (typeof c.id !== 'string' || typeof c.name !== 'string' || typeof c.arguments !== 'string')
      return undefined;
    calls[i] = { id: c.id, name: c.name, arguments: c.arguments };
  }
  return calls;
}

/**
 * Fresh messages of an agent's turn: system and user text, assistant text or tool calls (`content` may be
 * null), tool results with their `toolCallId`; undefined for anything else (images, unknown keys).
 */
function agentMessages(value: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const messages: ChatMessage[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const m = value[i] as Record<string, unknown>;
    const { role, content } = m ?? {};
    if (role === 'system' || role === 'user') {
      if (!ownFields(m, ['role', 'content']) || typeof content !== 'string') return undefined;
      messages[i] = { role, content };
    } else if (role === 'assistant') {
      if (!ownFields(m, ['role', 'content', 'toolCalls'])) return undefined;
      if (typeof content !== 'string' && content !== null) return undefined;
      if (!('toolCalls' in m)) messages[i] = { role, content };
      else {
        const toolCalls = plainToolCalls(m.toolCalls);
        if (!toolCalls) return undefined;
        messages[i] = { role, content, toolCalls };
      }
    } else if (role === 'tool') {
      const toolCallId = m.toolCallId;
      if (!ownFields(m, ['role', 'content', 'toolCallId']) || typeof content !== 'string') return undefined;
      if (typeof toolCallId !== 'string' || toolCallId === '') return undefined;
      messages[i] = { role, content, toolCallId };
    } else return undefined;
  }
  return messages;
}

/** Fresh tools `{ name, description?, parameters }` (a shallow copy of each schema); undefined otherwise. */
function plainTools(value: unknown): ToolDefinition[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const tools: ToolDefinition[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const t = value[i] as Partial<ToolDefinition>;
    if (!ownFields(t, ['name', 'description', 'parameters'])) return undefined;
    if (typeof t.name !== 'string' || t.name === '') return undefined;
    const parameters = plainRecord(t.parameters);
    if (!parameters) return undefined;
    if (t.description === undefined) {
      if ('description' in t) return undefined;
      tools[i] = { name: t.name, parameters };
    } else {
      if (typeof t.description !== 'string') return undefined;
      tools[i] = { name: t.name, description: t.description, parameters };
    }
  }
  return tools;
}

const isPenalty = (v: unknown) => typeof v === 'number' && v >= -2 && v <= 2;

/** A fresh copy of valid sampling controls (a plain object of known keys); undefined for anything else. */
function plainSampling(value: unknown): SamplingOptions | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: SamplingOptions = {};
  const v = value as Record<string, unknown>;
  for (const key in v) {
    const x = v[key];
    switch (key) {
      case 'topP':
        if (typeof x !== 'number' || !(x >= 0 && x <= 1)) return undefined;
        out.topP = x;
        break;
      case 'topK':
        if (!Number.isSafeInteger(x) || (x as number) <= 0) return undefined;
        out.topK = x as number;
        break;
      case 'seed':
        if (!Number.isSafeInteger(x)) return undefined;
        out.seed = x as number;
        break;
      case 'frequencyPenalty':
      case 'presencePenalty':
        if (!isPenalty(x)) return undefined;
        out[key] = x as number;
        break;
      case 'stopSequences':
        if (
          !Array.isArray(x) ||
          x.length === 0 ||
          x.length > 4 ||
          !x.every((t) => typeof t === 'string' && t !== '')
        )
          return undefined;
        out.stopSequences = [...x];
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** A shallow copy of a plain object with string keys only; undefined for anything else. */
function plainRecord(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0 || Object.hasOwn(value, '__proto__')) return undefined;
  return { ...value };
}

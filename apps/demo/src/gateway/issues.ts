import type { z } from 'zod';
import { httpError } from './errors.js';

/**
 * The issue to report: for a value that matched no branch of a union (a string or an array of parts), the
 * deepest issue of the branch that got furthest, its path made absolute, so that the 400 names the field
 * that was wrong (`messages.0.content.1.source.media_type`) rather than the union (`messages.0.content`).
 */
export function deepestIssue(issue: z.core.$ZodIssue | undefined): z.core.$ZodIssue | undefined {
  if (issue?.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors)
    for (const sub of branch) {
      const inner = deepestIssue(sub);
      if (inner && (!best || inner.path.length > best.path.length)) best = inner;
    }
  if (!best || best.path.length === 0) return issue;
  return Object.assign({}, best, { path: [...issue.path, ...best.path] }) as z.core.$ZodIssue;
}

/** The value at `path` in `body`, or undefined. */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = body;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * A plain message for a part, block or tool of a kind the gateway does not take (an `input_audio` part, a
 * `search_result` block, a server tool), naming the kind and what is taken; undefined for any other issue.
 */
export function unsupportedKind(
  issue: z.core.$ZodIssue | undefined,
  body: unknown,
  kinds: RefusalRules['kinds'],
): string | undefined {
  if (!issue || issue.path.length < 2) return undefined;
  const path = issue.path;
  const last = path[path.length - 1];
  // A tool with no input_schema but a type of its own: a server tool (web search, code execution).
  if (last === 'input_schema' && path[0] === 'tools' && path.length === 3) {
    const type = valueAt(body, [...path.slice(0, -1), 'type']);
    if (typeof type === 'string' && type !== 'custom')
      return `${path.slice(0, -1).join('.')}: server tools ("${type}") are not supported by this gateway; give tools with an input_schema.`;
    return undefined;
  }
  // Only the kinds of parts, blocks, items and tools: a setting's own `type` (`thinking.type`) is a plain value.
  if (last !== 'type' || !['messages', 'input', 'system', 'tools'].includes(String(path[0])))
    return undefined;
  const type = valueAt(body, path);
  if (typeof type !== 'string') return undefined;
  const where = path.slice(0, -1).join('.');
  if (path[0] === 'tools')
    return `${where}: "${type}" tools are not supported by this gateway (${kinds.tools ?? 'function tools'} are).`;
  // A block inside a block's content: a tool result's.
  if (path.filter((p) => p === 'content').length > 1)
    return `${where}: "${type}" ${kinds.what} in tool results are not supported by this gateway (text, images and documents are).`;
  return `${where}: "${type}" ${kinds.what} are not supported by this gateway (${kinds.taken} are).`;
}

/** How a body's API names what it refuses. */
export interface RefusalRules {
  /** The kinds its parts, blocks or items may have (see {@link unsupportedKind}). */
  kinds: { what: string; taken: string; tools?: string };
  /** Fields the API has and this gateway does not support, each with what to do instead. */
  unsupported: Readonly<Record<string, string>>;
}

/** The usual reason of an unsupported field. */
export const NOT_SUPPORTED = 'not supported by this gateway; remove it.';

/**
 * A zod failure of a body as a 400 that names the field: a part, block or tool of a kind not taken; a field
 * of the API the gateway does not support (`unsupported_parameter`, with what to do); an unknown field
 * (`unknown_parameter`); any other value, with the schema's message (`invalid_request`).
 */
export function refuseBody(
  reported: z.core.$ZodIssue | undefined,
  body: unknown,
  rules: RefusalRules,
): never {
  const issue = deepestIssue(reported);
  const kind = unsupportedKind(issue, body, rules.kinds);
  if (kind) throw httpError(400, 'unsupported_parameter', kind);
  const path = (issue?.path ?? []).map(String).join('.');
  if (issue?.code === 'unrecognized_keys') {
    const field = issue.keys[0]!;
    const where = path ? `${path}.${field}` : field;
    const why = Object.hasOwn(rules.unsupported, field) ? rules.unsupported[field] : undefined;
    throw httpError(
      400,
      why ? 'unsupported_parameter' : 'unknown_parameter',
      why ? `${where}: ${why}` : `${where}: unknown field; remove it.`,
    );
  }
  throw httpError(400, 'invalid_request', `${path || 'body'}: ${issue?.message ?? 'is invalid'}.`);
}

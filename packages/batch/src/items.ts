import { type CascadeResult, checkRunRequest, InvalidConfigError, type RunRequest } from '@cascadeflow/core';
import { z } from 'zod';

/** One query of a batch: a string, or a full request (with an optional `id` for your bookkeeping). */
export type BatchInput = string | (RunRequest & { id?: string });

/** What became of one item. */
export interface BatchItemOutcome {
  index: number;
  id: string;
  ok: boolean;
  result: CascadeResult | null;
  error: { code: string; message: string } | null;
  /** Runs made for this item (a retry makes two). */
  runs: number;
  /**
   * True when the item did not run to its end because the batch ended first (abort, total timeout, stop on
   * error): it is not checkpointed, and a resumed batch runs it.
   */
  pending?: boolean;
}

/** A line of an input file that is not a query (invalid JSON, `null`, a number): an error for that item alone. */
export class InvalidLine {
  constructor(readonly problem: string) {}
}

/** The fields a batch item may have, with their types; any other field is refused by name. */
const itemSchema = z
  .object({
    id: z.string().min(1).optional(),
    query: z.string().optional(),
    messages: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
    system: z.string().optional(),
    ladder: z
      .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
      .min(1)
      .optional(),
    thresholds: z.union([z.record(z.string(), z.number()), z.array(z.number())]).optional(),
    maxTokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    tools: z.array(z.record(z.string(), z.unknown())).optional(),
    toolChoice: z.union([z.enum(['auto', 'none', 'required']), z.object({ name: z.string() })]).optional(),
    parallelToolCalls: z.boolean().optional(),
    responseFormat: z.record(z.string(), z.unknown()).optional(),
    sampling: z.record(z.string(), z.unknown()).optional(),
    timeoutMs: z.number().positive().optional(),
    userId: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    handoffs: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * Checks an item strictly; returns the request, or the reason it cannot run, naming the item (`where`: "item
 * 3", "line 4") and the field. Nothing invalid is ever sent to a model.
 */
export function normalizeItem(
  input: unknown,
  where: string,
  maxChars: number,
): { request: RunRequest; id: string } | { error: { code: string; message: string }; id: string } {
  const fallbackId = /\d+$/.exec(where)?.[0] ?? where;
  const fail = (id: string, message: string) => ({
    id,
    error: { code: 'invalid_item', message: `${where}: ${message}` },
  });
  if (input instanceof InvalidLine) return fail(fallbackId, input.problem);
  if (typeof input === 'string') {
    if (input.trim() === '') return fail(fallbackId, 'the query is empty');
    if (input.length > maxChars)
      return fail(
        fallbackId,
        `the query has ${input.length} characters, more than maxQueryChars (${maxChars})`,
      );
    return { id: fallbackId, request: { query: input } };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return fail(fallbackId, `expected a query string or a request object, got ${kindOf(input)}`);
  const rawId = (input as { id?: unknown }).id;
  const id = typeof rawId === 'string' && rawId !== '' ? rawId : fallbackId;
  const parsed = itemSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') return fail(id, `${issue.keys[0]}: unknown field; remove it`);
    return fail(id, `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`);
  }
  const { id: _id, ...request } = input as RunRequest & { id?: string };
  if (request.query === undefined && request.messages === undefined)
    return fail(id, 'give a "query" or "messages"');
  // Every field as run() checks it: a native batch sends the request to the provider before any run.
  try {
    checkRunRequest(request);
  } catch (e) {
    if (!(e instanceof InvalidConfigError)) throw e;
    return fail(id, `${e.field.replace(/^request\./, '')}: ${e.problem}`);
  }
  const text = request.query ?? request.messages?.map((m) => m.content ?? '').join('\n') ?? '';
  if (text.length > maxChars)
    return fail(id, `the request has ${text.length} characters, more than maxQueryChars (${maxChars})`);
  return { id, request };
}

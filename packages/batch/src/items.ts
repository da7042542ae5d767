import type { CascadeResult, RunRequest } from '@cascadeflow/core';

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
}

/** Checks an item; returns the request, or the reason it cannot run. */
export function normalizeItem(
  input: unknown,
  index: number,
  maxChars: number,
): { request: RunRequest; id: string } | { error: { code: string; message: string }; id: string } {
  const id =
    typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string'
      ? (input as { id: string }).id
      : String(index);
  if (typeof input === 'string') {
    if (input.trim() === '')
      return { id, error: { code: 'invalid_item', message: `item ${index}: the query is empty` } };
    if (input.length > maxChars)
      return {
        id,
        error: {
          code: 'invalid_item',
          message: `item ${index}: the query has ${input.length} characters, more than maxQueryChars (${maxChars})`,
        },
      };
    return { id, request: { query: input } };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      id,
      error: {
        code: 'invalid_item',
        message: `item ${index}: expected a string or a request object, got ${Array.isArray(input) ? 'an array' : typeof input}`,
      },
    };
  }
  const { id: _id, ...request } = input as RunRequest & { id?: string };
  const text = request.query ?? request.messages?.map((m) => m.content ?? '').join('\n') ?? '';
  if (text.length > maxChars)
    return {
      id,
      error: {
        code: 'invalid_item',
        message: `item ${index}: the request has ${text.length} characters, more than maxQueryChars (${maxChars})`,
      },
    };
  return { id, request };
}

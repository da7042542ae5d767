import type { ChatMessage } from '@cascadeflow/core';
import { DatasetError } from '../dataset/records.js';

/** One model's answer to a recorded live request, before it is labelled. */
export interface LiveAnswer {
  answer: string;
  /** Mean token log-prob of the answer, or null when the provider gave none. */
  raw_conf: number | null;
  cost_usd: number;
  tokens_in: number;
  tokens_out: number;
  latency_ms: number;
  /** True when the cascade did not run this model and the recorder called it in the background. */
  shadow: boolean;
}

/**
 * A live request as the recording plugin writes it (one JSON line): the question, every ladder model's
 * answer, and which model answered the caller. `labelRecords` turns it into the eval's record format.
 */
export interface LiveRecord {
  format: 'cascadeflow.live-record';
  version: 1;
  /** The run id: the gateway's response id is `chatcmpl-<id>`, which feedback refers to. */
  id: string;
  at: string;
  user_id: string | null;
  system_prompt: string;
  user_prompt: string;
  /** The model whose answer the caller got. */
  answered_by: string;
  /** Every model of the recorded ladder, cheapest first. */
  models: Record<string, LiveAnswer>;
}

/** The system prompt and the last user message of a request's messages. */
export function promptsOf(messages: readonly ChatMessage[]): { system: string; user: string } {
  return {
    system: messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n'),
    user: messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
  };
}

/** Validates one parsed line of a recording. */
export function toLiveRecord(raw: unknown, file: string, line: number): LiveRecord {
  const fail = (field: string, problem: string): never => {
    throw new DatasetError(file, line, field, problem);
  };
  if (typeof raw !== 'object' || raw === null) return fail('(line)', 'is not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== 'cascadeflow.live-record') fail('format', 'must be "cascadeflow.live-record"');
  if (r.version !== 1) fail('version', `unsupported version ${String(r.version)}; this release reads 1`);
  for (const f of ['id', 'at', 'system_prompt', 'user_prompt', 'answered_by'])
    if (typeof r[f] !== 'string') fail(f, 'missing or not a string');
  if (typeof r.models !== 'object' || r.models === null) fail('models', 'missing or not an object');
  for (const [m, a] of Object.entries(r.models as Record<string, Record<string, unknown>>)) {
    if (typeof a?.answer !== 'string') fail(`models.${m}.answer`, 'missing or not a string');
    if (!(a.raw_conf === null || typeof a.raw_conf === 'number'))
      fail(`models.${m}.raw_conf`, 'must be a number or null');
    if (typeof a.cost_usd !== 'number' || !(a.cost_usd >= 0))
      fail(`models.${m}.cost_usd`, 'missing or not a number ≥ 0');
  }
  if (!((r.answered_by as string) in (r.models as object)))
    fail('answered_by', `"${String(r.answered_by)}" is not one of the recorded models`);
  return r as unknown as LiveRecord;
}

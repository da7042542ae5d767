import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicError, anthropicMessage } from './anthropic-wire.js';
import type { ModelScript } from './script.js';
import { resolveReply, stopSequencesOf } from './tokens.js';

/**
 * Anthropic Message Batches (docs.anthropic.com/en/api/creating-message-batches): `POST /v1/messages/batches`
 * with `requests: [{ custom_id, params }]`, `GET /v1/messages/batches/{id}` (`processing_status`
 * `in_progress`, then `ended` with a `results_url`), `GET /v1/messages/batches/{id}/results` (JSONL of
 * `{ custom_id, result: { type: 'succeeded', message } | { type: 'errored', error } }`).
 */
export interface AnthropicBatchState {
  batches: Map<
    string,
    {
      id: string;
      requests: { custom_id: string; params: Record<string, unknown> }[];
      polls: number;
      results: string | null;
      created_at: string;
      ended_at: string | null;
    }
  >;
  pollsUntilDone: number;
  created: string[];
}

export function newAnthropicBatchState(): AnthropicBatchState {
  return { batches: new Map(), pollsUntilDone: 1, created: [] };
}

let seq = 0;

function view(b: AnthropicBatchState['batches'] extends Map<string, infer B> ? B : never, base: string) {
  const ended = b.results !== null;
  const lines = b.results?.trim().split('\n') ?? [];
  const ok = lines.filter((l) => l.includes('"succeeded"')).length;
  return {
    id: b.id,
    type: 'message_batch',
    processing_status: ended ? 'ended' : 'in_progress',
    request_counts: {
      processing: ended ? 0 : b.requests.length,
      succeeded: ok,
      errored: lines.length - ok,
      canceled: 0,
      expired: 0,
    },
    ended_at: b.ended_at,
    created_at: b.created_at,
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    archived_at: null,
    cancel_initiated_at: null,
    results_url: ended ? `${base}/v1/messages/batches/${b.id}/results` : null,
  };
}

async function run(
  b: AnthropicBatchState['batches'] extends Map<string, infer B> ? B : never,
  scripts: Map<string, ModelScript>,
) {
  const out: string[] = [];
  for (const r of b.requests) {
    const model = String(r.params.model);
    const script = scripts.get(model);
    if (!script) {
      out.push(
        JSON.stringify({
          custom_id: r.custom_id,
          result: { type: 'errored', error: anthropicError(404, `model: ${model}`) },
        }),
      );
      continue;
    }
    const scripted =
      typeof script === 'function'
        ? await script({ api: 'anthropic', model, body: r.params, stream: false })
        : script;
    const prompt = ((r.params.messages as { content?: unknown }[]) ?? [])
      .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
      .join('\n');
    const message = anthropicMessage(resolveReply(scripted, prompt, stopSequencesOf('anthropic', r.params)), {
      id: `msg_batch_${++seq}`,
      model,
    });
    out.push(JSON.stringify({ custom_id: r.custom_id, result: { type: 'succeeded', message } }));
  }
  b.results = `${out.join('\n')}\n`;
  b.ended_at = new Date().toISOString();
}

/** Handles a Message Batches request; returns false when the path is not one of them. */
export async function handleAnthropicBatches(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: Buffer,
  state: AnthropicBatchState,
  scripts: Map<string, ModelScript>,
): Promise<boolean> {
  const base = `http://${req.headers.host}`;
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'POST' && path === '/v1/messages/batches') {
    const body = JSON.parse(raw.toString('utf8')) as {
      requests?: { custom_id: string; params: Record<string, unknown> }[];
    };
    if (!Array.isArray(body.requests) || body.requests.length === 0) {
      json(400, anthropicError(400, 'requests: must be a non-empty array'));
      return true;
    }
    const b = {
      id: `msgbatch_${(++seq).toString(36).padStart(8, '0')}`,
      requests: body.requests,
      polls: 0,
      results: null,
      created_at: new Date().toISOString(),
      ended_at: null,
    };
    state.batches.set(b.id, b);
    state.created.push(b.id);
    json(200, view(b, base));
    return true;
  }
  const m = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path);
  if (req.method === 'GET' && m) {
    const b = state.batches.get(m[1]!);
    if (!b) {
      json(404, anthropicError(404, `No batch ${m[1]}`));
      return true;
    }
    if (m[2]) {
      if (b.results === null) json(400, anthropicError(400, 'The batch has not ended'));
      else {
        res.writeHead(200, { 'content-type': 'application/binary' });
        res.end(b.results);
      }
      return true;
    }
    if (b.results === null && ++b.polls > state.pollsUntilDone) await run(b, scripts);
    json(200, view(b, base));
    return true;
  }
  return false;
}

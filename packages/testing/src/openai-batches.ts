import type { IncomingMessage, ServerResponse } from 'node:http';
import { openaiCompletion, openaiError } from './openai-wire.js';
import type { ModelScript } from './script.js';
import { resolveReply, stopSequencesOf } from './tokens.js';

/**
 * OpenAI Files and Batch API (platform.openai.com/docs/api-reference/batch): `POST /v1/files` (multipart,
 * purpose `batch`), `GET /v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches/{id}`,
 * `POST /v1/batches/{id}/cancel`. A batch is `validating`, then `in_progress` for `pollsUntilDone` polls,
 * then `completed` with an output file of `{ id, custom_id, response: { status_code, request_id, body } }`
 * lines (and an error file for lines whose model is unknown).
 */
export interface BatchApiState {
  files: Map<string, { id: string; filename: string; purpose: string; content: string }>;
  batches: Map<string, Record<string, unknown> & { id: string; status: string; polls: number }>;
  /** Polls a batch stays in progress before completing. */
  pollsUntilDone: number;
  /** Batches created, in order (tests count them to prove nothing was paid twice). */
  created: string[];
  /**
   * Custom ids that the next completed batches answer with a server error line (status 500) instead of an
   * answer, once each: a fault for one item of a provider batch.
   */
  failItems: Set<string>;
}

export function newBatchApiState(): BatchApiState {
  return { files: new Map(), batches: new Map(), pollsUntilDone: 1, created: [], failItems: new Set() };
}

let seq = 0;
const id = (prefix: string) => `${prefix}_${(++seq).toString(36).padStart(8, '0')}`;

function parseMultipart(
  body: Buffer,
  contentType: string,
): Record<string, { filename?: string; data: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) throw new Error('multipart body without a boundary');
  const parts: Record<string, { filename?: string; data: Buffer }> = {};
  const delim = Buffer.from(`--${b}`);
  let at = body.indexOf(delim);
  while (at !== -1) {
    const next = body.indexOf(delim, at + delim.length);
    if (next === -1) break;
    const part = body.subarray(at + delim.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (name)
      parts[name] = Object.assign({}, filename !== undefined ? { filename } : {}, {
        data: part.subarray(split + 4),
      });
    at = next;
  }
  return parts;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Handles a Files/Batches request; returns false when the path is not one of them. */
export async function handleBatchApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: Buffer,
  state: BatchApiState,
  scripts: Map<string, ModelScript>,
): Promise<boolean> {
  const now = () => Math.floor(Date.now() / 1000);
  if (req.method === 'POST' && path === '/v1/files') {
    const parts = parseMultipart(raw, String(req.headers['content-type'] ?? ''));
    const file = parts.file;
    if (!file) {
      json(res, 400, openaiError(400, "Missing 'file' in the multipart body"));
      return true;
    }
    const f = {
      id: id('file'),
      filename: file.filename ?? 'upload.jsonl',
      purpose: parts.purpose?.data.toString('utf8') ?? 'batch',
      content: file.data.toString('utf8'),
    };
    state.files.set(f.id, f);
    json(res, 200, {
      id: f.id,
      object: 'file',
      bytes: file.data.length,
      created_at: now(),
      filename: f.filename,
      purpose: f.purpose,
      status: 'processed',
    });
    return true;
  }
  const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
  if (req.method === 'GET' && content) {
    const f = state.files.get(content[1]!);
    if (!f) json(res, 404, openaiError(404, `No file ${content[1]}`));
    else {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(f.content);
    }
    return true;
  }
  if (req.method === 'POST' && path === '/v1/batches') {
    const body = JSON.parse(raw.toString('utf8')) as {
      input_file_id: string;
      endpoint: string;
      completion_window: string;
      metadata?: unknown;
    };
    if (!state.files.has(body.input_file_id)) {
      json(res, 400, openaiError(400, `No file ${body.input_file_id}`));
      return true;
    }
    const lines = state.files
      .get(body.input_file_id)!
      .content.split('\n')
      .filter((l) => l.trim() !== '');
    const batch = {
      id: id('batch'),
      object: 'batch',
      endpoint: body.endpoint,
      errors: null,
      input_file_id: body.input_file_id,
      completion_window: body.completion_window,
      status: 'validating',
      output_file_id: null as string | null,
      error_file_id: null as string | null,
      created_at: now(),
      in_progress_at: null,
      expires_at: now() + 86_400,
      completed_at: null as number | null,
      request_counts: { total: lines.length, completed: 0, failed: 0 },
      metadata: body.metadata ?? null,
      polls: 0,
    };
    state.batches.set(batch.id, batch);
    state.created.push(batch.id);
    const { polls: _p, ...visible } = batch;
    json(res, 200, visible);
    return true;
  }
  const get = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
  if (get) {
    const batch = state.batches.get(get[1]!);
    if (!batch) {
      json(res, 404, openaiError(404, `No batch ${get[1]}`));
      return true;
    }
    if (get[2] && req.method === 'POST') batch.status = 'cancelled';
    else if (batch.status === 'validating' || batch.status === 'in_progress') {
      batch.polls++;
      batch.status = 'in_progress';
      if (batch.polls > state.pollsUntilDone) await complete(batch, state, scripts);
    }
    const { polls: _p, ...visible } = batch;
    json(res, 200, visible);
    return true;
  }
  return false;
}

async function complete(
  batch: BatchApiState['batches'] extends Map<string, infer B> ? B : never,
  state: BatchApiState,
  scripts: Map<string, ModelScript>,
) {
  const input = state.files
    .get(String(batch.input_file_id))!
    .content.split('\n')
    .filter((l) => l.trim() !== '');
  const out: string[] = [];
  const errors: string[] = [];
  for (const line of input) {
    const item = JSON.parse(line) as { custom_id: string; body: Record<string, unknown> };
    const model = String(item.body.model);
    const script = scripts.get(model);
    if (state.failItems.delete(item.custom_id)) {
      errors.push(
        JSON.stringify({
          id: id('batch_req'),
          custom_id: item.custom_id,
          response: {
            status_code: 500,
            request_id: id('req'),
            body: {
              error: { message: 'The server had an error processing your request.', type: 'server_error' },
            },
          },
          error: null,
        }),
      );
      continue;
    }
    if (!script) {
      errors.push(
        JSON.stringify({
          id: id('batch_req'),
          custom_id: item.custom_id,
          response: null,
          error: { code: 'model_not_found', message: `The model ${model} does not exist` },
        }),
      );
      continue;
    }
    const scripted =
      typeof script === 'function'
        ? await script({ api: 'openai', model, body: item.body, stream: false })
        : script;
    const prompt = ((item.body.messages as { content?: unknown }[]) ?? [])
      .map((m) => String(m.content ?? ''))
      .join('\n');
    const reply = resolveReply(scripted, prompt, stopSequencesOf('openai', item.body));
    const body = openaiCompletion(reply, {
      id: id('chatcmpl'),
      model,
      created: Math.floor(Date.now() / 1000),
      logprobs: item.body.logprobs === true,
      topLogprobs: 0,
      includeUsage: false,
      // The Batch API is OpenAI's: vLLM's server has no `/v1/batches`, so no dialect applies here.
      stopReason: false,
    });
    out.push(
      JSON.stringify({
        id: id('batch_req'),
        custom_id: item.custom_id,
        response: { status_code: 200, request_id: id('req'), body },
        error: null,
      }),
    );
  }
  const outFile = {
    id: id('file'),
    filename: 'batch_output.jsonl',
    purpose: 'batch_output',
    content: `${out.join('\n')}\n`,
  };
  state.files.set(outFile.id, outFile);
  batch.output_file_id = outFile.id;
  if (errors.length) {
    const errFile = {
      id: id('file'),
      filename: 'batch_errors.jsonl',
      purpose: 'batch_output',
      content: `${errors.join('\n')}\n`,
    };
    state.files.set(errFile.id, errFile);
    batch.error_file_id = errFile.id;
  }
  batch.status = 'completed';
  batch.completed_at = Math.floor(Date.now() / 1000);
  batch.request_counts = { total: input.length, completed: out.length, failed: errors.length };
}

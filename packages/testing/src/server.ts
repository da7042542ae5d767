import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AnthropicBatchState,
  handleAnthropicBatches,
  newAnthropicBatchState,
} from './anthropic-batches.js';
import { anthropicError, anthropicEvents, anthropicMessage } from './anthropic-wire.js';
import { type BatchApiState, handleBatchApi, newBatchApiState } from './openai-batches.js';
import { openaiChunks, openaiCompletion, openaiError } from './openai-wire.js';
import type { Fault, ModelScript, ScriptRequest } from './script.js';
import { type ResolvedReply, resolveReply, stopSequencesOf } from './tokens.js';

/**
 * The categories of OpenAI's `omni-moderation-latest` (platform.openai.com/docs/api-reference/moderations).
 *
 * @example
 * ```ts
 * server.setModeration(() => Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0])));
 * ```
 */
export const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

/** Scores of one moderation input by category (missing categories score 0). */
export type ModerationScript = (
  input: string,
) => Partial<Record<(typeof MODERATION_CATEGORIES)[number], number>>;

/**
 * The default moderation script: a few obvious phrases score high, everything else 0.01.
 *
 * @example
 * ```ts
 * server.setModeration((text) => (text.includes('forbidden') ? { violence: 0.9 } : defaultModeration(text)));
 * ```
 */
export const defaultModeration: ModerationScript = (input) => {
  const t = input.toLowerCase();
  return {
    violence: /\b(kill|murder|stab)\b/.test(t) ? 0.92 : 0.01,
    'harassment/threatening': /\bi will (kill|hurt) you\b/.test(t) ? 0.95 : 0.01,
    'self-harm': /\b(kill myself|suicide)\b/.test(t) ? 0.9 : 0.01,
    hate: 0.01,
  };
};

/** One request the server received, with what became of it. */
export interface RecordedRequest {
  id: string;
  api: 'openai' | 'anthropic';
  path: string;
  model: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  stream: boolean;
  /** The fault injected into this request, if any. */
  fault: Fault | null;
  /** HTTP status sent. */
  status: number;
  /** Stream frames written so far. */
  chunksSent: number;
  /** Stream frames the answer has in all (0 when not streamed). */
  chunksPlanned: number;
  /** `chunksSent` at the moment the client closed the connection (null while it is open or after completion). */
  chunksAtClose: number | null;
  /** True once the response was fully written. */
  completed: boolean;
  /** True when the client closed the connection before the response was complete. */
  closedByClient: boolean;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Scripts by model name. A request for a model with no script gets a 404 `model_not_found`. */
  models?: Record<string, ModelScript>;
  /** Scores `/v1/moderations` inputs by category; default {@link defaultModeration}. */
  moderation?: ModerationScript;
  /** Port to listen on; default 0 (any free port). Always bound to 127.0.0.1. */
  port?: number;
  /**
   * Keep every request in {@link TestServer.requests} (default true). A benchmark's server answers hundreds
   * of thousands of requests: without a log its heap, and so its speed, stays the same all run long.
   */
  recordRequests?: boolean;
  /**
   * Which OpenAI-compatible server to speak as on `/v1/chat/completions` (default `'openai'`). `'vllm'` adds
   * vLLM's `stop_reason` to every finished choice, whole and streamed: the stop sequence that cut the answer,
   * or null.
   */
  openaiDialect?: 'openai' | 'vllm';
}

/** A running loopback provider server. Close it with {@link TestServer.close}. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Base URL for the `openai` SDK (`<url>/v1`). */
  readonly openaiBaseURL: string;
  /** Base URL for the `@anthropic-ai/sdk` client (`<url>`). */
  readonly anthropicBaseURL: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** The OpenAI Files and Batch API state: files, batches, and how many polls a batch takes. */
  readonly batchApi: BatchApiState;
  /** The Anthropic Message Batches state. */
  readonly anthropicBatches: AnthropicBatchState;
  /** Sets or replaces the script of a model. */
  setModel(model: string, script: ModelScript): void;
  /** Sets how `/v1/moderations` scores inputs. */
  setModeration(script: ModerationScript): void;
  /** Injects a fault for the next `times` requests (default 1) to `model` (`'*'` for any model). */
  injectFault(model: string, fault: Fault, times?: number): void;
  /** Requests made to one model. */
  requestsFor(model: string): RecordedRequest[];
  /** Resolves when a request matching `predicate` has closed (completed or cut), or rejects after `timeoutMs`. */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets recorded requests and pending faults (scripts are kept). */
  reset(): void;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

interface PendingFault {
  fault: Fault;
  remaining: number;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

function promptText(api: 'openai' | 'anthropic', body: Record<string, unknown>): string {
  const parts: string[] = [];
  if (api === 'anthropic' && body.system) parts.push(JSON.stringify(body.system));
  for (const m of (body.messages as { content?: unknown }[] | undefined) ?? []) {
    parts.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''));
  }
  return parts.join('\n');
}

/**
 * Starts a loopback HTTP server that speaks OpenAI chat completions (`POST /v1/chat/completions`) and
 * Anthropic messages (`POST /v1/messages`), streamed or not, so the real SDKs run end to end offline.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { startTestServer } from '@cascadeflow/testing';
 *
 * const server = await startTestServer({ models: { 'gpt-4o-mini': { content: 'Paris' } } });
 * const client = new OpenAI({ apiKey: 'test', baseURL: server.openaiBaseURL });
 * const res = await client.chat.completions.create({
 *   model: 'gpt-4o-mini',
 *   messages: [{ role: 'user', content: 'Capital of France?' }],
 * });
 * console.log(res.choices[0]?.message.content); // "Paris"
 * server.injectFault('gpt-4o-mini', { kind: 'status', status: 429, retryAfterSeconds: 1 });
 * await server.close();
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const scripts = new Map<string, ModelScript>(Object.entries(options.models ?? {}));
  let moderation: ModerationScript = options.moderation ?? defaultModeration;
  const batchApi = newBatchApiState();
  const anthropicBatches = newAnthropicBatchState();
  const faults = new Map<string, PendingFault[]>();
  const requests: RecordedRequest[] = [];
  const recording = options.recordRequests ?? true;
  const vllm = options.openaiDialect === 'vllm';
  const waiters = new Set<() => void>();
  let counter = 0;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const takeFault = (model: string): Fault | null => {
    for (const key of [model, '*']) {
      const queue = faults.get(key);
      const head = queue?.[0];
      if (queue && head) {
        head.remaining--;
        if (head.remaining <= 0) queue.shift();
        return head.fault;
      }
    }
    return null;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }));
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/v1/files') || path.startsWith('/v1/batches')) {
      const raw = await readRaw(req);
      if (await handleBatchApi(req, res, path, raw, batchApi, scripts)) return;
    }
    if (path.startsWith('/v1/messages/batches')) {
      const raw = await readRaw(req);
      if (await handleAnthropicBatches(req, res, path, raw, anthropicBatches, scripts)) return;
    }
    if (req.method === 'POST' && path === '/v1/moderations') {
      await handleModeration(req, res);
      return;
    }
    const api = path === '/v1/chat/completions' ? 'openai' : path === '/v1/messages' ? 'anthropic' : null;
    if (req.method !== 'POST' || api === null) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(openaiError(404, `No route ${req.method} ${path} on the test server`)));
      return;
    }
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      const msg = 'Request body is not valid JSON';
      res.end(JSON.stringify(api === 'openai' ? openaiError(400, msg) : anthropicError(400, msg)));
      return;
    }
    const model = String(body.model ?? '');
    const stream = body.stream === true;
    const id = `${api === 'openai' ? 'chatcmpl' : 'msg'}_test_${++counter}`;
    const record = recordRequest({
      id,
      api,
      path,
      model,
      body,
      headers: req.headers,
      stream,
      fault: null,
      status: 0,
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        record.closedByClient = true;
        record.chunksAtClose = record.chunksSent;
      }
      notify();
    });
    const errorBody = (status: number, message: string) =>
      JSON.stringify(api === 'openai' ? openaiError(status, message) : anthropicError(status, message));
    const requestIdHeader = api === 'openai' ? 'x-request-id' : 'request-id';

    const fault = takeFault(model);
    record.fault = fault;
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json', [requestIdHeader]: id };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      record.status = fault.status;
      res.writeHead(fault.status, headers);
      res.end(errorBody(fault.status, fault.message ?? `Injected fault: HTTP ${fault.status}`));
      record.completed = true;
      return;
    }
    if (fault?.kind === 'hang') return; // never answer; the client's timeout or abort closes it

    const script = scripts.get(model);
    if (!script) {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'application/json', [requestIdHeader]: id });
      res.end(
        errorBody(
          404,
          `The model \`${model}\` does not exist on the test server; script it with setModel().`,
        ),
      );
      record.completed = true;
      return;
    }
    const scriptRequest: ScriptRequest = { api, model, body, stream };
    const scripted = typeof script === 'function' ? await script(scriptRequest) : script;
    const reply = resolveReply(scripted, promptText(api, body), stopSequencesOf(api, body));
    await sleep(reply.latencyMs);
    if (record.closedByClient) return;

    if (fault?.kind === 'malformed') {
      record.status = 200;
      if (stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', [requestIdHeader]: id });
        res.write(
          api === 'openai'
            ? 'data: {"id": "broken", "choices": [{\n\n'
            : 'event: message_start\ndata: {"type": "message_start", "message": {\n\n',
        );
        record.chunksSent = 1;
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', [requestIdHeader]: id });
        res.end('{"id": "broken", "choices": [ this is not json');
      }
      record.completed = true;
      return;
    }

    if (!stream) {
      const payload = JSON.stringify(
        api === 'openai'
          ? openaiCompletion(reply, {
              id,
              model,
              created: Math.floor(Date.now() / 1000),
              logprobs: body.logprobs === true,
              topLogprobs: Number(body.top_logprobs ?? 0),
              includeUsage: false,
              stopReason: vllm,
            })
          : anthropicMessage(reply, { id, model }),
      );
      record.status = 200;
      if (fault?.kind === 'cut') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
        });
        res.write(payload.slice(0, Math.floor(payload.length / 2)));
        res.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', [requestIdHeader]: id });
      res.end(payload);
      record.completed = true;
      return;
    }

    const frames = sseFrames(api, reply, id, model, body, vllm);
    record.status = 200;
    record.chunksPlanned = frames.length;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      [requestIdHeader]: id,
    });
    const cutAt =
      fault?.kind === 'cut' ? (fault.afterChunks ?? Math.floor(frames.length / 2)) : Number.POSITIVE_INFINITY;
    for (let i = 0; i < frames.length; i++) {
      if (record.closedByClient || res.destroyed) {
        // A well-behaved server stops generating when the client goes away; count what it skipped.
        return;
      }
      if (i >= cutAt) {
        await sleep(10); // let the frames already written reach the client first
        res.destroy();
        return;
      }
      res.write(frames[i]);
      record.chunksSent++;
      if (i < frames.length - 1) await sleep(reply.tokenDelayMs);
    }
    res.end();
    record.completed = true;
  }

  /** Records a request (progress fields start empty) in the server's log. */
  function recordRequest(
    fields: Omit<
      RecordedRequest,
      'chunksSent' | 'chunksPlanned' | 'chunksAtClose' | 'completed' | 'closedByClient'
    >,
  ): RecordedRequest {
    const record: RecordedRequest = Object.assign({}, fields, {
      chunksSent: 0,
      chunksPlanned: 0,
      chunksAtClose: null,
      completed: false,
      closedByClient: false,
    });
    if (recording) requests.push(record);
    return record;
  }

  async function handleModeration(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as { model?: string; input?: unknown };
    const model = body.model ?? 'omni-moderation-latest';
    const record = recordRequest({
      id: `modr_test_${++counter}`,
      api: 'openai',
      path: '/v1/moderations',
      model,
      body: body as Record<string, unknown>,
      headers: req.headers,
      stream: false,
      fault: takeFault(model),
      status: 200,
    });
    res.on('close', () => {
      if (!res.writableFinished) record.closedByClient = true;
      notify();
    });
    const fault = record.fault;
    if (fault?.kind === 'status') {
      record.status = fault.status;
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
      });
      res.end(
        JSON.stringify(openaiError(fault.status, fault.message ?? `Injected fault: HTTP ${fault.status}`)),
      );
      record.completed = true;
      return;
    }
    if (fault?.kind === 'hang') return;
    const inputs = Array.isArray(body.input)
      ? body.input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
      : [String(body.input ?? '')];
    const results = inputs.map((text) => {
      const scores = moderation(text);
      const category_scores = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, scores[c] ?? 0]));
      const categories = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, (scores[c] ?? 0) >= 0.5]));
      return {
        flagged: Object.values(categories).some(Boolean),
        categories,
        category_scores,
        category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ['text']])),
      };
    });
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': record.id });
    res.end(
      fault?.kind === 'malformed'
        ? '{"id": "modr-broken", "results": ['
        : JSON.stringify({ id: record.id, model, results }),
    );
    record.completed = true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    batchApi,
    anthropicBatches,
    setModel(model, script) {
      scripts.set(model, script);
    },
    setModeration(script) {
      moderation = script;
    },
    injectFault(model, fault, times = 1) {
      const queue = faults.get(model) ?? [];
      queue.push({ fault, remaining: times });
      faults.set(model, queue);
    },
    requestsFor(model) {
      return requests.filter((r) => r.model === model);
    },
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = requests.find((r) => predicate(r) && (r.completed || r.closedByClient));
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching request closed within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        waiters.add(check);
        check();
      });
    },
    reset() {
      requests.length = 0;
      faults.clear();
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function sseFrames(
  api: 'openai' | 'anthropic',
  reply: ResolvedReply,
  id: string,
  model: string,
  body: Record<string, unknown>,
  stopReason: boolean,
): string[] {
  if (api === 'anthropic') {
    return anthropicEvents(reply, { id, model }).map(
      ([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
    );
  }
  const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
  const chunks = openaiChunks(reply, {
    id,
    model,
    created: Math.floor(Date.now() / 1000),
    logprobs: body.logprobs === true,
    topLogprobs: Number(body.top_logprobs ?? 0),
    includeUsage: streamOptions?.include_usage === true,
    stopReason,
  });
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runBatch } from '@cascadeflow/batch';
import { CascadeFlowError, type CascadeResult, type ChatMessage, type RunRequest } from '@cascadeflow/core';
import { cascadeSSE, openAISSE, streamCascade } from '@cascadeflow/streaming';
import { tap } from 'rxjs';
import { dashboardHtml } from '../dashboard/page.js';
import type { Engine } from '../engine.js';
import { type HttpError, httpError, toHttpError } from './errors.js';

const EVAL_CHART = fileURLToPath(new URL('../../../../docs/eval/triviaqa_qwen_oai.svg', import.meta.url));

async function readJson(req: IncomingMessage, limit = 1_000_000): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw httpError(413, 'request_too_large', `The request body is over ${limit} bytes.`);
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw httpError(400, 'invalid_json', `The request body is not a JSON object (${(e as Error).message}).`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: HttpError) {
  if (res.headersSent) {
    res.end();
    return;
  }
  send(res, e.status, e.body, e.headers);
}

function isHttpError(e: unknown): e is HttpError {
  return typeof e === 'object' && e !== null && 'status' in e && 'body' in e;
}

/** What every answer says about the cascade, in headers and in an extra `cascade` field. */
export function cascadeInfo(r: CascadeResult, mode: string) {
  return {
    model: r.model,
    tier: r.tier.index,
    tiers_tried: r.attempts.map((a) => a.model),
    cost_usd: r.totalCost,
    baseline_cost_usd: r.baselineCost,
    saving_usd: r.saving,
    mode,
  };
}

function cascadeHeaders(r: CascadeResult, mode: string): Record<string, string> {
  return {
    'x-cascadeflow-model': r.model,
    'x-cascadeflow-tier': String(r.tier.index),
    'x-cascadeflow-tiers-tried': r.attempts.map((a) => a.model).join(','),
    'x-cascadeflow-cost': String(r.totalCost ?? 'unknown'),
    'x-cascadeflow-saving': String(r.saving ?? 'unknown'),
    'x-cascadeflow-mode': mode,
  };
}

function toMessages(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw httpError(400, 'invalid_request', '`messages` must be a non-empty array.');
  return raw.map((m, i) => {
    const msg = m as { role?: string; content?: unknown };
    const content =
      typeof msg.content === 'string'
        ? msg.content
        : Array.isArray(msg.content)
          ? msg.content.map((p: { text?: string }) => p.text ?? '').join('')
          : null;
    if (msg.role === 'system' || msg.role === 'user') return { role: msg.role, content: content ?? '' };
    if (msg.role === 'assistant') return { role: 'assistant', content };
    throw httpError(
      400,
      'invalid_request',
      `messages.${i}.role: "${String(msg.role)}" is not supported by this gateway (system, user, assistant).`,
    );
  });
}

/**
 * The OpenAI-compatible gateway and the dashboard.
 * - `POST /v1/chat/completions` (streamed and not), `GET /v1/models`, `POST /v1/cascade/batch`;
 * - `GET /` (dashboard), `GET /api/stats`, `GET /api/events` (SSE), `POST /api/chat` (SSE of cascade events).
 */
export function createGateway(engine: Engine): Server {
  const { agent, stats } = engine;

  const userOf = (req: IncomingMessage): string => {
    const key = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const user = key ? engine.apiKeys.get(key) : undefined;
    if (!user)
      throw httpError(
        401,
        'invalid_api_key',
        'Missing or unknown API key: send "Authorization: Bearer <key>" with a key from the config file (default: cf-demo-key).',
      );
    return user;
  };

  const completions = async (req: IncomingMessage, res: ServerResponse) => {
    const userId = userOf(req);
    const body = await readJson(req);
    const messages = toMessages(body.messages);
    const request: RunRequest = {
      messages,
      userId,
      ...(typeof body.max_tokens === 'number' ? { maxTokens: body.max_tokens } : {}),
      ...(typeof body.max_completion_tokens === 'number' ? { maxTokens: body.max_completion_tokens } : {}),
      ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    };
    const query = messages.at(-1)?.content ?? '';
    if (body.stream === true) {
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      const events = streamCascade(agent, { ...request, signal: controller.signal }, { mode: 'buffer' }).pipe(
        tap({ next: (e) => e.type === 'finish' && stats.record(stats.fromResult(userId, query, e.result)) }),
      );
      let started = false;
      for await (const chunk of openAISSE(events, {
        includeUsage:
          (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
        extra: (r) => ({ cascade: cascadeInfo(r, engine.mode) }),
      })) {
        if (!started) {
          // The first chunk is an error frame when the run failed before any token: answer with a status.
          if (chunk.startsWith('data: {"error"')) {
            const err = JSON.parse(chunk.slice(6)).error as { code: string; message: string };
            stats.failure(userId, query, err.code);
            sendError(res, toHttpError(new CascadeFlowError(err.code, err.message)));
            return;
          }
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
            'x-cascadeflow-mode': engine.mode,
          });
          started = true;
        }
        res.write(chunk);
      }
      res.end();
      return;
    }
    try {
      const r = await agent.run(request);
      stats.record(stats.fromResult(userId, query, r));
      send(
        res,
        200,
        {
          id: `chatcmpl-${r.runId}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: r.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: r.content, refusal: null },
              logprobs: null,
              finish_reason: r.finishReason === 'other' ? 'stop' : r.finishReason,
            },
          ],
          usage: {
            prompt_tokens: r.usage.inputTokens,
            completion_tokens: r.usage.outputTokens,
            total_tokens: r.usage.inputTokens + r.usage.outputTokens,
          },
          cascade: cascadeInfo(r, engine.mode),
        },
        cascadeHeaders(r, engine.mode),
      );
    } catch (e) {
      const mapped = toHttpError(e);
      stats.failure(userId, query, mapped.body.error.code);
      throw mapped;
    }
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
    'POST /v1/chat/completions': completions,
    'GET /v1/models': (req, res) => {
      userOf(req);
      send(res, 200, {
        object: 'list',
        data: ['cascade', ...agent.ladder.map((t) => t.model)].map((id) => ({
          id,
          object: 'model',
          created: 0,
          owned_by: 'cascadeflow',
        })),
      });
    },
    'GET /v1/demo/questions': (_req, res) =>
      send(res, 200, { mode: engine.mode, questions: engine.replay?.sample(20) ?? [] }),
    'POST /v1/cascade/batch': async (req, res) => {
      const userId = userOf(req);
      const body = await readJson(req, 10_000_000);
      if (!Array.isArray(body.queries))
        throw httpError(400, 'invalid_request', '`queries` must be an array of strings or request objects.');
      const r = await runBatch(
        agent,
        (body.queries as unknown[]).map((q) =>
          typeof q === 'string' ? { query: q, userId } : { ...(q as object), userId },
        ),
        { maxParallel: 8, strategy: 'concurrent' },
      );
      for (const item of r.items)
        if (item.result) stats.record(stats.fromResult(userId, '(batch)', item.result));
      send(res, 200, {
        success_count: r.successCount,
        failure_count: r.failureCount,
        total_cost_usd: r.totalCost,
        results: r.items.map((i) =>
          i.ok
            ? { index: i.index, content: i.result!.content, cascade: cascadeInfo(i.result!, engine.mode) }
            : { index: i.index, error: i.error },
        ),
      });
    },
    'GET /': (_req, res) => {
      const html = dashboardHtml(engine.mode, engine.replay?.sample(8) ?? []);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    },
    'GET /api/stats': async (_req, res) => {
      const users = await Promise.all(
        [...new Set(engine.apiKeys.values())].map(async (id) => {
          const config = await engine.profiles.effective(id);
          const limits = {
            requestsPerMinute: config.rateLimits.requestsPerMinute,
            costPerDay: config.budgets.daily,
          };
          const used = await engine.limits.current(
            id,
            Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
          );
          return { id, tier: config.level, used, limits };
        }),
      );
      send(res, 200, {
        mode: engine.mode,
        requests: stats.requests,
        cost: stats.cost,
        baseline: stats.baseline,
        byModel: Object.fromEntries(stats.byTier),
        ladder: agent.ladder.map((t) => t.model),
        recent: stats.recent,
        guardrails: stats.guardrailEvents.slice(0, 20),
        users,
      });
    },
    'GET /api/events': (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      const off = stats.on((e) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`));
      req.on('close', off);
    },
    'POST /api/chat': async (req, res) => {
      const body = await readJson(req);
      const message = String(body.message ?? '').trim();
      if (!message) throw httpError(400, 'invalid_request', '`message` is empty.');
      const userId = [...engine.apiKeys.values()][0]!;
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const events = streamCascade(
        agent,
        { query: message, userId, signal: controller.signal, onDelta: undefined },
        { mode: 'stream' },
      ).pipe(
        tap({
          next: (e) => e.type === 'finish' && stats.record(stats.fromResult(userId, message, e.result)),
        }),
      );
      for await (const frame of cascadeSSE(events)) res.write(frame);
      res.end();
    },
    'GET /api/eval-chart': (_req, res) => {
      if (!existsSync(EVAL_CHART)) {
        send(res, 404, httpError(404, 'not_found', 'No eval chart: run `pnpm cascadeflow eval-table`.').body);
        return;
      }
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      res.end(readFileSync(EVAL_CHART));
    },
  };

  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[`${req.method} ${path}`];
    if (!route) {
      sendError(res, httpError(404, 'not_found', `No route ${req.method} ${path}.`));
      return;
    }
    Promise.resolve()
      .then(() => route(req, res))
      .catch((e: unknown) => sendError(res, isHttpError(e) ? e : toHttpError(e)));
  });
}

/** Starts the gateway; resolves with its URL. */
export async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return `http://${host}:${a.port}`;
}

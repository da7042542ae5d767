import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatch } from '@cascadeflow/batch';
import { CascadeFlowError, type CascadeResult, type RunRequest } from '@cascadeflow/core';
import { cascadeSSE, openAISSE, streamCascade, toAsyncIterable } from '@cascadeflow/streaming';
import { tap } from 'rxjs';
import type { DemoConfig } from '../config.js';
import { dashboardHtml } from '../dashboard/page.js';
import { type Engine, RESPONSES_KEPT } from '../engine.js';
import {
  MessagesStreamEncoder,
  messagesError,
  messagesResponse,
  parseMessagesRequest,
} from './anthropic-messages.js';
import { applyCors, GatewayAuth } from './auth.js';
import { type HttpError, httpError, toHttpError } from './errors.js';
import { isHttpError, readJson, send, sendError } from './http.js';
import { secretScrubber } from './scrub.js';
import { parseBatchRequest, parseChatRequest, parseFeedback } from './validate.js';

const EVAL_CHART = fileURLToPath(new URL('../../../../docs/eval/triviaqa_qwen_oai.svg', import.meta.url));

/** What the gateway takes from the configuration. */
export type GatewayOptions = Pick<
  DemoConfig,
  'corsOrigins' | 'maxBodyBytes' | 'maxBatchSize' | 'requestTimeoutMs' | 'shutdownGraceMs' | 'dashboardUser'
> & { adminKey: string };

/** A running gateway: its HTTP server and a graceful stop. */
export interface Gateway {
  server: Server;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `shutdownGraceMs`, aborts the rest
   * upstream (their clients get an error), and closes every connection.
   */
  close(): Promise<void>;
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

/** One request's signal: aborted when its client goes away, at the gateway's deadline, or at shutdown. */
interface RequestScope {
  signal: AbortSignal;
  timedOut(): boolean;
}

type Route = (req: IncomingMessage, res: ServerResponse, scope: RequestScope) => Promise<void> | void;

/**
 * The OpenAI-compatible gateway and the dashboard. Every route but the dashboard's static page is
 * authenticated: `/v1/*` by an API key (the user it is billed to), `/api/*` by the admin key or the session
 * cookie the page gets for it. JSON routes take JSON bodies only; CORS only for configured origins.
 * - `POST /v1/chat/completions` (streamed and not), `POST /v1/messages` (Anthropic's Messages API, streamed
 *   and not), `GET /v1/models`, `POST /v1/cascade/batch`,
 *   `GET /v1/demo/questions`;
 * - `GET /` (the dashboard page), `POST /api/session`, `GET /api/stats`, `GET /api/events` (SSE),
 *   `POST /api/chat` (SSE of cascade events), `GET /api/eval-chart`, `GET /api/questions`.
 */
export function createGateway(engine: Engine, options: GatewayOptions): Gateway {
  const { stats } = engine;
  const auth = new GatewayAuth(engine.apiKeys, options.adminKey);
  const scrub = secretScrubber([
    ...engine.apiKeys.keys(),
    options.adminKey,
    ...[process.env.OPENAI_API_KEY, process.env.ANTHROPIC_API_KEY].filter((k): k is string => !!k),
  ]);
  const dashboardUser = options.dashboardUser ?? [...engine.apiKeys.values()][0]!;
  const inFlight = new Set<AbortController>();
  let closing = false;

  /** An error for a client: a known failure as such, anything else as a bare 500; never a secret. */
  const forClient = (e: unknown): HttpError => {
    const mapped = isHttpError(e) ? e : toHttpError(e);
    mapped.body.error.message = scrub(mapped.body.error.message);
    return mapped;
  };

  const completions: Route = async (req, res, scope) => {
    const userId = auth.user(req);
    const chat = parseChatRequest(await readJson(req, options.maxBodyBytes));
    // The response id is known before the run starts (streams send it first); feedback refers to it.
    const responseId = `chatcmpl-${randomUUID()}`;
    const request: RunRequest = {
      ...chat.run,
      userId,
      signal: scope.signal,
      metadata: { ...chat.run.metadata, responseId },
    };
    const query = chat.run.messages?.findLast((m) => m.role === 'user')?.content ?? '';
    if (chat.stream) {
      const events = streamCascade(engine.agent, request, { mode: 'buffer' }).pipe(
        tap({ next: (e) => e.type === 'finish' && stats.record(stats.fromResult(userId, query, e.result)) }),
      );
      let started = false;
      for await (const chunk of openAISSE(events, {
        id: responseId,
        includeUsage: chat.includeUsage,
        extra: (r) => ({ cascade: cascadeInfo(r, engine.mode) }),
      })) {
        if (!started) {
          // The first chunk is an error frame when the run failed before any token: answer with a status.
          if (chunk.startsWith('data: {"error"')) {
            const err = JSON.parse(chunk.slice(6)).error as { code: string; message: string };
            stats.failure(userId, query, err.code);
            throw new CascadeFlowError(err.code, err.message);
          }
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
            'x-cascadeflow-mode': engine.mode,
          });
          started = true;
        }
        res.write(chunk.startsWith('data: {"error"') ? scrub(chunk) : chunk);
      }
      res.end();
      return;
    }
    try {
      const r = await engine.agent.run(request);
      stats.record(stats.fromResult(userId, query, r));
      send(
        res,
        200,
        {
          id: responseId,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: r.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: r.toolCalls.length && !r.content ? null : r.content,
                refusal: null,
                ...(r.toolCalls.length
                  ? {
                      tool_calls: r.toolCalls.map((c) => ({
                        id: c.id,
                        type: 'function',
                        function: { name: c.name, arguments: c.arguments },
                      })),
                    }
                  : {}),
              },
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
      stats.failure(userId, query, toHttpError(e).body.error.code);
      throw e;
    }
  };

  // Anthropic's Messages API on the same engine and plugins, answering in its own formats.
  const messages: Route = async (req, res, scope) => {
    let userId: string | undefined;
    let query = '';
    try {
      userId = auth.user(req);
      const m = parseMessagesRequest(await readJson(req, options.maxBodyBytes));
      query = m.run.messages?.findLast((x) => x.role === 'user')?.content ?? '';
      const responseId = `msg_${randomUUID()}`;
      const request: RunRequest = {
        ...m.run,
        userId,
        signal: scope.signal,
        metadata: { ...m.run.metadata, responseId },
      };
      if (!m.stream) {
        const r = await engine.agent.run(request);
        stats.record(stats.fromResult(userId, query, r));
        send(res, 200, messagesResponse(r, cascadeInfo(r, engine.mode)), cascadeHeaders(r, engine.mode));
        return;
      }
      const encoder = new MessagesStreamEncoder(responseId);
      const uid = userId;
      const events = streamCascade(engine.agent, request, { mode: 'buffer' });
      let started = false;
      try {
        for await (const e of toAsyncIterable(events)) {
          if (e.type === 'finish') stats.record(stats.fromResult(uid, query, e.result));
          const frames = encoder.push(e);
          if (!frames) continue;
          if (!started) {
            res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
            started = true;
          }
          res.write(frames);
        }
      } catch (e) {
        if (!started) throw e;
        const err = forClient(e);
        res.write(`event: error\ndata: ${JSON.stringify(messagesError(err))}\n\n`);
      }
      res.end();
    } catch (e) {
      const reason = scope.signal.aborted ? (scope.signal.reason as unknown) : undefined;
      const err = forClient(isHttpError(reason) ? reason : e);
      if (userId) stats.failure(userId, query, err.body.error.code);
      if (res.headersSent) {
        res.end();
        return;
      }
      send(res, err.status, messagesError(err), err.headers);
    }
  };

  const routes: Record<string, Route> = {
    'POST /v1/chat/completions': completions,
    'POST /v1/messages': messages,
    'POST /v1/feedback': async (req, res) => {
      const userId = auth.user(req);
      const { responseId, rating } = parseFeedback(await readJson(req, options.maxBodyBytes));
      if (stats.ownerOf(responseId) !== userId)
        throw httpError(
          404,
          'unknown_response',
          `response_id: no response "${responseId}" was given to this API key recently (this instance keeps the last ${RESPONSES_KEPT} responses).`,
        );
      await mkdir(dirname(engine.feedbackFile), { recursive: true });
      await appendFile(
        engine.feedbackFile,
        `${JSON.stringify({ response_id: responseId, rating, user_id: userId, at: new Date().toISOString() })}\n`,
      );
      send(res, 200, { response_id: responseId, rating, recorded: true });
    },
    'GET /v1/models': (req, res) => {
      auth.user(req);
      send(res, 200, {
        object: 'list',
        data: ['cascade', ...engine.agent.ladder.map((t) => t.model)].map((id) => ({
          id,
          object: 'model',
          created: 0,
          owned_by: 'cascadeflow',
        })),
      });
    },
    'GET /v1/demo/questions': (req, res) => {
      auth.user(req);
      send(res, 200, { mode: engine.mode, questions: engine.replay?.sample(20) ?? [] });
    },
    'POST /v1/cascade/batch': async (req, res, scope) => {
      const userId = auth.user(req);
      const queries = parseBatchRequest(await readJson(req, options.maxBodyBytes), options.maxBatchSize);
      const r = await runBatch(
        engine.agent,
        queries.map((q) => ({ ...q, userId })),
        { maxParallel: 8, strategy: 'concurrent', signal: scope.signal },
      );
      if (scope.signal.aborted) throw scope.signal.reason;
      for (const item of r.items)
        if (item.result) stats.record(stats.fromResult(userId, '(batch)', item.result));
      send(res, 200, {
        success_count: r.successCount,
        failure_count: r.failureCount,
        total_cost_usd: r.totalCost,
        results: r.items.map((i) =>
          i.ok
            ? { index: i.index, content: i.result!.content, cascade: cascadeInfo(i.result!, engine.mode) }
            : { index: i.index, error: { ...i.error, message: scrub(i.error?.message ?? '') } },
        ),
      });
    },
    // The page itself is a static shell with a sign-in form: every piece of data comes from /api/*.
    'GET /': (_req, res) => {
      const html = dashboardHtml(engine.mode);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'",
        'x-frame-options': 'DENY',
      });
      res.end(html);
    },
    'POST /api/session': async (req, res) => {
      const body = await readJson(req, 10_000);
      auth.signIn(body.key, res);
      send(res, 200, { ok: true });
    },
    // Changes a user's tier or overrides (profiles are shared by every instance on PostgreSQL).
    'PUT /api/profile': async (req, res) => {
      auth.admin(req);
      const body = await readJson(req, 100_000);
      if (typeof body.id !== 'string' || !engine.profiles)
        throw httpError(400, 'invalid_request', 'id: must be the user id whose profile to change.');
      const change: { tier?: never; overrides?: never } = {};
      if (body.tier !== undefined) (change as Record<string, unknown>).tier = body.tier;
      if (body.overrides !== undefined) (change as Record<string, unknown>).overrides = body.overrides;
      const updated = await engine.profiles.update(body.id, change);
      send(res, 200, { id: updated.id, tier: updated.tier, version: updated.version });
    },
    'GET /api/questions': (req, res) => {
      auth.admin(req);
      send(res, 200, { mode: engine.mode, questions: engine.replay?.sample(8) ?? [] });
    },
    'GET /api/stats': async (req, res) => {
      auth.admin(req);
      const users = await Promise.all(
        [...new Set(engine.apiKeys.values())].map(async (id) => {
          try {
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
          } catch (e) {
            // One user's broken profile is that user's problem, not the dashboard's.
            return { id, tier: null, used: {}, limits: {}, error: scrub((e as Error).message) };
          }
        }),
      );
      send(res, 200, {
        mode: engine.mode,
        recorded: engine.recorded,
        calibration: engine.calibration && {
          ...engine.calibration,
          reloadError: engine.calibration.reloadError && scrub(engine.calibration.reloadError),
        },
        recording: engine.recorder && { spentUsd: engine.recorder.spentUsd, ...engine.recorder.counts },
        requests: stats.requests,
        cost: stats.cost,
        baseline: stats.baseline,
        byModel: Object.fromEntries(stats.byTier),
        ladder: engine.agent.ladder.map((t) => t.model),
        recent: stats.recent,
        guardrails: stats.guardrailEvents.slice(0, 20),
        problems: stats.startupProblems.map(scrub),
        users,
      });
    },
    'GET /api/events': (req, res, scope) => {
      auth.admin(req);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      const off = stats.on((e) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`));
      return new Promise<void>((resolve) => {
        const end = () => {
          off();
          res.end();
          resolve();
        };
        if (scope.signal.aborted) end();
        else scope.signal.addEventListener('abort', end, { once: true });
      });
    },
    'POST /api/chat': async (req, res, scope) => {
      auth.admin(req);
      const body = await readJson(req, options.maxBodyBytes);
      const message = typeof body.message === 'string' ? body.message.trim() : '';
      if (!message) throw httpError(400, 'invalid_request', 'message: must be a non-empty string.');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const events = streamCascade(
        engine.agent,
        { query: message, userId: dashboardUser, signal: scope.signal },
        { mode: 'stream' },
      ).pipe(
        tap({
          next: (e) =>
            e.type === 'finish' && stats.record(stats.fromResult(dashboardUser, message, e.result)),
        }),
      );
      for await (const frame of cascadeSSE(events)) res.write(scrub(frame));
      res.end();
    },
    'GET /api/eval-chart': (req, res) => {
      auth.admin(req);
      if (!existsSync(EVAL_CHART))
        throw httpError(404, 'not_found', 'No eval chart: run `pnpm cascadeflow eval-table`.');
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      res.end(readFileSync(EVAL_CHART));
    },
  };

  /** Aborts when the client goes away, at the deadline, or when shutdown's grace runs out. */
  const scopeOf = (res: ServerResponse): RequestScope & { done(): void } => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(
        httpError(
          504,
          'gateway_timeout',
          `The request did not finish within the gateway's ${options.requestTimeoutMs} ms deadline.`,
          'server_error',
        ),
      );
    }, options.requestTimeoutMs);
    timer.unref();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(httpError(499, 'client_closed', 'The client went away.'));
    };
    res.on('close', onClose);
    inFlight.add(controller);
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      done: () => {
        clearTimeout(timer);
        res.off('close', onClose);
        inFlight.delete(controller);
      },
    };
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const cors = applyCors(req, res, options.corsOrigins);
    if (req.method === 'OPTIONS') {
      res.writeHead(cors ? 204 : 403).end();
      return;
    }
    if (closing) {
      sendError(
        res,
        httpError(503, 'shutting_down', 'The gateway is shutting down; retry.', 'server_error', {
          'retry-after': '1',
          connection: 'close',
        }),
      );
      return;
    }
    const route = routes[`${req.method} ${path}`];
    if (!route) {
      sendError(res, httpError(404, 'not_found', `No route ${req.method} ${path}.`));
      return;
    }
    const scope = scopeOf(res);
    Promise.resolve()
      .then(() => route(req, res, scope))
      .catch((e: unknown) => {
        // A deadline (or shutdown) abort answers with its own error; the run's abort error says less.
        const reason = scope.signal.aborted ? (scope.signal.reason as unknown) : undefined;
        sendError(res, forClient(isHttpError(reason) ? reason : e));
      })
      .finally(() => scope.done());
  });

  return {
    server,
    async close() {
      closing = true;
      const closed = new Promise((r) => server.close(r));
      server.closeIdleConnections();
      const deadline = Date.now() + options.shutdownGraceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const shutdown = httpError(
        503,
        'shutting_down',
        'The gateway shut down before the request finished.',
        'server_error',
      );
      for (const c of inFlight) c.abort(shutdown);
      // Give aborted requests a moment to answer their clients, then drop every connection.
      const settleBy = Date.now() + 1000;
      while (inFlight.size > 0 && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 20));
      server.closeAllConnections();
      await closed;
    },
  };
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

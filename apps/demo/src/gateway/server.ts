import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatch } from '@cascadeflow/batch';
import {
  CascadeFlowError,
  type CascadeResult,
  ControllerPool,
  questionIn,
  type RunRequest,
} from '@cascadeflow/core';
import {
  type CascadeStreamEvent,
  cascadeSSEMessages,
  openAISSEMessages,
  type SSEMessage,
  streamCascade,
  toAsyncIterable,
} from '@cascadeflow/streaming';
import fastifyCors from '@fastify/cors';
import fastifySSE from '@fastify/sse';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { tap } from 'rxjs';
import type { DemoConfig } from '../config.js';
import { dashboardHtml } from '../dashboard/page.js';
import { type Engine, RESPONSES_KEPT } from '../engine.js';
import {
  countMessageTokens,
  MessagesStreamEncoder,
  messagesError,
  messagesResponse,
  parseMessagesRequest,
} from './anthropic-messages.js';
import { GatewayAuth } from './auth.js';
import { frameworkError, jsonBody } from './body.js';
import { type HttpError, httpError, isHttpError, toHttpError } from './errors.js';
import { ReadinessProbe } from './health.js';
import { parseResponsesRequest, ResponsesStreamEncoder, responsesResponse } from './openai-responses.js';
import { secretScrubber } from './scrub.js';
import { parseBatchRequest, parseChatRequest, parseFeedback } from './validate.js';

const EVAL_CHART = fileURLToPath(new URL('../../../../docs/eval/triviaqa_qwen_oai.svg', import.meta.url));

/** What the gateway takes from the configuration. */
export type GatewayOptions = Pick<
  DemoConfig,
  'corsOrigins' | 'maxBodyBytes' | 'maxBatchSize' | 'requestTimeoutMs' | 'shutdownGraceMs' | 'dashboardUser'
> & { adminKey: string };

/** A gateway: its fastify app (and HTTP server), started by `listen`, stopped gracefully by `close`. */
export interface Gateway {
  app: FastifyInstance;
  server: Server;
  /** Starts listening; resolves with the gateway's URL. */
  listen(host: string, port: number): Promise<string>;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `shutdownGraceMs`, aborts the rest
   * upstream (their clients get an error), and closes every connection.
   */
  close(): Promise<void>;
}

/** What every answer says about the cascade, in headers and in an extra `cascade` field. */
/** A dollar figure as clients read it: 12 significant digits, without a sum's float noise (0.00016785, not 0.00016785000000000001). */
function usd<T extends number | null>(value: T): T {
  return (value === null ? null : Number(value.toPrecision(12))) as T;
}

export function cascadeInfo(r: CascadeResult, mode: string) {
  return {
    model: r.model,
    tier: r.tier.index,
    tiers_tried: r.attempts.map((a) => a.model),
    cost_usd: usd(r.totalCost),
    baseline_cost_usd: usd(r.baselineCost),
    saving_usd: usd(r.saving),
    mode,
  };
}

const UTF8 = new TextEncoder();

/**
 * The answer's token log-probs in OpenAI's format: the answering attempt's, when its provider returned them
 * and they spell the answer exactly. An answer a plugin changed (a redacted e-mail address) gets none: its
 * tokens would give back what was taken out.
 */
function answerLogprobs(r: CascadeResult): { content: unknown[]; refusal: null } | null {
  const answer = r.attempts.findLast((a) => a.tier.index === r.tier.index && a.logprobs?.length);
  const tokens = answer?.logprobs;
  if (!tokens || tokens.map((t) => t.token).join('') !== r.content) return null;
  return {
    content: tokens.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      bytes: [...UTF8.encode(t.token)],
      top_logprobs: [],
    })),
    refusal: null,
  };
}

function cascadeHeaders(r: CascadeResult, mode: string): Record<string, string> {
  return {
    'x-cascadeflow-model': r.model,
    'x-cascadeflow-tier': String(r.tier.index),
    'x-cascadeflow-tiers-tried': r.attempts.map((a) => a.model).join(','),
    'x-cascadeflow-cost': String(usd(r.totalCost) ?? 'unknown'),
    'x-cascadeflow-saving': String(usd(r.saving) ?? 'unknown'),
    'x-cascadeflow-mode': mode,
  };
}

/** Who may call a route: an API key (the user billed), the admin key or its session, or anyone. */
type Access = 'user' | 'admin' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The error format of the route: OpenAI's (the default) or Anthropic's Messages API. */
    errors?: 'openai' | 'anthropic';
  }
  interface FastifyRequest {
    /** The user of an API-key route, set by the access hook before the body is read. */
    userId: string;
    /** The request's signal: aborted when its client goes away, at the gateway's deadline, or at shutdown. */
    runSignal: AbortSignal | undefined;
  }
}

/** Yields a stream's first result (already taken, to look at it before answering) and then the rest. */
async function* resumed<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  try {
    if (first.done) return;
    yield first.value;
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    // A client that went away stops the stream here: the source closes too (and lets go of the run).
    await rest.return?.();
  }
}

/** Strings as they are (the messages' data is JSON text already), anything else as JSON. */
const sseData = (d: unknown) => (typeof d === 'string' ? d : JSON.stringify(d));

/**
 * The OpenAI-compatible gateway and the dashboard, on fastify: its router, its body parser and limits,
 * `@fastify/cors` and `@fastify/sse`. Every route but the dashboard's static page and its sign-in is
 * authenticated, in a hook that runs before the body is read: `/v1/*` by an API key (the user it is billed
 * to), `/api/*` by the admin key or the session cookie the page gets for it. JSON routes take JSON bodies
 * only; CORS only for configured origins.
 * - `POST /v1/chat/completions` (streamed and not), `POST /v1/messages` (Anthropic's Messages API, streamed
 *   and not), `GET /v1/models`, `POST /v1/cascade/batch`, `POST /v1/feedback`, `GET /v1/demo/questions`;
 * - `GET /` (the dashboard page), `POST /api/session`, `GET /api/stats`, `GET /api/events` (SSE),
 *   `POST /api/chat` (SSE of cascade events), `PUT /api/profile`, `GET /api/eval-chart`, `GET /api/questions`.
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
  const readiness = new ReadinessProbe(engine.readiness);

  /** Nothing is ignored silently: what a request asked that the gateway took without acting on is named. */
  const sayNotApplied = (reply: FastifyReply, names: readonly string[] | undefined) => {
    if (names?.length) reply.header('x-cascadeflow-not-applied', names.join(', '));
  };

  /** An error for a client: a known failure as such, anything else as a bare 500; never a secret. */
  const forClient = (e: unknown): HttpError => {
    const mapped = isHttpError(e) ? e : toHttpError(e);
    mapped.body.error.message = scrub(mapped.body.error.message);
    return mapped;
  };

  /**
   * The error a failed request's client gets, and the dashboard records: a deadline (or shutdown) abort
   * answers with its own error; the run's abort error says less.
   */
  const clientError = (request: FastifyRequest, e: unknown): HttpError => {
    const reason = request.runSignal?.aborted ? (request.runSignal.reason as unknown) : undefined;
    return forClient(isHttpError(reason) ? reason : e);
  };

  const controllers = new ControllerPool();
  /** Aborts when the client goes away, at the deadline, or when shutdown's grace runs out. */
  const signalFor = (reply: FastifyReply): AbortSignal => {
    const res = reply.raw;
    const controller = controllers.take();
    const timer = setTimeout(() => {
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
    // A response closes once, whether it finished or its client went away: then the request is done.
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(httpError(499, 'client_closed', 'The client went away.'));
      clearTimeout(timer);
      inFlight.delete(controller);
      // The request is over (its run settled before its answer ended, or was aborted just now).
      controllers.give(controller);
    });
    inFlight.add(controller);
    return controller.signal;
  };

  const app = Fastify({
    bodyLimit: options.maxBodyBytes,
    // The whole request must arrive within the deadline (a slow client cannot hold a socket forever).
    requestTimeout: options.requestTimeoutMs,
    // Node enforces that deadline only with a headers deadline no longer than it, and checks every 30 s by
    // default; a second keeps it close to what was configured.
    http: {
      headersTimeout: Math.min(60_000, options.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs),
    },
    // Shutdown answers in the gateway's own format, below.
    return503OnClosing: false,
    logger: false,
  });
  app.decorateRequest('userId', '');
  app.decorateRequest('runSignal', undefined);
  // JSON only: no text/plain body reaches a route, so a page on another origin cannot send one.
  app.removeContentTypeParser('text/plain');

  // No origins configured, no CORS at all: a preflight finds no route and gets the not-found handler's 403.
  if (options.corsOrigins.length > 0)
    app.register(fastifyCors, {
      origin: (origin, cb) =>
        cb(null, origin !== undefined && options.corsOrigins.includes(origin) ? origin : false),
      methods: ['GET', 'POST', 'PUT', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type'],
    });
  app.register(fastifySSE, { serializer: sseData });

  // Shutdown first, then who is calling: both before the body is read.
  // A callback hook, not an async one: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    try {
      if (closing)
        throw httpError(503, 'shutting_down', 'The gateway is shutting down; retry.', 'server_error', {
          'retry-after': '1',
          connection: 'close',
        });
      const access = request.routeOptions.config.access;
      if (access === 'user') request.userId = auth.user(request.headers);
      else if (access === 'admin') auth.admin(request.headers);
      // Not found: the not-found handler answers.
      if (access === 'user' || access === 'admin' || access === 'public')
        request.runSignal = signalFor(reply);
    } catch (e) {
      done(e as Error);
      return;
    }
    done();
  });

  app.setNotFoundHandler((request, reply) => {
    // @fastify/cors hands a preflight from an origin it does not allow to the not-found handler.
    const e =
      request.method === 'OPTIONS'
        ? httpError(
            403,
            'cors_not_allowed',
            `Origin ${request.headers.origin ?? '(none)'} may not call this gateway.`,
          )
        : httpError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    reply.code(e.status).send(e.body);
  });

  app.setErrorHandler((error, request, reply) => {
    const e = clientError(request, frameworkError(error as FastifyError, request) ?? error);
    if (reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    reply
      .code(e.status)
      .headers(e.headers)
      .send(request.routeOptions.config.errors === 'anthropic' ? messagesError(e) : e.body);
  });

  // The routes, in a plugin registered after @fastify/sse, so that its route hook sees them.
  app.register(async (api) => {
    const signalOf = (request: FastifyRequest) => request.runSignal!;

    // Streams answer on their own route option; a client that asked for no stream gets one JSON answer.
    api.post(
      '/v1/chat/completions',
      { config: { access: 'user' }, sse: { kind: 'manual', heartbeat: false } },
      async (request, reply) => {
        const userId = request.userId;
        const chat = parseChatRequest(jsonBody(request));
        sayNotApplied(reply, chat.notApplied);
        // The response id is known before the run starts (streams send it first); feedback refers to it.
        const responseId = `chatcmpl-${randomUUID()}`;
        const run: RunRequest = Object.assign({}, chat.run, {
          userId,
          signal: signalOf(request),
          metadata: Object.assign({}, chat.run.metadata, { responseId }),
        });
        const query = questionIn(chat.run.messages ?? []);
        if (chat.stream) {
          const events = streamCascade(engine.agent, run, { mode: 'buffer' }).pipe(
            tap({
              next: (e) => e.type === 'finish' && stats.record(stats.fromResult(userId, query, e.result)),
            }),
          );
          const messages = openAISSEMessages(events, {
            id: responseId,
            includeUsage: chat.includeUsage,
            extra: (r) => ({ cascade: cascadeInfo(r, engine.mode) }),
            ...(chat.logprobs ? { logprobs: answerLogprobs } : {}),
          });
          const first = await messages.next();
          // The first message is an error when the run failed before any token: answer with a status.
          if (!first.done && first.value.data.startsWith('{"error"')) {
            const err = JSON.parse(first.value.data).error as { code: string; message: string };
            stats.failure(userId, query, err.code);
            throw new CascadeFlowError(err.code, err.message);
          }
          reply.header('x-cascadeflow-mode', engine.mode);
          // Nothing to return: the stream is the answer (a returned reply would await its own end).
          await reply.sse.send(scrubbedErrors(resumed(first, messages)));
          return;
        }
        try {
          const r = await engine.agent.run(run);
          stats.record(stats.fromResult(userId, query, r));
          reply.headers(cascadeHeaders(r, engine.mode));
          return {
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
                logprobs: chat.logprobs ? answerLogprobs(r) : null,
                finish_reason: r.finishReason === 'other' ? 'stop' : r.finishReason,
              },
            ],
            usage: {
              prompt_tokens: r.usage.inputTokens,
              completion_tokens: r.usage.outputTokens,
              total_tokens: r.usage.inputTokens + r.usage.outputTokens,
            },
            cascade: cascadeInfo(r, engine.mode),
          };
        } catch (e) {
          stats.failure(userId, query, clientError(request, e).body.error.code);
          throw e;
        }
      },
    );

    /** An error message in a stream carries no secret. */
    async function* scrubbedErrors(messages: AsyncIterable<SSEMessage>): AsyncGenerator<SSEMessage> {
      for await (const m of messages)
        yield m.data.startsWith('{"error"') || m.event === 'error'
          ? Object.assign({}, m, { data: scrub(m.data) })
          : m;
    }

    /** An API that answers a run whole or as its own SSE events (the Messages API, the Responses API). */
    interface EventApi<
      M extends {
        run: Omit<RunRequest, 'userId' | 'signal'>;
        stream: boolean;
        notApplied?: readonly string[];
      },
    > {
      /** The run a body asks for, and whether it streams. */
      parse(body: unknown): M;
      newId(): string;
      /** The whole answer's body. */
      answer(id: string, r: CascadeResult, m: M): Record<string, unknown>;
      /** The encoder of a streamed answer: its events, and an error after they began. */
      encoder(
        id: string,
        m: M,
      ): { push(e: CascadeStreamEvent): SSEMessage[]; error(e: HttpError): SSEMessage };
    }

    /**
     * Runs a request of an {@link EventApi} on the engine: a whole answer, or its SSE events. An error before the
     * first event answers with a status (in the route's format), after it as the API's error event.
     */
    async function runEventApi<
      M extends {
        run: Omit<RunRequest, 'userId' | 'signal'>;
        stream: boolean;
        notApplied?: readonly string[];
      },
    >(request: FastifyRequest, reply: FastifyReply, api: EventApi<M>) {
      const userId = request.userId;
      let query = '';
      try {
        const m = api.parse(jsonBody(request));
        sayNotApplied(reply, m.notApplied);
        query = questionIn(m.run.messages ?? []);
        const id = api.newId();
        const run: RunRequest = Object.assign({}, m.run, {
          userId,
          signal: signalOf(request),
          metadata: Object.assign({}, m.run.metadata, { responseId: id }),
        });
        if (!m.stream) {
          const r = await engine.agent.run(run);
          stats.record(stats.fromResult(userId, query, r));
          reply.headers(cascadeHeaders(r, engine.mode));
          return api.answer(id, r, m);
        }
        const q = query;
        const encoder = api.encoder(id, m);
        const events = toAsyncIterable(streamCascade(engine.agent, run, { mode: 'buffer' }));
        let started = false;
        const stream = async function* (): AsyncGenerator<SSEMessage> {
          try {
            for await (const e of events) {
              if (e.type === 'finish') stats.record(stats.fromResult(userId, q, e.result));
              for (const message of encoder.push(e)) {
                started = true;
                yield message;
              }
            }
          } catch (e) {
            if (!started) throw e;
            const err = forClient(e);
            stats.failure(userId, q, err.body.error.code);
            yield encoder.error(err);
          }
        };
        const messages = stream();
        const first = await messages.next();
        await reply.sse.send(resumed(first, messages));
        return;
      } catch (e) {
        stats.failure(userId, query, clientError(request, e).body.error.code);
        throw e;
      }
    }

    const messagesApi: EventApi<ReturnType<typeof parseMessagesRequest>> = {
      parse: parseMessagesRequest,
      newId: () => `msg_${randomUUID()}`,
      answer: (_id, r) => messagesResponse(r, cascadeInfo(r, engine.mode)),
      encoder: (id) => new MessagesStreamEncoder(id),
    };
    const responsesApi: EventApi<ReturnType<typeof parseResponsesRequest>> = {
      parse: parseResponsesRequest,
      newId: () => `resp_${randomUUID().replaceAll('-', '')}`,
      answer: (id, r, m) => responsesResponse(id, r, m, cascadeInfo(r, engine.mode)),
      encoder: (id, m) => new ResponsesStreamEncoder(id, m),
    };

    // Anthropic's Messages API on the same engine and plugins, answering in its own formats.
    api.post(
      '/v1/messages',
      { config: { access: 'user', errors: 'anthropic' }, sse: { kind: 'manual', heartbeat: false } },
      (request, reply) => runEventApi(request, reply, messagesApi),
    );

    // OpenAI's Responses API, stateless, on the same engine and plugins.
    api.post(
      '/v1/responses',
      { config: { access: 'user' }, sse: { kind: 'manual', heartbeat: false } },
      (request, reply) => runEventApi(request, reply, responsesApi),
    );

    // What Claude clients ask before sending a long context; an estimate, no model is called.
    api.post(
      '/v1/messages/count_tokens',
      { config: { access: 'user', errors: 'anthropic' } },
      async (request) => countMessageTokens(jsonBody(request)),
    );

    api.post('/v1/feedback', { config: { access: 'user' } }, async (request) => {
      const userId = request.userId;
      const { responseId, rating } = parseFeedback(jsonBody(request));
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
      return { response_id: responseId, rating, recorded: true };
    });

    // One list both SDKs read: OpenAI's fields (`object`, `owned_by`) and Anthropic's (`type`, `display_name`,
    // the page's `has_more`).
    api.get('/v1/models', { config: { access: 'user' } }, async () => {
      const ids = ['cascade', ...engine.agent.ladder.map((t) => t.model)];
      return {
        object: 'list',
        data: ids.map((id) => ({
          id,
          object: 'model',
          created: 0,
          owned_by: 'cascadeflow',
          type: 'model',
          display_name: id === 'cascade' ? 'CascadeFlow cascade' : id,
          created_at: '1970-01-01T00:00:00Z',
        })),
        has_more: false,
        first_id: ids[0],
        last_id: ids.at(-1),
      };
    });

    api.get('/v1/demo/questions', { config: { access: 'user' } }, async () => ({
      mode: engine.mode,
      questions: engine.replay?.sample(20) ?? [],
    }));

    api.post('/v1/cascade/batch', { config: { access: 'user' } }, async (request) => {
      const userId = request.userId;
      const signal = signalOf(request);
      const queries = parseBatchRequest(jsonBody(request), options.maxBatchSize);
      const r = await runBatch(
        engine.agent,
        queries.map((q) => Object.assign({}, q, { userId })),
        { maxParallel: 8, strategy: 'concurrent', signal },
      );
      if (signal.aborted) throw signal.reason;
      for (const item of r.items)
        if (item.result) stats.record(stats.fromResult(userId, '(batch)', item.result));
      return {
        success_count: r.successCount,
        failure_count: r.failureCount,
        total_cost_usd: r.totalCost,
        results: r.items.map((i) =>
          i.ok
            ? { index: i.index, content: i.result!.content, cascade: cascadeInfo(i.result!, engine.mode) }
            : {
                index: i.index,
                error: Object.assign({}, i.error, { message: scrub(i.error?.message ?? '') }),
              },
        ),
      };
    });

    // Probes for load balancers and Kubernetes: public, and they say nothing but the status and, by name, a
    // dependency that is down. While the gateway shuts down every route answers 503, these too.
    api.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));
    api.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
      const r = await readiness.current();
      reply.code(r.ready ? 200 : 503);
      return {
        status: r.ready ? 'ready' : 'not_ready',
        ...(r.failing.length ? { failing: r.failing } : {}),
        ...(r.degraded.length ? { degraded: r.degraded } : {}),
      };
    });

    // The page itself is a static shell with a sign-in form: every piece of data comes from /api/*.
    api.get('/', { config: { access: 'public' } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .headers({
          'content-security-policy':
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'",
          'x-frame-options': 'DENY',
        })
        .send(dashboardHtml(engine.mode)),
    );

    api.post('/api/session', { config: { access: 'public' }, bodyLimit: 10_000 }, async (request, reply) => {
      reply.header('set-cookie', auth.signIn(jsonBody(request).key));
      return { ok: true };
    });

    // Changes a user's tier or overrides (profiles are shared by every instance on PostgreSQL).
    api.put('/api/profile', { config: { access: 'admin' }, bodyLimit: 100_000 }, async (request) => {
      const body = jsonBody(request);
      if (typeof body.id !== 'string' || !engine.profiles)
        throw httpError(400, 'invalid_request', 'id: must be the user id whose profile to change.');
      const change: { tier?: never; overrides?: never } = {};
      if (body.tier !== undefined) (change as Record<string, unknown>).tier = body.tier;
      if (body.overrides !== undefined) (change as Record<string, unknown>).overrides = body.overrides;
      const updated = await engine.profiles.update(body.id, change);
      return { id: updated.id, tier: updated.tier, version: updated.version };
    });

    api.get('/api/questions', { config: { access: 'admin' } }, async () => ({
      mode: engine.mode,
      questions: engine.replay?.sample(8) ?? [],
    }));

    api.get('/api/stats', { config: { access: 'admin' } }, async () => {
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
      return {
        mode: engine.mode,
        recorded: engine.recorded,
        calibration:
          engine.calibration &&
          Object.assign({}, engine.calibration, {
            reloadError: engine.calibration.reloadError && scrub(engine.calibration.reloadError),
          }),
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
      };
    });

    // The dashboard's live feed: open until the client goes away (or the deadline, and it reconnects).
    api.get(
      '/api/events',
      { config: { access: 'admin' }, sse: { kind: 'manual' } },
      async (request, reply) => {
        const signal = signalOf(request);
        reply.sse.keepAlive();
        await reply.sse.send({ event: 'connected', data: '{}' });
        const off = stats.on((e) => {
          reply.sse.send({ event: e.type, data: JSON.stringify(e.data) }).catch(() => {
            // The client went away between two events: the abort below cleans up.
          });
        });
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        });
        off();
        reply.sse.close();
      },
    );

    api.post(
      '/api/chat',
      { config: { access: 'admin' }, sse: { kind: 'manual', heartbeat: false } },
      async (request, reply) => {
        const body = jsonBody(request);
        const message = typeof body.message === 'string' ? body.message.trim() : '';
        if (!message) throw httpError(400, 'invalid_request', 'message: must be a non-empty string.');
        const events = streamCascade(
          engine.agent,
          { query: message, userId: dashboardUser, signal: signalOf(request) },
          { mode: 'stream' },
        ).pipe(
          tap({
            next: (e) =>
              e.type === 'finish' && stats.record(stats.fromResult(dashboardUser, message, e.result)),
          }),
        );
        await reply.sse.send(scrubbedErrors(cascadeSSEMessages(events)));
      },
    );

    api.get('/api/eval-chart', { config: { access: 'admin' } }, async (_request, reply) => {
      if (!existsSync(EVAL_CHART))
        throw httpError(404, 'not_found', 'No eval chart: run `pnpm cascadeflow eval-table`.');
      return reply.type('image/svg+xml').send(readFileSync(EVAL_CHART));
    });
  });

  return {
    app,
    server: app.server,
    async listen(host, port) {
      await app.listen({ host, port });
      const a = app.server.address() as AddressInfo;
      return `http://${host}:${a.port}`;
    },
    async close() {
      closing = true;
      const closed = app.close();
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
      app.server.closeAllConnections();
      await closed;
    },
  };
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AnthropicProvider,
  type ThreadedAnthropicProviderOptions,
  threadedAnthropicProvider,
} from '@cascadeflow/anthropic';
import {
  CascadeAgent as Agent,
  type CascadeAgent,
  type CascadePlugin,
  type CascadeResult,
  carriesDocuments,
  carriesImages,
  InvalidConfigError,
  type Provider,
  RequestRejectedError,
} from '@cascadeflow/core';
import { ThreadedProvider } from '@cascadeflow/core/thread';
import {
  calibrate,
  calibratedAgent,
  jsonlRecordSink,
  type RecordingPlugin,
  recordingPlugin,
  runEval,
} from '@cascadeflow/eval';
import { applyPolicy, guardrailsPlugin, type PiiPolicy, PiiVault, scanPii } from '@cascadeflow/guardrails';
import { limitsPlugin, RedisLimitStore } from '@cascadeflow/limits';
import {
  OpenAIProvider,
  pooledFetch,
  type ThreadedOpenAIProviderOptions,
  threadedOpenAIProvider,
} from '@cascadeflow/openai';
import {
  PostgresProfileStore,
  ProfileExistsError,
  type ProfileStore,
  profilesPlugin,
  SqliteProfileStore,
  UserProfileManager,
} from '@cascadeflow/profiles';
import { Redis } from 'ioredis';
import type { DemoConfig } from './config.js';
import type { ReadinessCheck } from './gateway/health.js';
import { LiveCalibration, type LiveCalibrationInfo } from './live-calibration.js';
import { DemoReplay, loadReplayData, REPLAY_LADDER } from './replay-data.js';
import { tracingFromEnv } from './tracing.js';

/** One finished (or failed) request, for the dashboard. */
export interface RequestRecord {
  at: number;
  userId: string;
  query: string;
  model: string | null;
  tier: number | null;
  tiersTried: string[];
  cost: number | null;
  baselineCost: number | null;
  error: string | null;
  /** The id the client got (`chatcmpl-…`, `msg_…`), which feedback names. */
  responseId: string | null;
}

/** Responses whose owner a gateway instance remembers, for feedback. */
export const RESPONSES_KEPT = 10_000;

type Listener = (event: { type: string; data: unknown }) => void;

const REDACT_ALL: PiiPolicy = { default: 'redact' };

/**
 * A question as the dashboard may show it: every PII value redacted (what the model saw after the input
 * guardrails, or less), and at most 200 characters.
 */
function shownQuery(query: string): string {
  const text = query.slice(0, 200);
  return applyPolicy(text, scanPii(text), REDACT_ALL, new PiiVault()).text;
}

/**
 * Live statistics and an event bus for the dashboard. A request's question is redacted when the dashboard
 * first reads it (or at once, for a dashboard listening), not on the request's path: most recorded requests
 * drop out of the last 50 unread.
 */
export class Stats {
  /** The last 50 requests, newest first; `raw` is the question (at most 200 characters) not yet redacted. */
  readonly #recent: { record: RequestRecord; raw: string | null }[] = [];
  readonly byTier = new Map<string, number>();
  readonly guardrailEvents: { at: number; where: string; what: string }[] = [];
  /** What went wrong at start-up without stopping it (a corrupt profile row). */
  readonly startupProblems: string[] = [];
  cost = 0;
  baseline = 0;
  requests = 0;
  readonly #listeners = new Set<Listener>();
  readonly #owners = new Map<string, string>();
  /**
   * The response ids kept, oldest replaced first. A Map's own first key is not a queue: after many deletions
   * at its front, finding it skips every deleted entry (5.7 µs a request at 10,000 kept, measured).
   */
  readonly #ownerIds: (string | undefined)[] = new Array(RESPONSES_KEPT);
  #nextOwner = 0;

  /** The user who got a response, among the last {@link RESPONSES_KEPT}. */
  ownerOf(responseId: string): string | undefined {
    return this.#owners.get(responseId);
  }

  on(l: Listener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  emit(type: string, data: unknown): void {
    for (const l of this.#listeners) l({ type, data });
  }

  /** The last 50 requests, newest first, their questions redacted. */
  get recent(): RequestRecord[] {
    return this.#recent.map(Stats.#shown);
  }

  static #shown(entry: { record: RequestRecord; raw: string | null }): RequestRecord {
    if (entry.raw !== null) {
      entry.record.query = shownQuery(entry.raw);
      entry.raw = null;
    }
    return entry.record;
  }

  /** Records a request; its `query` is the question as asked (redacted before anyone sees it). */
  record(r: RequestRecord): void {
    this.requests++;
    const entry = { record: Object.assign({}, r, { query: '' }), raw: r.query.slice(0, 200) };
    this.#recent.unshift(entry);
    if (this.#recent.length > 50) this.#recent.pop();
    if (r.model) this.byTier.set(r.model, (this.byTier.get(r.model) ?? 0) + 1);
    this.cost += r.cost ?? 0;
    this.baseline += r.baselineCost ?? r.cost ?? 0;
    if (r.responseId) {
      if (!this.#owners.has(r.responseId)) {
        const oldest = this.#ownerIds[this.#nextOwner];
        if (oldest !== undefined) this.#owners.delete(oldest);
        this.#ownerIds[this.#nextOwner] = r.responseId;
        this.#nextOwner = (this.#nextOwner + 1) % RESPONSES_KEPT;
      }
      this.#owners.set(r.responseId, r.userId);
    }
    if (this.#listeners.size > 0) this.emit('request', Stats.#shown(entry));
  }

  /** Records a request that failed with `code`. */
  failure(userId: string, query: string, code: string): void {
    this.record({
      at: Date.now(),
      userId,
      query,
      model: null,
      tier: null,
      tiersTried: [],
      cost: null,
      baselineCost: null,
      error: code,
      responseId: null,
    });
  }

  fromResult(userId: string, query: string, r: CascadeResult): RequestRecord {
    return {
      at: Date.now(),
      userId,
      query,
      model: r.model,
      tier: r.tier.index,
      tiersTried: r.attempts.map((a) => a.model),
      cost: r.totalCost,
      baselineCost: r.baselineCost,
      error: null,
      responseId: typeof r.metadata.responseId === 'string' ? r.metadata.responseId : null,
    };
  }
}

export interface Engine {
  mode: 'replay' | 'live';
  /** The agent now: a reloaded calibration replaces it, so read it per request. */
  readonly agent: CascadeAgent;
  /** Live mode with a calibration file: the calibration now live. */
  readonly calibration: LiveCalibrationInfo | null;
  /** Live mode with `recording` set: the recording plugin (its events, its spend). */
  recorder: RecordingPlugin | null;
  /** Where users' feedback goes. */
  feedbackFile: string;
  replay: DemoReplay | null;
  profiles: UserProfileManager;
  limits: ReturnType<typeof limitsPlugin>;
  stats: Stats;
  apiKeys: Map<string, string>;
  /**
   * In replay mode, what the cascade does on the whole recorded test split (calibrated on the train split),
   * through the same engine: the figure the dashboard shows beside the live one.
   */
  recorded: RecordedFigure | null;
  /** What the readiness probe (`GET /readyz`) asks: the profile store, and Redis where limits live there. */
  readiness: readonly ReadinessCheck[];
  close(): Promise<void>;
}

/** The cascade's quality and cost on every question of the recorded test split. */
export interface RecordedFigure {
  questions: number;
  ladder: string[];
  quality_ratio: number;
  cost_ratio: number;
  escalation_rate: number;
  strongest: string;
}

/**
 * Models that take images, by name (the default of `live.imageModels`): OpenAI's GPT-4o, GPT-4.1, GPT-5, o1,
 * o3 and o4-mini families (not o1-mini or o3-mini), Claude 3 and 4 (not Claude 3.5 Haiku), and open
 * vision models as Ollama and vLLM name them (LLaVA, `-vision`, Qwen-VL, Gemma 3, Pixtral, Llama 4, …).
 */
const IMAGE_MODEL =
  /^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4-turbo|gpt-4-vision|gpt-5|o1(?!-mini|-preview)|o3(?!-mini)|o4-mini|claude-(?!3-5-haiku)(?:3|opus-4|sonnet-4|haiku-4))|llava|vision|qwen[\d.]*-?vl|gemma-?3|pixtral|llama-?4|minicpm-v|moondream/i;

/** Whether a model takes images: listed in `live.imageModels`, or, when that is not set, known to by name. */
function takesImages(config: DemoConfig, model: string): boolean {
  return config.live.imageModels ? config.live.imageModels.includes(model) : IMAGE_MODEL.test(model);
}

/**
 * Models that take documents (PDFs), by name (the default of `live.documentModels`): OpenAI's GPT-4o, GPT-4.1,
 * GPT-5, o1, o3 and o4-mini families (file inputs), and Claude 3.5 Sonnet, 3.7 and 4 (PDF support). No open
 * model by default.
 */
const DOCUMENT_MODEL =
  /^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-5|o1(?!-mini|-preview)|o3(?!-mini)|o4-mini|claude-(?:3-5-sonnet|3-7|opus-4|sonnet-4|haiku-4))/i;

/** Whether a model takes documents: listed in `live.documentModels`, or, when that is not set, known to by name. */
function takesDocuments(config: DemoConfig, model: string): boolean {
  return config.live.documentModels ? config.live.documentModels.includes(model) : DOCUMENT_MODEL.test(model);
}

export function liveProviders(config: DemoConfig): {
  providers: Record<string, Provider>;
  ladder: { model: string; provider: string; images: boolean; documents: boolean }[];
} | null {
  const found = liveLadder(config);
  if (!found) return null;
  return Object.assign({}, found, {
    ladder: found.ladder.map((t) =>
      Object.assign({}, t, {
        images: takesImages(config, t.model),
        documents: takesDocuments(config, t.model),
      }),
    ),
  });
}

/** The OpenAI provider of live mode, with a worker thread unless `live.providerThread` is false. */
function openaiProvider(config: DemoConfig, options: ThreadedOpenAIProviderOptions): Provider {
  const where = config.live.providerThread ?? true;
  return where === false
    ? new OpenAIProvider(Object.assign({}, options, { fetch: pooledFetch() }))
    : threadedOpenAIProvider(Object.assign({}, options, { pooledFetch: true, inline: where !== 'always' }));
}

/** The Anthropic provider of live mode, with a worker thread unless `live.providerThread` is false. */
function anthropicProvider(config: DemoConfig, options: ThreadedAnthropicProviderOptions): Provider {
  const where = config.live.providerThread ?? true;
  const withCaching = Object.assign({}, options, { promptCaching: config.live.promptCaching ?? true });
  return where === false
    ? new AnthropicProvider(Object.assign({}, withCaching, { fetch: pooledFetch() }))
    : threadedAnthropicProvider(
        Object.assign({}, withCaching, { pooledFetch: true, inline: where !== 'always' }),
      );
}

function liveLadder(
  config: DemoConfig,
): { providers: Record<string, Provider>; ladder: { model: string; provider: string }[] } | null {
  if (config.live.baseURL) {
    const ladder = config.live.ladder ?? [];
    if (ladder.length === 0)
      throw new Error(
        `live.ladder: name the models of your ${config.live.api === 'anthropic' ? 'Anthropic' : 'OpenAI'}-compatible endpoint, cheapest first`,
      );
    if (config.live.structuredOutputs && config.live.api !== 'anthropic')
      throw new Error(
        'live.structuredOutputs: only with "api": "anthropic" (an OpenAI-compatible endpoint gets the schema as its response_format)',
      );
    // The provider has a worker thread (unless live.providerThread is false) for when the event loop is busy,
    // and uses undici's pooled request API: the SDK's CPU per call then leaves the event loop.
    const provider =
      config.live.api === 'anthropic'
        ? anthropicProvider(config, {
            name: 'compat',
            baseURL: config.live.baseURL,
            apiKey: process.env.ANTHROPIC_API_KEY ?? 'none',
            structuredOutputs: config.live.structuredOutputs === true,
          })
        : openaiProvider(config, {
            name: 'compat',
            baseURL: config.live.baseURL,
            apiKey: process.env.OPENAI_API_KEY ?? 'none',
          });
    return {
      providers: { compat: provider },
      ladder: ladder.map((model) => ({ model, provider: 'compat' })),
    };
  }
  if (process.env.OPENAI_API_KEY) {
    const ladder = config.live.ladder ?? ['gpt-4o-mini', 'gpt-4o'];
    return {
      providers: { openai: openaiProvider(config, {}) },
      ladder: ladder.map((model) => ({ model, provider: 'openai' })),
    };
  }
  if (process.env.ANTHROPIC_API_KEY) {
    const ladder = config.live.ladder ?? ['claude-3-5-haiku-latest', 'claude-sonnet-4-20250514'];
    return {
      providers: { anthropic: anthropicProvider(config, {}) },
      ladder: ladder.map((model) => ({ model, provider: 'anthropic' })),
    };
  }
  return null;
}

/**
 * The plugin that refuses a request with images or documents, naming this gateway's setting, when no model of
 * its ladder takes them (the cascade would refuse it too, but could name only its own option); none when
 * models take both. Replay answers recorded text only.
 */
function attachmentGate(
  ladder: { model: string; images: boolean; documents: boolean }[] | null,
): CascadePlugin[] {
  // A ladder with models that take images and documents needs no gate: nothing is added to every request's path.
  const images = ladder?.some((t) => t.images) ?? false;
  const documents = ladder?.some((t) => t.documents) ?? false;
  if (images && documents) return [];
  const models = ladder?.map((t) => t.model).join(', ');
  const problem = (what: 'images' | 'documents', setting: string) =>
    ladder
      ? `carry ${what}, and no model of this gateway's ladder (${models}) takes ${what}: send text, or list the models that do in \`${setting}\` of cascadeflow.config.json`
      : `carry ${what}, and this gateway replays recorded answers to text questions: send text, or go live (an API key, or live.baseURL in cascadeflow.config.json) with a ladder of models that take ${what}`;
  return [
    {
      name: 'attachment-gate',
      resolveConfig({ request }) {
        if (!request.messages) return;
        if (!images && carriesImages(request.messages))
          throw new InvalidConfigError(
            'request.messages',
            problem('images', 'live.imageModels'),
            'invalid_request',
          );
        if (!documents && carriesDocuments(request.messages))
          throw new InvalidConfigError(
            'request.messages',
            problem('documents', 'live.documentModels'),
            'invalid_request',
          );
      },
    },
  ];
}

/**
 * In replay mode, a recorded question is asked exactly as it was recorded (its system and user prompts), so
 * that the calibrated scores see what the calibration saw and the live figures match the recorded ones; a
 * question outside the recording gets a clear refusal (after limits and guardrails).
 */
function replayGate(replay: DemoReplay): CascadePlugin<{ recorded: boolean }> {
  return {
    name: 'replay-gate',
    // Whether the question is recorded is looked up once, in resolveConfig; the gate reads the answer.
    createState: () => ({ recorded: false }),
    resolveConfig({ request, state }) {
      // A request with images or documents was refused before (attachmentGate).
      const last = request.messages?.filter((m) => m.role === 'user').at(-1)?.content;
      const text = request.query ?? (typeof last === 'string' ? last : null);
      const record = text === null ? undefined : replay.find(text);
      if (!record) return;
      state.recorded = true;
      const { query: _query, system: _system, ...rest } = request;
      return Object.assign({}, rest, {
        messages: [
          { role: 'system', content: record.systemPrompt },
          { role: 'user', content: record.userPrompt },
        ],
      });
    },
    beforeRun({ request, state }) {
      if (state.recorded) return;
      throw new RequestRejectedError({
        code: 'not_in_replay',
        reason: `This demo runs on recorded answers of real models (replay), and "${request.query.slice(0, 80)}" is not one of the recorded questions. Ask one of them (GET /v1/demo/questions), e.g. "${replay.sample(1)[0]}", or go live: set OPENAI_API_KEY (or ANTHROPIC_API_KEY, or live.baseURL in cascadeflow.config.json) and restart.`,
      });
    },
  };
}

/** Builds the demo: the agent (replay or live), profiles in SQLite, limits, guardrails, statistics. */
export async function createEngine(config: DemoConfig): Promise<Engine> {
  const stats = new Stats();
  const store = await openProfileStore(config);
  const profiles = new UserProfileManager(store, { cacheTtlMs: config.profileCacheTtlMs });
  for (const userId of new Set(Object.values(config.apiKeys))) {
    try {
      if (!(await profiles.find(userId))) await profiles.create({ id: userId, tier: config.defaultTier });
    } catch (e) {
      // Another instance created it meanwhile, or its row is corrupt: that user's requests will say so;
      // the gateway starts for everyone else.
      if (!(e instanceof ProfileExistsError))
        stats.startupProblems.push(`profile ${userId}: ${(e as Error).message}`);
    }
  }
  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : null;
  const limits = limitsPlugin(redis ? { store: new RedisLimitStore({ client: redis }) } : {});
  limits.on('limit:rejected', (e) => stats.emit('limit', e));
  const guardrails = guardrailsPlugin();
  guardrails.on('pii:found', (e) => {
    const what = e.findings.map((f) => `${f.type}→${f.action}`).join(', ');
    stats.guardrailEvents.unshift({ at: Date.now(), where: e.where, what });
    stats.emit('guardrail', { where: e.where, what });
  });
  guardrails.on('moderation:flagged', (e) => {
    const what = `moderation: ${e.categories.join(', ')} (${e.action})`;
    stats.guardrailEvents.unshift({ at: Date.now(), where: e.where, what });
    stats.emit('guardrail', { where: e.where, what });
  });
  const tracing = tracingFromEnv();
  const live = config.mode === 'replay' ? null : liveProviders(config);
  if (!live && (config.calibration || config.recording))
    stats.startupProblems.push(
      'calibration and recording apply to live mode only: this run replays recorded answers',
    );
  const recorder =
    live && config.recording
      ? recordingPlugin({
          ladder: live.ladder.map((t) => ({ model: t.model, provider: live.providers[t.provider]! })),
          sampleRate: config.recording.sampleRate,
          budgetUsd: config.recording.budgetUsd,
          ...(config.recording.maxConcurrent ? { maxConcurrent: config.recording.maxConcurrent } : {}),
          ...(config.recording.maxQueued ? { maxQueued: config.recording.maxQueued } : {}),
          sink: jsonlRecordSink(config.recording.file),
          // Records carry the gateway's response ids, which users' feedback names.
          idOf: (c) => (typeof c.metadata.responseId === 'string' ? c.metadata.responseId : c.runId),
        })
      : null;
  const plugins = [
    ...(tracing ? [tracing.plugin] : []),
    ...attachmentGate(live?.ladder ?? null),
    // In replay mode the thresholds are the calibration's: a profile's flat quality target must not replace them.
    profilesPlugin({
      manager: profiles,
      defaultTier: config.defaultTier,
      thresholds: live && !config.calibration ? 'profile' : 'agent',
    }),
    limits,
    guardrails,
    ...(recorder ? [recorder] : []),
  ];
  if (config.mode === 'live' && !live)
    throw new Error('mode "live" needs OPENAI_API_KEY, ANTHROPIC_API_KEY or live.baseURL in the config file');
  let agent: CascadeAgent;
  let replay: DemoReplay | null = null;
  let recorded: RecordedFigure | null = null;
  let calibration: LiveCalibration | null = null;
  if (live && config.calibration) {
    calibration = await LiveCalibration.open(config.calibration, live.providers, live.ladder, {
      plugins,
      ...(config.live.prices ? { pricing: config.live.prices } : {}),
    });
    agent = calibration.agent;
  } else if (live) {
    agent = new Agent(
      Object.assign({}, config.live.prices ? { pricing: config.live.prices } : {}, {
        providers: live.providers,
        ladder: live.ladder.map((t, i) =>
          Object.assign({}, t, i < live.ladder.length - 1 ? { threshold: config.live.threshold } : {}),
        ),
        plugins,
      }),
    );
  } else {
    const { train, test } = await loadReplayData();
    replay = new DemoReplay(test);
    const calibration = calibrate(train, {
      ladder: REPLAY_LADDER,
      candidates: [REPLAY_LADDER],
      targetQuality: 0.95,
    });
    agent = calibratedAgent(calibration, { replay }, 'replay', {
      plugins: [...plugins, replayGate(replay)],
      retry: { maxRetries: 0 },
    });
    const report = await runEval(test, calibration, {
      fullLadder: REPLAY_LADDER,
      onResult: (record, result) => replay?.recordOutcome(record, result.tier.index),
    });
    recorded = {
      questions: report.n,
      ladder: report.ladder,
      quality_ratio: report.quality_ratio,
      cost_ratio: report.cost_ratio,
      escalation_rate: report.escalation_rate,
      strongest: REPLAY_LADDER[REPLAY_LADDER.length - 1]!,
    };
  }
  return {
    mode: live ? 'live' : 'replay',
    get agent() {
      return calibration?.agent ?? agent;
    },
    get calibration() {
      return calibration?.info ?? null;
    },
    recorder,
    feedbackFile: config.feedbackFile,
    replay,
    profiles,
    limits,
    stats,
    apiKeys: new Map(Object.entries(config.apiKeys)),
    recorded,
    readiness: [
      // Profiles are read on a cache miss: with the store down, new users' requests fail.
      { name: 'profiles', whenDown: 'required', check: () => store.get('readiness-probe') },
      // Limits fall back to memory while Redis is down (the limits plugin's default policy): served, degraded.
      ...(redis ? [{ name: 'redis', whenDown: 'degraded' as const, check: () => redis.ping() }] : []),
    ],
    close: async () => {
      calibration?.close();
      await recorder?.close();
      await store.close();
      redis?.disconnect();
      await tracing?.shutdown();
      // The providers' worker threads (live mode).
      for (const provider of Object.values(live?.providers ?? {}))
        if (provider instanceof ThreadedProvider) await provider.close();
    },
  };
}

/** Profiles in PostgreSQL when `databaseUrl` is set (shared by every instance), else in the SQLite file. */
async function openProfileStore(config: DemoConfig): Promise<ProfileStore> {
  if (config.databaseUrl) return PostgresProfileStore.connect(config.databaseUrl);
  if (config.profilesDb !== ':memory:') mkdirSync(dirname(config.profilesDb), { recursive: true });
  return SqliteProfileStore.open(config.profilesDb);
}

/** A Redis client for the limits store: no offline queue, so an outage fails fast and the policy applies. */
async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {}); // failed commands surface through the limits store's outage events
  await client.connect();
  return client;
}

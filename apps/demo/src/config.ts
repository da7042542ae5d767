import { existsSync, readFileSync } from 'node:fs';
import { InvalidConfigError } from '@cascadeflow/core';
import { z } from 'zod';

/** The demo's configuration file (`cascadeflow.config.json`), every field optional. */
const schema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8787),
    /** `replay` (recorded answers, no keys), `live` (needs a key or a base URL), `auto` (live when a key is set). */
    mode: z.enum(['auto', 'replay', 'live']).default('auto'),
    /** Where profiles live (SQLite). */
    profilesDb: z.string().default('.cascadeflow/profiles.db'),
    /** API keys of the gateway, each mapped to a user id (created at startup with `defaultTier`). */
    apiKeys: z
      .record(z.string().min(8, 'API keys must have at least 8 characters'), z.string().min(1))
      .default({ 'cf-demo-key': 'demo-user' }),
    defaultTier: z.enum(['free', 'starter', 'pro', 'business', 'enterprise']).default('pro'),
    /**
     * Opens the dashboard and its API (env CASCADEFLOW_ADMIN_KEY wins). Absent: a random key is made for each
     * run and printed once, with a sign-in link.
     */
    adminKey: z.string().min(16, 'the admin key needs at least 16 characters').optional(),
    /** The user that the dashboard's chat is billed to. Default: the user of the first API key. */
    dashboardUser: z.string().min(1).optional(),
    /** Origins allowed to call the gateway from a browser (CORS). Default none. */
    corsOrigins: z.array(z.string().url()).default([]),
    /** Largest request body, in bytes. */
    maxBodyBytes: z.number().int().positive().default(1_000_000),
    /** Most queries in one `/v1/cascade/batch` request. */
    maxBatchSize: z.number().int().positive().max(10_000).default(100),
    /** A request still running after this is aborted upstream and answered 504. */
    requestTimeoutMs: z.number().int().positive().default(120_000),
    /** On SIGTERM: how long in-flight requests may finish before they are aborted. */
    shutdownGraceMs: z.number().int().min(0).default(10_000),
    /** Limits on this Redis (shared by every instance); env CASCADEFLOW_REDIS_URL. Absent: in this process's memory. */
    redisUrl: z.string().optional(),
    /** Profiles in this PostgreSQL (shared by every instance); env CASCADEFLOW_DATABASE_URL. Absent: SQLite `profilesDb`. */
    databaseUrl: z.string().optional(),
    /** How long an instance may serve a cached profile after another instance changed it, in ms. */
    profileCacheTtlMs: z.number().int().min(0).default(5_000),
    /**
     * Live mode: a calibration file (`cascadeflow calibrate` writes one). Loaded at start and reloaded when it
     * changes; the cascade then runs its ladder, thresholds and scoring instead of `live.threshold`.
     */
    calibration: z.string().min(1).optional(),
    /**
     * Live mode: record a share of live requests for calibration, with shadow calls to the tiers the cascade
     * skipped, paid from `budgetUsd` (never from a user's limits).
     */
    recording: z
      .object({
        file: z.string().min(1).default('.cascadeflow/records.jsonl'),
        sampleRate: z.number().min(0).max(1),
        budgetUsd: z.number().min(0),
        /** Shadow calls in flight at most (default 2), and sampled requests waiting at most (default 100). */
        maxConcurrent: z.number().int().positive().optional(),
        maxQueued: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** Where `POST /v1/feedback` appends users' thumbs up and down. */
    feedbackFile: z.string().min(1).default('.cascadeflow/feedback.jsonl'),
    live: z
      .object({
        /**
         * An endpoint of your own: OpenAI-compatible (Ollama, vLLM, LiteLLM) or, with `api: "anthropic"`,
         * speaking Anthropic's Messages API; with no key, any string is sent.
         */
        baseURL: z.string().url().optional(),
        /** The wire format of `baseURL`. Default `openai`. */
        api: z.enum(['openai', 'anthropic']).optional(),
        /**
         * With `api: "anthropic"`: the ladder's Claude models take structured outputs (`output_config.format`,
         * Claude 4.5 on), so a JSON schema asked for is enforced by the model rather than asked of it in the
         * system prompt. Default false (earlier models refuse it).
         */
        structuredOutputs: z.boolean().optional(),
        /**
         * Claude models (the Anthropic API, or `api: "anthropic"`): prompt caching, cache breakpoints on the
         * tools, the system prompt and the conversation so that an agent's next turn reads its beginning from
         * the cache at a tenth of the input price (writing costs 1.25 times it). Default true: a gateway's
         * clients are agents, which send the same beginning again on every turn.
         */
        promptCaching: z.boolean().optional(),
        /**
         * Where the provider's SDK runs. Default true: on the main thread while its event loop is mostly
         * idle, in a worker thread when it is busy (the hop between threads costs latency that only a busy
         * event loop repays). `"always"`: every call in the worker. False: every call on the main thread.
         */
        providerThread: z.union([z.boolean(), z.literal('always')]).optional(),
        ladder: z.array(z.string().min(1)).min(1, 'must name at least one model').optional(),
        threshold: z.number().min(0).max(1).default(0.75),
        /**
         * The ladder's models that take images: a request with images is asked of these only (refused by name
         * when none is on the ladder). Default: those known by name to take images (GPT-4o, GPT-4.1, GPT-5,
         * o1, o3, o4-mini, Claude 3 and 4 but 3.5 Haiku, LLaVA, `-vision`, Qwen-VL, Gemma 3, Pixtral, Llama 4).
         */
        imageModels: z.array(z.string().min(1)).optional(),
        /**
         * The ladder's models that take documents (PDFs, text files): a request with documents is asked of these
         * only (refused by name when none is on the ladder). Default: those known by name to take PDFs (GPT-4o,
         * GPT-4.1, GPT-5, o1, o3, o4-mini, Claude 3.5 Sonnet, 3.7 and 4).
         */
        documentModels: z.array(z.string().min(1)).optional(),
        /** Prices in USD per million tokens of models the built-in table lacks (a vLLM or Ollama model). */
        prices: z
          .record(
            z.string().min(1),
            z.object({ input: z.number().min(0), output: z.number().min(0) }).strict(),
          )
          .optional(),
      })
      .strict()
      .default({ threshold: 0.75 }),
  })
  .strict();

export type DemoConfig = z.infer<typeof schema>;

/** Reads and validates the config file (absent: all defaults); errors name the field. */
export function loadConfig(
  path = 'cascadeflow.config.json',
  overrides: Partial<DemoConfig> = {},
): DemoConfig {
  let raw: unknown = {};
  if (existsSync(path)) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new InvalidConfigError(path, `not valid JSON (${(e as Error).message})`);
    }
  }
  // object-spread: start-up only.
  const env = {
    ...(process.env.CASCADEFLOW_ADMIN_KEY ? { adminKey: process.env.CASCADEFLOW_ADMIN_KEY } : {}),
    ...(process.env.CASCADEFLOW_REDIS_URL ? { redisUrl: process.env.CASCADEFLOW_REDIS_URL } : {}),
    ...(process.env.CASCADEFLOW_DATABASE_URL ? { databaseUrl: process.env.CASCADEFLOW_DATABASE_URL } : {}),
  };
  // object-spread: the file's JSON may hold an own `__proto__` key, which a spread copies as data.
  const parsed = schema.safeParse({ ...(raw as object), ...env, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = [path, ...(issue?.path ?? []).map(String)].join('.');
    throw new InvalidConfigError(
      field,
      issue?.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.join(', ')}`
        : (issue?.message ?? 'is invalid'),
    );
  }
  return parsed.data;
}

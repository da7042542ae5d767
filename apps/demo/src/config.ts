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
    live: z
      .object({
        /** An OpenAI-compatible endpoint (Ollama, vLLM); with no key, any string is sent. */
        baseURL: z.string().url().optional(),
        ladder: z.array(z.string().min(1)).min(1, 'must name at least one model').optional(),
        threshold: z.number().min(0).max(1).default(0.75),
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
  const parsed = schema.safeParse({ ...(raw as object), ...overrides });
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

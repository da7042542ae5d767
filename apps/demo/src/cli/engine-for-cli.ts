import { loadConfig } from '../config.js';
import { createEngine, type Engine } from '../engine.js';

/** Runs `fn` with an engine built from the config file (profiles in memory: one-shot commands), then closes it. */
export async function withEngine<T>(
  values: { config?: string; mode?: string },
  fn: (engine: Engine, userId: string) => Promise<T>,
): Promise<T> {
  const engine = await createEngine(
    loadConfig(values.config, {
      profilesDb: ':memory:',
      ...(values.mode ? { mode: values.mode as 'replay' } : {}),
    }),
  );
  try {
    return await fn(engine, [...engine.apiKeys.values()][0]!);
  } finally {
    await engine.close();
  }
}

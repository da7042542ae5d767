import type { Usage } from '@cascadeflow/core';

/**
 * The Messages API's usage in core's shape: its `input_tokens` leave out the cache's reads and writes, which
 * count as input here too (reads as `cachedInputTokens`, writes as `cacheWriteInputTokens`).
 */
export function usageOf(u: {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}): Usage {
  const cached = u.cache_read_input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (u.input_tokens ?? 0) + cached + written,
    outputTokens: u.output_tokens ?? 0,
    cachedInputTokens: cached,
    ...(written ? { cacheWriteInputTokens: written } : {}),
  };
}

import { CascadeAbortedError, ProviderError } from '../errors/errors.js';

/** Retry policy for provider calls within one tier. */
export interface RetryOptions {
  /** Retries after the first call. Default 2 (the OpenAI and Anthropic SDKs' default). */
  maxRetries?: number;
  /** First backoff delay in ms. Default 250; doubles each retry with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"). */
  baseDelayMs?: number;
  /** Backoff cap in ms. Default 8000 (the openai SDK's cap). */
  maxDelayMs?: number;
  /**
   * Longest `retry-after` worth waiting for, in ms. Default 30000. A provider asking for longer makes the
   * tier fail at once so that the next tier can answer.
   */
  maxRetryAfterMs?: number;
}

/** Waits `ms` or until `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CascadeAbortedError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CascadeAbortedError(signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The delay before retry number `retry` (1-based), or null when the error says not to retry. */
export function retryDelay(error: unknown, retry: number, options: Required<RetryOptions>): number | null {
  if (!(error instanceof ProviderError) || !error.retryable || retry > options.maxRetries) return null;
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs > options.maxRetryAfterMs ? null : error.retryAfterMs;
  }
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return cap / 2 + Math.random() * (cap / 2);
}

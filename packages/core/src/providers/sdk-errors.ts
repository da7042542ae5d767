import { CascadeAbortedError, type CascadeFlowError, ProviderError } from '../errors/errors.js';

/**
 * 408, 409, 429 and 5xx are worth retrying (the same rule as the OpenAI and Anthropic SDKs).
 *
 * @example
 * ```ts
 * isRetryableStatus(429); // true
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function header(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : null;
}

/**
 * Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date, RFC 9110 §10.2.3).
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ 'retry-after': '2' })); // 2000
 * ```
 */
export function retryAfterMs(headers: unknown): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = header(headers, 'retry-after');
  if (after === null) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Maps an error thrown by the `openai` or `@anthropic-ai/sdk` client (both Stainless-generated, with the
 * same error classes by name) to a CascadeFlow error: for provider packages. Reads the error by shape, so
 * core depends on neither SDK.
 *
 * @example
 * ```ts
 * try { await client.chat.completions.create(body); } catch (e) { throw providerErrorFromSdk(e, 'openai', model, signal); }
 * ```
 */
export function providerErrorFromSdk(
  error: unknown,
  provider: string,
  model: string,
  signal?: AbortSignal,
): CascadeFlowError {
  if (signal?.aborted) return new CascadeAbortedError(signal.reason);
  const e = error as { name?: string; status?: unknown; headers?: unknown; message?: string };
  // The SDKs' error classes do not all set `name`; their constructor names are stable.
  const ctor = (error as { constructor?: { name?: string } })?.constructor?.name ?? '';
  const name = ctor.startsWith('API') ? ctor : (e?.name ?? '');
  const message = e?.message ?? String(error);
  if (typeof e?.status === 'number') {
    const status = e.status;
    return new ProviderError({
      code: status === 429 ? 'provider_rate_limited' : 'provider_error',
      provider,
      model,
      status,
      message: `HTTP ${status}: ${message}`,
      retryable: isRetryableStatus(status),
      retryAfterMs: retryAfterMs(e.headers),
      cause: error,
    });
  }
  if (name === 'APIConnectionTimeoutError') {
    return new ProviderError({
      code: 'provider_timeout',
      provider,
      model,
      message,
      retryable: true,
      cause: error,
    });
  }
  if (name === 'APIUserAbortError' || name === 'AbortError') return new CascadeAbortedError(error);
  if (error instanceof SyntaxError) {
    return new ProviderError({
      code: 'provider_malformed_response',
      provider,
      model,
      message: `The provider sent a response that is not valid JSON (${message}).`,
      retryable: true,
      cause: error,
    });
  }
  // Connection errors (refused, reset, stream cut off) are transient.
  return new ProviderError({
    provider,
    model,
    message: `${name || 'Error'}: ${message}`,
    retryable: true,
    cause: error,
  });
}

/** A provider error's message as it was given, without the `provider/model: ` its message starts with. */
export function providerErrorDetail(error: ProviderError): string {
  const prefix = `${error.provider}/${error.model}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/**
 * Says that a stream failed midway (after `received` events), keeping the error's code and retry data.
 *
 * @example
 * ```ts
 * throw midStreamError(providerErrorFromSdk(e, 'openai', model, signal), chunksSoFar);
 * ```
 */
export function midStreamError(error: CascadeFlowError, received: number): CascadeFlowError {
  if (!(error instanceof ProviderError) || received === 0) return error;
  return new ProviderError({
    code: error.code as 'provider_error',
    provider: error.provider,
    model: error.model,
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    message: `the stream was cut off midway, after ${received} events (${providerErrorDetail(error)})`,
    cause: error.cause,
  });
}

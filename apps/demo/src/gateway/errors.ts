import { CascadeFlowError } from '@cascadeflow/core';

/** An error in OpenAI's format, with the HTTP status a client expects for it and the headers it needs. */
export class HttpError extends Error {
  readonly body: { error: { message: string; type: string; param: null; code: string } };

  constructor(
    readonly status: number,
    code: string,
    message: string,
    type = 'invalid_request_error',
    readonly headers: Record<string, string> = {},
    /** Machine-readable details a client acts on (the Messages API's `error.details`). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'HttpError';
    this.body = { error: { message, type, param: null, code } };
  }
}

export function httpError(
  status: number,
  code: string,
  message: string,
  type = 'invalid_request_error',
  headers: Record<string, string> = {},
  details?: Readonly<Record<string, unknown>>,
): HttpError {
  return new HttpError(status, code, message, type, headers, details);
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}

/** Maps a CascadeFlow error to its HTTP answer: limits 429 with Retry-After, guardrails 400, and so on. */
export function toHttpError(e: unknown): HttpError {
  // Anything that is not a known failure says nothing about the gateway's insides.
  if (!CascadeFlowError.isInstance(e))
    return httpError(500, 'internal_error', 'Internal error in the gateway.', 'server_error');
  const code = String(e.code);
  const retry = (e as { retryAfterMs?: number }).retryAfterMs;
  switch (code) {
    case 'rate_limited':
    case 'budget_exceeded':
      return httpError(
        429,
        code,
        e.message,
        'requests',
        retry !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil(retry / 1000))) } : {},
      );
    case 'limits_store_unavailable':
      return httpError(503, code, e.message, 'server_error', { 'retry-after': '1' });
    case 'guardrail_blocked':
      return httpError(400, 'content_policy_violation', e.message);
    case 'invalid_request':
    case 'invalid_config':
      return httpError(400, code, e.message);
    case 'feature_not_available':
    case 'no_allowed_model':
    case 'profile_not_found':
      return httpError(403, code, e.message, 'permission_error');
    case 'aborted':
      return httpError(499, code, e.message, 'client_closed');
    case 'not_in_replay':
      return httpError(404, code, e.message);
    case 'all_tiers_failed':
      return httpError(502, code, e.message, 'server_error');
    case 'profile_corrupt':
    case 'profile_store_error':
      return httpError(500, code, e.message, 'server_error');
    default:
      return httpError(500, code, e.message, 'server_error');
  }
}

import type { FastifyError, FastifyRequest } from 'fastify';
import { type HttpError, httpError } from './errors.js';

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The request's body as a JSON object. Fastify's parser has already refused other media types, bodies
 * over the route's limit and malformed JSON (see {@link frameworkError}); this refuses what parsed but is
 * not an object, and a missing body.
 */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) {
    const type = mediaType(request);
    if (type !== 'application/json')
      throw httpError(
        415,
        'unsupported_media_type',
        `Send the body as JSON with "content-type: application/json" (got "${type || 'none'}").`,
      );
    throw httpError(400, 'invalid_json', 'The request body is empty: send a JSON object.');
  }
  if (typeof body !== 'object' || Array.isArray(body))
    throw httpError(400, 'invalid_json', 'The request body is not a JSON object.');
  return body as Record<string, unknown>;
}

/** Fastify's own refusals (body parsing, limits) as the gateway's errors; undefined for anything else. */
export function frameworkError(e: FastifyError, request: FastifyRequest): HttpError | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpError(
        415,
        'unsupported_media_type',
        `Send the body as JSON with "content-type: application/json" (got "${mediaType(request) || 'none'}").`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpError(
        413,
        'request_too_large',
        `The request body is over ${request.routeOptions.bodyLimit} bytes.`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return httpError(400, 'invalid_json', 'The request body is empty: send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return httpError(
        400,
        'invalid_json',
        'The request body is not valid JSON (or sets "__proto__" or "constructor.prototype").',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return httpError(400, 'invalid_request', 'The request body does not match its Content-Length.');
    default:
      return undefined;
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpError, httpError } from './errors.js';

/** Reads a JSON object body: `content-type: application/json` only, at most `limit` bytes. */
export async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw httpError(
      415,
      'unsupported_media_type',
      `Send the body as JSON with "content-type: application/json" (got "${type || 'none'}").`,
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw httpError(413, 'request_too_large', `The request body is over ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw httpError(413, 'request_too_large', `The request body is over ${limit} bytes.`);
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw httpError(400, 'invalid_json', `The request body is not a JSON object (${(e as Error).message}).`);
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError) {
  if (res.headersSent) {
    res.end();
    return;
  }
  send(res, e.status, e.body, e.headers);
}

export function isHttpError(e: unknown): e is HttpError {
  return typeof e === 'object' && e !== null && 'status' in e && 'body' in e;
}

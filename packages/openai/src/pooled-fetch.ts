import { Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** Options of {@link pooledFetch}. */
export interface PooledFetchOptions {
  /** Connections per origin kept open (default 128). */
  connections?: number;
  /** How long an idle connection stays open, in ms (default 30000). */
  keepAliveTimeoutMs?: number;
}

/**
 * A `fetch` for the SDK clients built on undici's pooled `request` API, about half the CPU of the WHATWG
 * `fetch` per call (measured in the openai package's bench), with keep-alive connections. Bodies other than
 * text and bytes (a file upload's form data) go through the global `fetch`. Hand it to a provider:
 * `new OpenAIProvider({ fetch: pooledFetch() })`.
 *
 * @example
 * ```ts
 * const provider = new OpenAIProvider({ baseURL: 'http://localhost:8000/v1', apiKey: 'x', fetch: pooledFetch() });
 * ```
 */
export function pooledFetch(options: PooledFetchOptions = {}): typeof fetch {
  const dispatcher = new Agent({
    connections: options.connections ?? 128,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
  });
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = init.body;
    const simple =
      body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!simple || !/^https?:/.test(url) || (typeof input !== 'string' && !(input instanceof URL)))
      return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const r = await request(url, {
      method: (init.method ?? 'GET') as 'GET',
      headers,
      body: body ?? null,
      signal: init.signal ?? null,
      dispatcher,
    });
    const responseHeaders = new Headers();
    for (const [key, value] of Object.entries(r.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
      else responseHeaders.set(key, String(value));
    }
    const empty = r.statusCode === 204 || r.statusCode === 304 || init.method === 'HEAD';
    if (empty) r.body.resume();
    return new Response(empty ? null : (Readable.toWeb(r.body) as ReadableStream<Uint8Array>), {
      status: r.statusCode,
      headers: responseHeaders,
    });
  };
}

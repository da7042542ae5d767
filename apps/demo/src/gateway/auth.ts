import * as crypto from 'node:crypto';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { httpError } from './errors.js';

const SESSION_COOKIE = 'cf_session';
const SESSION_MS = 12 * 3600_000;

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `crypto.hash` (Node 20.12 and later) is the one-shot digest, about a third of a `createHash` chain's cost. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

function digest(key: string): string {
  return oneShot ? oneShot('sha256', key, 'base64') : createHash('sha256').update(key).digest('base64');
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
}

/**
 * Who may do what: API keys map to users (the `/v1` routes); the admin key, or a signed session cookie the
 * page gets for it, opens the dashboard and its API. Sessions are signed with a key derived from the admin
 * key, so every instance behind a load balancer accepts the same session.
 */
export class GatewayAuth {
  /**
   * Users by the SHA-256 of their API key: one lookup per request however many keys there are (comparing a
   * key with each in turn would make every request's work grow with the key count). A lookup by digest
   * tells a caller nothing about any key's bytes.
   */
  readonly #users: ReadonlyMap<string, string>;
  readonly #adminKey: string;
  readonly #signing: Buffer;

  constructor(apiKeys: ReadonlyMap<string, string>, adminKey: string) {
    this.#users = new Map([...apiKeys].map(([key, user]) => [digest(key), user]));
    this.#adminKey = adminKey;
    this.#signing = createHmac('sha256', adminKey).update('cascadeflow dashboard session').digest();
  }

  /** A fresh admin key, for a gateway started without one (printed once, for that run only). */
  static generateAdminKey(): string {
    return `cf-admin-${randomBytes(18).toString('base64url')}`;
  }

  /** The user of a `/v1` request, from its API key (`Authorization: Bearer`, or `x-api-key` as Anthropic's clients send it). */
  user(headers: IncomingHttpHeaders): string {
    const header = headers['x-api-key'];
    const key = bearer(headers) ?? (typeof header === 'string' ? header.trim() : undefined);
    const user = key ? this.#users.get(digest(key)) : undefined;
    if (!user)
      throw httpError(
        401,
        'invalid_api_key',
        'Missing or unknown API key: send "Authorization: Bearer <key>" with a key from the config file.',
      );
    return user;
  }

  #sign(expires: number): string {
    return `${expires}.${createHmac('sha256', this.#signing).update(String(expires)).digest('base64url')}`;
  }

  #validSession(headers: IncomingHttpHeaders): boolean {
    const cookie = (headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    const token = cookie?.slice(SESSION_COOKIE.length + 1);
    if (!token) return false;
    const expires = Number(token.split('.')[0]);
    return Number.isFinite(expires) && expires > Date.now() && equal(token, this.#sign(expires));
  }

  /** Throws 401 unless the request carries the admin key or a valid session. */
  admin(headers: IncomingHttpHeaders): void {
    const key = bearer(headers);
    if (key && equal(key, this.#adminKey)) return;
    if (this.#validSession(headers)) return;
    throw httpError(
      401,
      'admin_required',
      'The dashboard API needs the admin key: sign in on the dashboard, or send "Authorization: Bearer <admin key>".',
    );
  }

  /** Checks the admin key sent by the sign-in form; returns the `set-cookie` value of a new session. */
  signIn(key: unknown): string {
    if (typeof key !== 'string' || !equal(key, this.#adminKey))
      throw httpError(401, 'admin_required', 'Wrong admin key.');
    const expires = Date.now() + SESSION_MS;
    return `${SESSION_COOKIE}=${this.#sign(expires)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`;
  }
}

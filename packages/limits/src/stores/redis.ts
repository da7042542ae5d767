import { createHash } from 'node:crypto';
import type { LimitName } from '../limits.js';
import { CURRENT, RENEW, RESERVE, SETTLE } from './redis-scripts.js';
import type { LimitStore, Reservation, ReserveOutcome, ReserveRequest } from './store.js';

/** The commands the store needs; an `ioredis` client has them. */
export interface RedisLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  quit?(): Promise<unknown>;
}

/** Options of {@link RedisLimitStore}. */
export interface RedisLimitStoreOptions {
  /** A connected client (e.g. `new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })`). */
  client: RedisLike;
  /** Key prefix. Default `cf:limits`. Keys are `<prefix>:{<subject>}:<limit>`, one Redis Cluster slot per subject. */
  prefix?: string;
  /** A command that takes longer fails (and the failure policy applies). Default 1000 ms. */
  timeoutMs?: number;
  name?: string;
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex');
const SCRIPTS = {
  reserve: [RESERVE, sha(RESERVE)],
  settle: [SETTLE, sha(SETTLE)],
  renew: [RENEW, sha(RENEW)],
  current: [CURRENT, sha(CURRENT)],
} as const;

/**
 * Limits in Redis, shared by every process that uses the same Redis: each check-and-reserve is one Lua
 * script (atomic), windows use the server's clock, and every key has a TTL (a window plus one bucket).
 * Concurrency slots are leases in a sorted set (score: expiry on the server's clock), so a slot whose release
 * was lost frees itself when its lease lapses; settles are idempotent by reservation id.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = new RedisLimitStore({ client: new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) });
 * ```
 */
export class RedisLimitStore implements LimitStore {
  readonly name: string;
  readonly #client: RedisLike;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisLimitStoreOptions) {
    this.name = options.name ?? 'redis';
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'cf:limits';
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  #key(subject: string, name: string): string {
    return `${this.#prefix}:{${subject}}:${name}`;
  }

  async #run(script: keyof typeof SCRIPTS, keys: string[], args: (string | number)[]): Promise<unknown> {
    const [source, hash] = SCRIPTS[script];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      timer.unref?.();
    });
    const call = async () => {
      try {
        return await this.#client.evalsha(hash, keys.length, ...keys, ...args);
      } catch (e) {
        if (!String((e as Error)?.message).includes('NOSCRIPT')) throw e;
        return this.#client.eval(source, keys.length, ...keys, ...args);
      }
    };
    try {
      return await Promise.race([call(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #keys(subject: string, names: string[]): string[] {
    return [
      ...names.map((n) => this.#key(subject, n)),
      this.#key(subject, 'leases'),
      this.#key(subject, 'open'),
    ];
  }

  async reserve(req: ReserveRequest): Promise<ReserveOutcome> {
    const keys = this.#keys(
      req.subject,
      req.charges.map((c) => c.name),
    );
    const args: (string | number)[] = [req.charges.length];
    for (const c of req.charges) args.push(c.name, c.windowMs, c.limit, c.amount);
    args.push(req.concurrent ? req.concurrent.limit : -1, req.concurrent?.leaseMs ?? 0, req.id);
    const out = (await this.#run('reserve', keys, args)) as string[];
    if (out[0] === '1') {
      return {
        ok: true,
        reservation: {
          id: req.id,
          subject: req.subject,
          at: Number(out[1]),
          charges: req.charges.map(({ name, windowMs, amount }) => ({ name, windowMs, amount })),
          leaseMs: req.concurrent?.leaseMs ?? null,
          store: this.name,
        },
      };
    }
    const retry = Number(out[5]);
    return {
      ok: false,
      name: out[1] as LimitName,
      limit: Number(out[2]),
      current: Number(out[3]),
      requested: Number(out[4]),
      retryAfterMs: retry < 0 ? null : retry,
    };
  }

  async settle(r: Reservation, deltas: Partial<Record<LimitName, number>>): Promise<void> {
    const charges = r.charges.filter((c) => deltas[c.name]);
    const keys = this.#keys(
      r.subject,
      charges.map((c) => c.name),
    );
    const args: (string | number)[] = [charges.length];
    for (const c of charges) args.push(c.windowMs, deltas[c.name]!);
    args.push(r.id);
    await this.#run('settle', keys, args);
  }

  async renew(r: Reservation): Promise<void> {
    if (r.leaseMs === null) return;
    await this.#run('renew', [this.#key(r.subject, 'leases')], [r.id, r.leaseMs]);
  }

  async current(
    subject: string,
    windows: { name: LimitName; windowMs: number }[],
  ): Promise<Partial<Record<LimitName, number>>> {
    const timed = windows.filter((w) => w.name !== 'concurrent');
    const keys = [...timed.map((w) => this.#key(subject, w.name)), this.#key(subject, 'leases')];
    const out = (await this.#run('current', keys, [
      timed.length,
      ...timed.map((w) => w.windowMs),
    ])) as string[];
    const result: Partial<Record<LimitName, number>> = {};
    timed.forEach((w, i) => {
      result[w.name] = Number(out[i]);
    });
    if (windows.some((w) => w.name === 'concurrent')) result.concurrent = Number(out[timed.length]);
    return result;
  }

  async close(): Promise<void> {
    await this.#client.quit?.();
  }
}

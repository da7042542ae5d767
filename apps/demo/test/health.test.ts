import { afterEach, describe, expect, it } from 'vitest';
import { privateRedis } from '../../../packages/limits/test/redis.js';
import { type ReadinessCheck, ReadinessProbe } from '../src/gateway/health.js';
import { startDemo } from './helpers.js';

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('health probes', () => {
  it('healthz and readyz answer without a key, with the status alone', async () => {
    const demo = await startDemo();
    stops.push(() => demo.stop());
    expect(await get(`${demo.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get(`${demo.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('readyz names Redis as degraded while it does not answer, and requests are still served', async () => {
    const redis = await privateRedis();
    stops.push(redis.stop);
    const demo = await startDemo({ redisUrl: redis.url });
    stops.push(() => demo.stop());
    expect(await get(`${demo.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
    redis.stop();
    await new Promise((r) => setTimeout(r, 1100)); // past the probe's one-second cache
    expect(await get(`${demo.url}/readyz`)).toEqual({
      status: 200,
      body: { status: 'ready', degraded: ['redis'] },
    });
    // Limits fall back to memory: the gateway still answers.
    const questions = (await (
      await fetch(`${demo.url}/v1/demo/questions`, { headers: { authorization: 'Bearer cf-demo-key' } })
    ).json()) as { questions: string[] };
    const chat = await fetch(`${demo.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'cascade',
        messages: [{ role: 'user', content: questions.questions[0] }],
      }),
    });
    expect(chat.status).toBe(200);
  });
});

describe('ReadinessProbe', () => {
  const check = (name: string, whenDown: ReadinessCheck['whenDown'], answer: () => Promise<unknown>) => ({
    name,
    whenDown,
    check: answer,
  });

  it('is not ready while a required dependency fails or hangs, and degraded for an optional one', async () => {
    const hang = () => new Promise(() => {});
    const probe = new ReadinessProbe(
      [
        check('profiles', 'required', hang),
        check('redis', 'degraded', () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379'))),
        check('other', 'required', async () => 'up'),
      ],
      { timeoutMs: 50 },
    );
    expect(await probe.current()).toEqual({ ready: false, failing: ['profiles'], degraded: ['redis'] });
  });

  it('asks each dependency at most once per second however often it is probed, and aborts a late check', async () => {
    let calls = 0;
    let aborted = false;
    const probe = new ReadinessProbe(
      [
        check('profiles', 'required', () => {
          calls++;
          return Promise.resolve();
        }),
        {
          name: 'slow',
          whenDown: 'degraded',
          check: (signal) => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
            return new Promise(() => {});
          },
        },
      ],
      { timeoutMs: 20, maxAgeMs: 1000 },
    );
    const all = await Promise.all(Array.from({ length: 50 }, () => probe.current()));
    expect(new Set(all.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify({ ready: true, failing: [], degraded: ['slow'] })]),
    );
    await probe.current();
    expect(calls).toBe(1);
    expect(aborted).toBe(true);
  });
});

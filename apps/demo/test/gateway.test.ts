import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CascadeResult } from '@cascadeflow/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cascadeInfo } from '../src/gateway/server.js';
import { startDemo } from './helpers.js';

let demo: Awaited<ReturnType<typeof startDemo>>;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => demo?.stop());

const client = () => new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${demo.url}/v1`, maxRetries: 0 });

describe('the gateway with the official openai SDK as the client', () => {
  it('answers a chat completion, saying how the cascade went in headers and an extra field', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model: 'cascade', messages: [{ role: 'user', content: demo.question }] })
      .withResponse();
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(response.headers.get('x-cascadeflow-mode')).toBe('replay');
    expect(response.headers.get('x-cascadeflow-tiers-tried')).toMatch(/^gpt-4o-mini/);
    const cascade = (data as unknown as { cascade: Record<string, unknown> }).cascade;
    expect(cascade).toMatchObject({
      model: data.model,
      tiers_tried: expect.any(Array),
      cost_usd: expect.any(Number),
      mode: 'replay',
    });
  });

  it('gives dollar figures without the float noise of a sum', () => {
    const r = {
      model: 'm',
      tier: { index: 1 },
      attempts: [{ model: 'a' }, { model: 'm' }],
      totalCost: 0.1 + 0.2, // 0.30000000000000004
      baselineCost: 0.00004455 + 0.00012090000000000001,
      saving: null,
    } as unknown as CascadeResult;
    expect(cascadeInfo(r, 'live')).toMatchObject({
      cost_usd: 0.3,
      baseline_cost_usd: 0.00016545,
      saving_usd: null,
    });
  });

  it('streams a completion that the SDK reads unchanged', async () => {
    const stream = await client().chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: demo.question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('lists models and refuses unknown keys, off-recording questions and bad bodies in OpenAI format', async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
    const bad = new OpenAI({ apiKey: 'wrong-key-123', baseURL: `${demo.url}/v1`, maxRetries: 0 });
    await expect(bad.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(
      client().chat.completions.create({
        model: 'cascade',
        messages: [{ role: 'user', content: 'What is the meaning of life?' }],
      }),
    ).rejects.toMatchObject({ status: 404, code: 'not_in_replay' });
    await expect(client().chat.completions.create({ model: 'cascade', messages: [] })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('a guardrail block answers 400; a rate limit answers 429 with Retry-After', async () => {
    await expect(
      client().chat.completions.create({
        model: 'cascade',
        messages: [{ role: 'user', content: `${demo.question} my key is AKIAIOSFODNN7EXAMPLE` }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'content_policy_violation' });
    await demo.engine.profiles.update('other-user', { overrides: { rateLimits: { requestsPerMinute: 1 } } });
    const other = new OpenAI({ apiKey: 'cf-other-key', baseURL: `${demo.url}/v1`, maxRetries: 0 });
    await other.chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: demo.question }],
    });
    const err = await other.chat.completions
      .create({ model: 'cascade', messages: [{ role: 'user', content: demo.question }] })
      .catch((e) => e);
    expect(err).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(err.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('curl reads the SSE stream', async () => {
    const body = JSON.stringify({
      model: 'cascade',
      stream: true,
      messages: [{ role: 'user', content: demo.question }],
    });
    const { stdout } = await promisify(execFile)('curl', [
      '-sN',
      `${demo.url}/v1/chat/completions`,
      '-H',
      'authorization: Bearer cf-demo-key',
      '-H',
      'content-type: application/json',
      '-d',
      body,
    ]);
    const frames = stdout.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(frames.some((f) => f.includes('"cascade":{'))).toBe(true);
  });

  it('runs a batch through the batch endpoint', async () => {
    const res = await fetch(`${demo.url}/v1/cascade/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({ queries: [demo.question, 'not a recorded question at all'] }),
    });
    const r = (await res.json()) as {
      success_count: number;
      failure_count: number;
      results: { error: { code: string } }[];
    };
    expect(r).toMatchObject({ success_count: 1, failure_count: 1 });
    expect(r.results[1]?.error.code).toBe('not_in_replay');
  });
});

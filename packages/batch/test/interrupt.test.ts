import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch, runBatchFile } from '../src/index.js';
import { drafter, setup, verifier } from './helpers.js';

let server: TestServer;
afterEach(async () => server?.close());

const slow = {
  content: 'answer',
  logprobs: -0.01,
  latencyMs: 20,
  usage: { inputTokens: 10, outputTokens: 2 },
};

describe('abort means "stop and remember what is left"', () => {
  it('300 items aborted mid-run, then resumed: the same tally as an uninterrupted run, every item once', async () => {
    const env = await setup({ 'gpt-4o-mini': slow, 'gpt-4o': slow });
    server = env.server;
    const items = Array.from({ length: 300 }, (_, i) => `question ${i}`);
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'cf-batch-')), 'run.ckpt');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed stop')), 300);
    const first = await runBatch(env.agent, items, {
      maxParallel: 10,
      checkpoint,
      signal: controller.signal,
    });
    const pending = first.items.filter((o) => o.pending);
    expect(first.successCount).toBeGreaterThan(0);
    expect(pending.length).toBeGreaterThan(0);
    expect(first.successCount + pending.length).toBe(300);
    expect(pending.every((o) => o.error?.code === 'aborted')).toBe(true);
    const second = await runBatch(env.agent, items, { maxParallel: 10, checkpoint });
    expect({ ok: second.successCount, failed: second.failureCount }).toEqual({ ok: 300, failed: 0 });
    expect(second.items.map((o) => o.index)).toEqual(items.map((_, i) => i));
    // Every question was answered by the model; only those cut off mid-call were sent twice.
    const sent = server.requests.filter((r) => r.path === '/v1/chat/completions');
    const answered = sent.filter((r) => r.completed).length;
    expect(answered).toBeGreaterThanOrEqual(300);
    expect(answered).toBeLessThanOrEqual(300 + 10); // at most the items in flight at the abort ran twice
  });

  it('a file batch aborted then resumed writes every line exactly once', async () => {
    const env = await setup({ 'gpt-4o-mini': slow, 'gpt-4o': slow });
    server = env.server;
    const dir = mkdtempSync(join(tmpdir(), 'cf-batch-file-'));
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, `${Array.from({ length: 120 }, (_, i) => JSON.stringify(`q ${i}`)).join('\n')}\n`);
    const output = join(dir, 'out.jsonl');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const first = await runBatchFile(env.agent, input, output, { maxParallel: 8, signal: controller.signal });
    expect(first.successCount).toBeLessThan(120);
    const second = await runBatchFile(env.agent, input, output, { maxParallel: 8 });
    expect(first.successCount + second.successCount).toBe(120);
    expect(second.resumed).toBe(first.successCount);
  });
});

describe('input lines are parsed strictly', () => {
  it('invalid JSON, null, numbers and wrong field types fail alone, naming the line and field; nothing is sent', async () => {
    const env = await setup({ 'gpt-4o-mini': slow, 'gpt-4o': slow });
    server = env.server;
    const dir = mkdtempSync(join(tmpdir(), 'cf-batch-file-'));
    const input = join(dir, 'in.jsonl');
    writeFileSync(
      input,
      [
        '{"query": "unterminated',
        'null',
        '42',
        '{"query": "fine one"}',
        '{"query": 5}',
        '{"query": "ok", "maxTokens": "100"}',
        '{"query": "ok", "ladderr": ["x"]}',
        'a plain text question',
      ].join('\n'),
    );
    const output = join(dir, 'out.jsonl');
    const r = await runBatchFile(env.agent, input, output, { maxParallel: 4 });
    expect({ ok: r.successCount, failed: r.failureCount }).toEqual({ ok: 2, failed: 6 });
    const lines = (await import('node:fs'))
      .readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byLine = new Map(lines.map((l: { index: number }) => [l.index + 1, l]));
    const err = (n: number) => (byLine.get(n) as unknown as { error: { message: string } }).error.message;
    expect(err(1)).toMatch(/^line 1: invalid JSON/);
    expect(err(2)).toMatch(/^line 2: expected a query string or a request object, got null/);
    expect(err(3)).toMatch(/^line 3: expected a query string or a request object, got number/);
    expect(err(5)).toMatch(/^line 5: query: /);
    expect(err(6)).toMatch(/^line 6: maxTokens: /);
    expect(err(7)).toMatch(/^line 7: ladderr: unknown field/);
    // Only the two good lines reached the model: nothing invalid was paid for.
    const sent = server.requests.filter((q) => q.path === '/v1/chat/completions');
    const contents = sent.map((q) => JSON.stringify(q.body.messages));
    expect(contents.some((c) => c.includes('unterminated'))).toBe(false);
    expect(sent).toHaveLength(2);
  });
});

describe('native strategy carries the whole request and honours the batch config', () => {
  it('tools, tool choice and a JSON schema reach the provider batch; an invalid draft escalates', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const env = await setup({
      'gpt-4o-mini': {
        content: 'Paris, I think',
        logprobs: -0.01,
        usage: { inputTokens: 10, outputTokens: 3 },
      },
      'gpt-4o': { content: '{"city":"Paris"}', usage: { inputTokens: 10, outputTokens: 5 } },
    });
    server = env.server;
    const tools = [
      { name: 'lookup', description: 'look a city up', parameters: { type: 'object', properties: {} } },
    ];
    const r = await runBatch(
      env.agent,
      [
        {
          query: 'Capital of France, as JSON?',
          tools,
          toolChoice: 'none' as const,
          responseFormat: { type: 'json_schema' as const, name: 'city', schema },
        },
      ],
      { strategy: 'native', pollIntervalMs: 5 },
    );
    const batchId = server.batchApi.created[0]!;
    const b = server.batchApi.batches.get(batchId)!;
    const line = JSON.parse(
      server.batchApi.files.get(String(b.input_file_id))!.content.trim().split('\n')[0]!,
    );
    expect(line.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'lookup',
          description: 'look a city up',
          parameters: { type: 'object', properties: {} },
        },
      },
    ]);
    expect(line.body.tool_choice).toBe('none');
    expect(line.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'city', schema },
    });
    expect(r.results[0]?.attempts.map((a) => a.status)).toEqual(['rejected', 'accepted']);
    expect(r.results[0]?.content).toBe('{"city":"Paris"}');
  });

  it('sampling controls reach the provider batch; an item run() would refuse fails alone, before any batch', async () => {
    const env = await setup({
      'gpt-4o-mini': { content: 'Paris', logprobs: -0.01, usage: { inputTokens: 10, outputTokens: 1 } },
      'gpt-4o': { content: 'Paris', usage: { inputTokens: 10, outputTokens: 1 } },
    });
    server = env.server;
    const r = await runBatch(
      env.agent,
      [
        { query: 'Capital of France?', sampling: { topP: 0.9, stopSequences: ['\n\n'], seed: 7 } },
        { query: 'Capital of Italy?', sampling: { topP: 2 } },
        { query: 'Capital of Spain?', responseFormat: { type: 'yaml' } as never },
      ],
      { strategy: 'native', pollIntervalMs: 5 },
    );
    const b = server.batchApi.batches.get(server.batchApi.created[0]!)!;
    const lines = server.batchApi.files.get(String(b.input_file_id))!.content.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).body).toMatchObject({ top_p: 0.9, stop: ['\n\n'], seed: 7 });
    expect(r.items[0]?.ok).toBe(true);
    expect(r.items[1]?.error).toEqual({
      code: 'invalid_item',
      message: 'item 1: sampling.topP: must be between 0 and 1',
    });
    expect(r.items[2]?.error?.message).toMatch(/^item 2: responseFormat/);
  });

  it('a per-request ladder is refused by name; the other items go on', async () => {
    const env = await setup({ 'gpt-4o-mini': drafter, 'gpt-4o': verifier });
    server = env.server;
    const r = await runBatch(env.agent, ['easy 0', { query: 'easy 1', ladder: ['gpt-4o'] }], {
      strategy: 'native',
      pollIntervalMs: 5,
    });
    expect(r.items[0]?.ok).toBe(true);
    expect(r.items[1]?.error).toEqual({
      code: 'native_unsupported',
      message: "item 1: ladder: a provider batch cannot honour it; remove it or use strategy 'concurrent'",
    });
  });

  it('a total timeout cancels the provider batch in flight and reports what is left as pending', async () => {
    const env = await setup({ 'gpt-4o-mini': drafter, 'gpt-4o': verifier });
    server = env.server;
    server.batchApi.pollsUntilDone = 1_000_000;
    const t0 = Date.now();
    const r = await runBatch(env.agent, ['easy 0', 'hard 1'], {
      strategy: 'native',
      pollIntervalMs: 5,
      totalTimeout: 50,
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(r.items.every((o) => o.pending && o.error?.code === 'total_timeout')).toBe(true);
    const b = server.batchApi.batches.get(server.batchApi.created[0]!)!;
    expect(b.status).toBe('cancelled');
  });

  it('retryFailed runs items the provider batch failed through the concurrent path; stopOnError stops', async () => {
    const env = await setup(
      { 'gpt-4o-mini': drafter, 'gpt-4o': verifier },
      {
        ladder: [{ model: 'gpt-4o', provider: 'openai' }],
      },
    );
    server = env.server;
    // The provider batch answers item 1 with an error (a 500 line); a live call then succeeds.
    server.batchApi.failItems.add('1');
    const r = await runBatch(env.agent, ['easy 0', 'hard 1', 'easy 2'], {
      strategy: 'native',
      pollIntervalMs: 5,
    });
    expect(r.successCount).toBe(3);
    const retried = r.items.find((o) => o.runs > 1);
    expect(retried?.index).toBe(1);
    expect(server.requests.filter((q) => q.path === '/v1/chat/completions')).toHaveLength(1);
    server.batchApi.failItems.add('0');
    const stopped = await runBatch(env.agent, ['easy 0', 'hard 1', 'easy 2'], {
      strategy: 'native',
      pollIntervalMs: 5,
      stopOnError: true,
      retryFailed: false,
    });
    expect(stopped.items[0]?.error?.code).toBe('all_tiers_failed');
    expect(stopped.items.slice(1).every((o) => o.ok)).toBe(true); // one provider batch: the others were answered
  });
});

describe('native strategy order', () => {
  it('preserveOrder: false returns items as they finished (drafts accepted first, escalated ones after)', async () => {
    const env = await setup({ 'gpt-4o-mini': drafter, 'gpt-4o': verifier });
    server = env.server;
    const queries = ['hard 0', 'easy 1', 'hard 2', 'easy 3'];
    const inOrder = await runBatch(env.agent, queries, { strategy: 'native', pollIntervalMs: 5 });
    expect(inOrder.items.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    const asDone = await runBatch(env.agent, queries, {
      strategy: 'native',
      pollIntervalMs: 5,
      preserveOrder: false,
    });
    expect(asDone.items.map((o) => o.index)).toEqual([1, 3, 0, 2]);
  });
});

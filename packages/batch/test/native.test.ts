import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnthropicProvider } from '@cascadeflow/anthropic';
import { CascadeAgent } from '@cascadeflow/core';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatch } from '../src/index.js';
import { drafter, setup, verifier } from './helpers.js';

let server: TestServer;
afterEach(async () => server?.close());

function inputLines(s: TestServer, batchId: string): string[] {
  const b = s.batchApi.batches.get(batchId)!;
  return s.batchApi.files.get(String(b.input_file_id))!.content.trim().split('\n');
}

describe('native strategy (OpenAI Batch API)', () => {
  it('two phases: every draft in one provider batch, only the rejected ones in the next, at batch prices', async () => {
    const env = await setup({ 'gpt-4o-mini': drafter, 'gpt-4o': verifier });
    server = env.server;
    const queries = ['easy 0', 'hard 1', 'easy 2', 'hard 3', 'hard 4'];
    const r = await runBatch(env.agent, queries, { strategy: 'native', pollIntervalMs: 5 });
    expect(r.strategyUsed).toBe('native');
    const [phase1, phase2] = server.batchApi.created;
    expect(server.batchApi.created).toHaveLength(2);
    expect(inputLines(server, phase1!).map((l) => JSON.parse(l).custom_id)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(inputLines(server, phase2!).map((l) => JSON.parse(l).custom_id)).toEqual(['1', '3', '4']);
    expect(JSON.parse(inputLines(server, phase2!)[0]!).body.model).toBe('gpt-4o');
    expect(r.results.map((x) => x?.model)).toEqual([
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4o',
    ]);
    expect(r.results[1]?.content).toBe('verified');
    expect(r.results[1]?.attempts.map((a) => a.status)).toEqual(['rejected', 'accepted']);
    // gpt-4o-mini batch price: 0.075 in, 0.30 out per million; 100 in + 10 out
    expect(r.results[0]?.totalCost).toBeCloseTo((100 * 0.075 + 10 * 0.3) / 1e6, 15);
    expect(r.results[1]?.totalCost).toBeCloseTo((100 * 0.075 + 10 * 0.3 + 100 * 1.25 + 10 * 5) / 1e6, 15);
    // no chat-completions calls at all: everything went through batches
    expect(server.requests.filter((q) => q.path === '/v1/chat/completions')).toHaveLength(0);
  });

  it('resumes after the process is killed mid-batch, without submitting (paying for) a batch twice', async () => {
    const env = await setup({ 'gpt-4o-mini': drafter, 'gpt-4o': verifier });
    server = env.server;
    server.batchApi.pollsUntilDone = 1_000_000; // the first batch never finishes while the child lives
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'cf-batch-')), 'run.ckpt');
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./fixtures/native-child.mjs', import.meta.url)),
        server.openaiBaseURL,
        checkpoint,
        '6',
      ],
      { stdio: 'ignore' },
    );
    for (
      let i = 0;
      i < 200 && !(existsSync(checkpoint) && readFileSync(checkpoint, 'utf8').includes('batchId'));
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(server.batchApi.created).toHaveLength(1);
    const before = JSON.parse(readFileSync(checkpoint, 'utf8'));
    expect(before.phases).toEqual([
      expect.objectContaining({ tier: 0, collected: false, batchId: server.batchApi.created[0] }),
    ]);

    server.batchApi.pollsUntilDone = 0;
    const queries = Array.from({ length: 6 }, (_, i) => (i % 2 ? `hard ${i}` : `easy ${i}`));
    const r = await runBatch(env.agent, queries, { strategy: 'native', checkpoint, pollIntervalMs: 5 });
    expect(r.successCount).toBe(6);
    // phase 1 was polled, not resubmitted; phase 2 was submitted once
    expect(server.batchApi.created).toHaveLength(2);
    expect(server.batchApi.created[0]).toBe(before.phases[0].batchId);
    expect(r.results.map((x) => x?.model)).toEqual([
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4o',
    ]);
  });

  it('refuses a checkpoint of another batch', async () => {
    const env = await setup({ 'gpt-4o-mini': drafter, 'gpt-4o': verifier });
    server = env.server;
    const checkpoint = join(mkdtempSync(join(tmpdir(), 'cf-batch-')), 'run.ckpt');
    await runBatch(env.agent, ['easy 1'], { strategy: 'native', checkpoint, pollIntervalMs: 5 });
    await expect(
      runBatch(env.agent, ['easy 1', 'easy 2'], { strategy: 'native', checkpoint }),
    ).rejects.toMatchObject({ code: 'checkpoint_mismatch' });
  });
});

describe('native strategy (Anthropic Message Batches)', () => {
  it('cascades tier by tier through message batches', async () => {
    server = await startTestServer({
      models: {
        'claude-3-5-haiku-latest': ({ body }) =>
          JSON.stringify(body.messages).includes('easy')
            ? { content: 'Paris', usage: { inputTokens: 100, outputTokens: 10 } }
            : { content: "I'm not sure, maybe Lyon", usage: { inputTokens: 100, outputTokens: 10 } },
        'claude-sonnet-4-20250514': { content: 'verified', usage: { inputTokens: 100, outputTokens: 10 } },
      },
    });
    const agent = new CascadeAgent({
      providers: { anthropic: new AnthropicProvider({ apiKey: 'x', baseURL: server.anthropicBaseURL }) },
      ladder: [
        { model: 'claude-3-5-haiku-latest', provider: 'anthropic', threshold: 0.8 },
        { model: 'claude-sonnet-4-20250514', provider: 'anthropic' },
      ],
    });
    const r = await runBatch(agent, ['easy 0', 'hard 1', 'easy 2'], {
      strategy: 'native',
      pollIntervalMs: 5,
    });
    expect(r.results.map((x) => x?.content)).toEqual(['Paris', 'verified', 'Paris']);
    expect(server.anthropicBatches.created).toHaveLength(2);
    const [first, second] = server.anthropicBatches.created.map(
      (id) => server.anthropicBatches.batches.get(id)!,
    );
    expect(first!.requests.map((q) => q.custom_id)).toEqual(['0', '1', '2']);
    expect(second!.requests.map((q) => q.custom_id)).toEqual(['1']);
    // claude-3-5-haiku batch prices: 0.40 in, 2.00 out per million
    expect(r.results[0]?.totalCost).toBeCloseTo((100 * 0.4 + 10 * 2) / 1e6, 15);
    expect(server.requests.filter((q) => q.path === '/v1/messages')).toHaveLength(0);
  });
});

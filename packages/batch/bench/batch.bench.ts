/**
 * Batch: 1,000 queries at maxParallel 50 through runBatch against the same calls through the bare SDK at the
 * same parallelism (a server answering in 50 ms, in one run); peak memory of
 * 100,000 items through the JSONL file runner; and the cost of the native strategy (batch prices) against
 * the concurrent one for the same 1,000 queries. Writes bench-results/batch.json at the repository root.
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent, type Provider } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer, startTestServerProcess, writeBenchResults } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { runBatch, runBatchFile } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));

// 1. Concurrency: 1,000 queries at 50 in parallel through runBatch, against the same 1,000 bare SDK calls at
// the same parallelism, on the same loopback server (50 ms a call), alternating, in one run.
const slowServer = await startTestServerProcess({
  models: {
    'gpt-4o-mini': {
      content: 'ok',
      logprobs: -0.01,
      latencyMs: 50,
      usage: { inputTokens: 50, outputTokens: 5 },
    },
    'gpt-4o': { content: 'ok' },
  },
});
const client = new OpenAI({ apiKey: 'x', baseURL: slowServer.openaiBaseURL, maxRetries: 0 });
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ client }) },
  ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }],
});
const queries = Array.from({ length: 1000 }, (_, i) => `question ${i}`);
/** The baseline: the same calls through the bare SDK, at most 50 in flight. */
async function bareSdk(): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < queries.length) {
        const q = queries[next++]!;
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: q }],
          logprobs: true,
        });
      }
    }),
  );
}
await runBatch(agent, queries.slice(0, 200), { maxParallel: 50, strategy: 'concurrent' }); // warm up
await bareSdk();
const ratios: number[] = [];
const walls: number[] = [];
const sdkWalls: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const res = await runBatch(agent, queries, { maxParallel: 50, strategy: 'concurrent' });
  if (res.successCount !== 1000) throw new Error(`only ${res.successCount} succeeded`);
  const batchWall = performance.now() - t0;
  const t1 = performance.now();
  await bareSdk();
  const sdkWall = performance.now() - t1;
  walls.push(batchWall);
  sdkWalls.push(sdkWall);
  ratios.push(batchWall / sdkWall);
}
slowServer.close();
const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 2. 100,000 items through the file runner, bounded memory (an in-process provider: the runner is measured).
const fast: Provider = {
  name: 'fast',
  async complete(req) {
    return {
      content: 'ok',
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 20, outputTokens: 2, cachedInputTokens: 0 },
      model: req.model,
    };
  },
  stream() {
    throw new Error('unused');
  },
};
const dir = mkdtempSync(join(tmpdir(), 'cf-batch-bench-'));
const input = join(dir, 'in.jsonl');
const ws = createWriteStream(input);
for (let i = 0; i < 100_000; i++)
  ws.write(`${JSON.stringify({ query: `Question number ${i}: what is ${i} squared?` })}\n`);
await new Promise((r) => ws.end(r));
global.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const bigAgent = new CascadeAgent({
  providers: { fast },
  ladder: [{ model: 'gpt-4o-mini', provider: 'fast' }],
});
const summary = await runBatchFile(bigAgent, input, join(dir, 'out.jsonl'), { maxParallel: 50 });
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
if (summary.successCount !== 100_000) throw new Error(`100k: ${summary.successCount} succeeded`);

// 3. Native (batch prices) against concurrent, same 1,000 queries, through the test server's Batch API.
const server = await startTestServer({
  models: {
    'gpt-4o-mini': { content: 'ok', logprobs: -0.01, usage: { inputTokens: 50, outputTokens: 5 } },
    'gpt-4o': { content: 'ok', usage: { inputTokens: 50, outputTokens: 5 } },
  },
});
server.batchApi.pollsUntilDone = 0;
const twoTier = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL, batchApi: true }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
});
const conc = await runBatch(twoTier, queries, { strategy: 'concurrent', maxParallel: 50 });
const native = await runBatch(twoTier, queries, { strategy: 'native', pollIntervalMs: 5 });
await server.close();

const results = [
  {
    name: 'concurrent_1000_vs_sdk_wall_ratio',
    value: +mid(ratios).toFixed(3),
    unit: `wall time, runBatch / bare SDK calls, 1,000 queries at 50 in parallel, 50 ms a call (median of 5 alternating rounds: ${Math.round(mid(walls))} ms / ${Math.round(mid(sdkWalls))} ms)`,
    target: 1.1,
  },
  {
    name: 'batch_100k_peak_rss_mb',
    value: +(peak / 1024 / 1024).toFixed(1),
    unit: 'MB peak RSS, 100,000 items through runBatchFile',
    baseline: +(base / 1024 / 1024).toFixed(1),
    ratio: +(peak / base).toFixed(3),
  },
  {
    name: 'native_vs_concurrent_cost_ratio',
    value: +(native.totalCost! / conc.totalCost!).toFixed(4),
    unit: 'total cost, native / concurrent, same 1,000 queries',
    ratio: +(native.totalCost! / conc.totalCost!).toFixed(4),
  },
];
const out = join(here, '../../../bench-results/batch.json');
writeBenchResults(out, results);

/**
 * Batch: 1,000 queries at maxParallel 50 against a server answering in 50 ms (ideal: 1 s); peak memory of
 * 100,000 items through the JSONL file runner; and the cost of the native strategy (batch prices) against
 * the concurrent one for the same 1,000 queries. Writes bench-results/batch.json at the repository root.
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent, OpenAIProvider, type Provider } from '@cascadeflow/core';
import { startTestServer, startTestServerProcess, writeBenchResults } from '@cascadeflow/testing';
import { runBatch, runBatchFile } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));

// 1. Concurrency: wall time against the ideal (1,000 × 50 ms / 50 = 1 s).
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
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: slowServer.openaiBaseURL }) },
  ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }],
});
await runBatch(
  agent,
  Array.from({ length: 100 }, (_, i) => `warm ${i}`),
  { maxParallel: 50, strategy: 'concurrent' },
);
const queries = Array.from({ length: 1000 }, (_, i) => `question ${i}`);
const walls: number[] = [];
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  const res = await runBatch(agent, queries, { maxParallel: 50, strategy: 'concurrent' });
  if (res.successCount !== 1000) throw new Error(`only ${res.successCount} succeeded`);
  walls.push(performance.now() - t);
}
slowServer.close();
const wall = [...walls].sort((a, b) => a - b)[1]!;

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
  providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
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
    name: 'concurrent_1000_wall_vs_ideal_ratio',
    value: +(wall / 1000).toFixed(3),
    unit: 'wall time / ideal 1 s (1,000 × 50 ms at maxParallel 50)',
    target: 1.15,
    ratio: +(wall / 1000).toFixed(3),
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

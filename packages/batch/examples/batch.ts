/**
 * Offline: ten questions through a cascade with bounded concurrency and a progress bar, then the same
 * questions through the (loopback) OpenAI Batch API tier by tier at batch prices. `pnpm example` runs it.
 */

import { runBatch, startBatch } from '@cascadeflow/batch';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': ({ body }) =>
      JSON.stringify(body.messages).includes('capital')
        ? {
            content: 'A confident draft.',
            logprobs: -0.01,
            usage: { inputTokens: 40, outputTokens: 5 },
            latencyMs: 20,
          }
        : {
            content: 'An unsure draft.',
            logprobs: -1.5,
            usage: { inputTokens: 40, outputTokens: 5 },
            latencyMs: 20,
          },
    'gpt-4o': { content: 'A verified answer.', usage: { inputTokens: 40, outputTokens: 5 }, latencyMs: 40 },
  },
});
server.batchApi.pollsUntilDone = 1;
const agent = new CascadeAgent({
  providers: {
    openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL, batchApi: true }),
  },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
});
const questions = Array.from({ length: 10 }, (_, i) =>
  i % 2 ? `What is the capital of country ${i}?` : `Explain topic ${i} in depth.`,
);

try {
  const run = startBatch(agent, questions, { maxParallel: 4, strategy: 'concurrent' });
  run.progress$.subscribe((p) =>
    process.stdout.write(
      `\r[${'#'.repeat(p.done + p.failed).padEnd(p.total ?? 0, '.')}] ${p.done + p.failed}/${p.total}`,
    ),
  );
  const concurrent = await run.result;
  console.log(
    `\nconcurrent: ${concurrent.successCount} ok, cost $${concurrent.totalCost?.toFixed(6)}, answered by ${concurrent.results.map((r) => r?.model).join(', ')}`,
  );
  const native = await runBatch(agent, questions, { strategy: 'native', pollIntervalMs: 10 });
  console.log(
    `native: ${native.successCount} ok, cost $${native.totalCost?.toFixed(6)} (${(native.totalCost! / concurrent.totalCost!).toFixed(2)}× the concurrent cost), provider batches: ${server.batchApi.created.length}`,
  );
} finally {
  await server.close();
}

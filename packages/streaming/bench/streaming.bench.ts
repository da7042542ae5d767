/**
 * Streaming overhead against a bare `openai` SDK stream of the same answer from the same loopback server
 * (in a child process), in one run; and peak memory of 100 concurrent 50 KB streams.
 * Writes bench-results/streaming.json at the repository root.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { median, startTestServerProcess, writeBenchResults } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { lastValueFrom } from 'rxjs';
import { streamCascade } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_STREAMS ?? 400);

const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
const big = 'x'
  .repeat(50 * 1024 - 1)
  .match(/.{1,64}/g)!
  .join(' ');

const server = await startTestServerProcess({
  models: {
    'gpt-4o-mini': { content: words, logprobs: -0.01 },
    'big-mini': { content: big, logprobs: -0.01, tokenDelayMs: 1 },
    'gpt-4o': { content: 'unused' },
  },
});
const url = server.openaiBaseURL;
try {
  const client = new OpenAI({ apiKey: 'bench', baseURL: url, maxRetries: 0 });
  const agent = new CascadeAgent({
    providers: { openai: new OpenAIProvider({ client }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
  });
  const messages = [{ role: 'user' as const, content: 'Count to two hundred.' }];

  async function sdkOnce(): Promise<[number, number]> {
    const t0 = performance.now();
    let first = 0;
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      logprobs: true,
    });
    for await (const c of stream) if (!first && c.choices[0]?.delta.content) first = performance.now();
    return [first - t0, performance.now() - t0];
  }
  async function cascadeOnce(): Promise<[number, number]> {
    const t0 = performance.now();
    let first = 0;
    await new Promise<void>((resolve, reject) =>
      streamCascade(agent, { messages }, { mode: 'stream' }).subscribe({
        next: (e) => {
          if (!first && e.type === 'text') first = performance.now();
        },
        error: reject,
        complete: resolve,
      }),
    );
    return [first - t0, performance.now() - t0];
  }
  for (let i = 0; i < 50; i++) {
    await sdkOnce();
    await cascadeOnce();
  }
  const ttftAdded: number[] = [];
  const wallRatio: number[] = [];
  const sdkTtft: number[] = [];
  const cascadeTtft: number[] = [];
  for (let i = 0; i < N; i++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    let a: [number, number];
    let b: [number, number];
    if (i % 2) {
      a = await sdkOnce();
      b = await cascadeOnce();
    } else {
      b = await cascadeOnce();
      a = await sdkOnce();
    }
    sdkTtft.push(a[0]);
    cascadeTtft.push(b[0]);
    ttftAdded.push(b[0] - a[0]);
    wallRatio.push(b[1] / a[1]);
  }

  // 100 concurrent 50 KB streams: peak RSS while they run, against the RSS before.
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const bigAgent = new CascadeAgent({
    providers: { openai: new OpenAIProvider({ client }) },
    ladder: [
      { model: 'big-mini', provider: 'openai', threshold: 0.5 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
  });
  await Promise.all(
    Array.from({ length: 100 }, () =>
      lastValueFrom(streamCascade(bigAgent, { messages }, { mode: 'stream' })),
    ),
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const mb = (b: number) => +(b / 1024 / 1024).toFixed(1);
  const results = [
    {
      name: 'stream_ttft_added_ms_p50',
      value: +median(ttftAdded).toFixed(3),
      unit: 'ms added to the first token',
      baseline: +median(sdkTtft).toFixed(3),
      ratio: +(median(cascadeTtft) / median(sdkTtft)).toFixed(3),
    },
    {
      name: 'stream_wall_ratio',
      value: +median(wallRatio).toFixed(3),
      unit: 'whole stream, cascade / bare SDK (measured in the same run)',
      target: 1.05,
      ratio: +median(wallRatio).toFixed(3),
    },
    {
      name: 'streams_100_concurrent_rss_mb',
      value: mb(peak),
      unit: 'MB peak RSS, 100 × 50 KB streams',
      baseline: mb(before),
      ratio: +(peak / before).toFixed(3),
    },
  ];
  const out = join(here, '../../../bench-results/streaming.json');
  writeBenchResults(out, results);
} finally {
  server.close();
}

/**
 * Overhead of `agent.run()` against a bare `openai` SDK call to the same loopback server, in one run.
 * The server runs in a child process so that this process's CPU time is the client's alone.
 * Writes bench-results/core.json at the repository root: [{ name, value, unit, baseline, ratio }].
 */
import { getEventListeners } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent, type CascadePlugin } from '@cascadeflow/core';
import { type BenchResult, median, startTestServerProcess, writeBenchResults } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { OpenAIProvider, pooledFetch } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 400);

interface Sample {
  cpuUs: number;
  wallUs: number;
}

async function measure(n: number, fn: () => Promise<unknown>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / n, wallUs: (wall * 1000) / n };
}

const server = await startTestServerProcess({
  models: {
    'gpt-4o-mini': { content: 'Paris is the capital of France.', logprobs: -0.01 },
    'gpt-4o': { content: 'Paris' },
  },
});
const url = server.openaiBaseURL;
try {
  const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
  const client = new OpenAI({ apiKey: 'bench', baseURL: url, maxRetries: 0 });
  const sdk = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages, logprobs: true });
  // The same bare call with the SDK handed pooledFetch() instead of its default (global) fetch.
  const pooledClient = new OpenAI({ apiKey: 'bench', baseURL: url, maxRetries: 0, fetch: pooledFetch() });
  const pooled = () =>
    pooledClient.chat.completions.create({ model: 'gpt-4o-mini', messages, logprobs: true });
  // The same client (and so the same connection pool) for the bare call and the agent: the ratio is the agent's own cost.
  const providers = { openai: new OpenAIProvider({ client }) };
  const ladder = [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
    { model: 'gpt-4o', provider: 'openai' },
  ];
  const agent = new CascadeAgent({ providers, ladder });
  const noop = (i: number): CascadePlugin => ({
    name: `noop-${i}`,
    resolveConfig: () => undefined,
    beforeRun: () => undefined,
    beforeAttempt: () => undefined,
    afterAttempt: () => undefined,
    afterRun: () => undefined,
    onSettle: () => undefined,
  });
  const agent5 = new CascadeAgent({ providers, ladder, plugins: [0, 1, 2, 3, 4].map(noop) });
  const check = await agent.run('What is the capital of France?');
  if (check.model !== 'gpt-4o-mini') throw new Error('bench setup: the draft should be accepted');

  const variants = {
    sdk,
    run: () => agent.run('What is the capital of France?'),
    run5: () => agent5.run('What is the capital of France?'),
    pooled,
  };
  for (const fn of Object.values(variants)) await measure(200, fn); // warm up JIT and sockets
  // Interleave small blocks of every variant, rotating the order, so that machine noise and garbage
  // collection fall on all of them alike. Each round gives a ratio to the SDK's block of the same round;
  // the figure is the median over rounds, which a burst of noise in a few rounds does not move.
  const keys = Object.keys(variants) as (keyof typeof variants)[];
  const BLOCK = 20;
  const rounds = Math.ceil((ROUNDS * PER_ROUND) / BLOCK);
  const perRound: Record<keyof typeof variants, Sample[]> = { sdk: [], run: [], run5: [], pooled: [] };
  for (let b = 0; b < rounds; b++) {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[(k + b) % keys.length]!;
      perRound[key].push(await measure(BLOCK, variants[key]));
    }
  }
  const entry = (name: string, key: keyof typeof variants, f: keyof Sample) => {
    const value = median(perRound[key].map((s) => s[f]));
    const baseline = median(perRound.sdk.map((s) => s[f]));
    const ratio = median(perRound[key].map((s, i) => s[f] / perRound.sdk[i]![f]));
    return {
      name,
      value: +value.toFixed(1),
      unit: f === 'cpuUs' ? 'µs CPU/request' : 'µs wall/request',
      baseline: +baseline.toFixed(1),
      ratio: +ratio.toFixed(3),
    };
  };
  const results: BenchResult[] = [
    entry('run_vs_sdk_cpu_ratio', 'run', 'cpuUs'),
    entry('run_vs_sdk_wall_ratio', 'run', 'wallUs'),
    entry('run_5_plugins_vs_sdk_cpu_ratio', 'run5', 'cpuUs'),
    entry('run_5_plugins_vs_sdk_wall_ratio', 'run5', 'wallUs'),
    entry('sdk_pooled_fetch_vs_global_fetch_cpu_ratio', 'pooled', 'cpuUs'),
  ];
  // 30 runs (15 whole-answer, 15 streamed) sharing one AbortController must leave no listener on its signal.
  const shared = new AbortController();
  for (let i = 0; i < 30; i++)
    await agent.run({
      query: 'What is the capital of France?',
      signal: shared.signal,
      ...(i % 2 ? { onDelta: () => undefined } : {}),
    });
  results.push({
    name: 'abort_listeners_after_30_runs',
    value: getEventListeners(shared.signal, 'abort').length,
    unit: 'abort listeners left on a signal shared by 30 runs',
    target: 0,
  });
  const out = join(here, '../../../bench-results/core.json');
  writeBenchResults(out, results);
} finally {
  server.close();
}

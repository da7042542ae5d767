/**
 * The cost of tracing: agent.run() with the otel plugin (real OpenTelemetry SDK, in-memory exporter)
 * against the same runs without it, same client, same loopback server (in a child process), interleaved
 * blocks, in one run. Writes bench-results/integrations.json at the repository root.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { median, startTestServerProcess, writeBenchResults } from '@cascadeflow/testing';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { otelPlugin } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const server = await startTestServerProcess({
  models: {
    'gpt-4o-mini': { content: 'Paris is the capital of France.', logprobs: -0.01 },
    'gpt-4o': { content: 'Paris' },
  },
});
try {
  const client = new OpenAI({ apiKey: 'bench', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const providers = { openai: new OpenAIProvider({ client }) };
  const ladder = [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
    { model: 'gpt-4o', provider: 'openai' },
  ];
  const exporter = new InMemorySpanExporter();
  // The processor production uses (spans queued, exported in batches), into an in-memory exporter.
  const tracing = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const tracer = tracing.getTracer('bench');
  const plain = new CascadeAgent({ providers, ladder });
  const traced = new CascadeAgent({ providers, ladder, plugins: [otelPlugin({ tracer })] });
  const cpu = async (agent: CascadeAgent, n: number) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await agent.run('What is the capital of France?');
    await tracing.forceFlush(); // the export's own cost is counted in the block
    const c = process.cpuUsage(c0);
    exporter.reset();
    return (c.user + c.system) / n;
  };
  await cpu(plain, 300);
  await cpu(traced, 300);
  // Interleaved blocks, the order alternating, so that noise falls on both alike; the median of the ratios.
  const ratios: number[] = [];
  for (let b = 0; b < 60; b++) {
    const first = b % 2 ? plain : traced;
    const second = b % 2 ? traced : plain;
    const x = await cpu(first, 40);
    const y = await cpu(second, 40);
    ratios.push(first === traced ? x / y : y / x);
  }
  writeBenchResults(
    join(here, '../../../bench-results/integrations.json'),
    [
      {
        name: 'otel_plugin_cpu_ratio',
        value: +median(ratios).toFixed(3),
        unit: 'CPU per run with the otel plugin (batch span processor, in-memory exporter, flushed in the measure) / without, same loopback answers',
        target: 1.1,
      },
    ],
    { merge: true },
  );
} finally {
  server.close();
}

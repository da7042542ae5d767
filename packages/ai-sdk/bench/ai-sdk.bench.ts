/**
 * The AI SDK model's overhead: `generateText` through `cascadeModel(agent)` against `agent.run()` on the same
 * loopback answers (the server in a child process, the same client), interleaved blocks in one run. Writes
 * `ai_sdk_generate_vs_core_cpu_ratio` into bench-results/integrations.json at the repository root.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { median, startTestServerProcess, writeBenchResults } from '@cascadeflow/testing';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { cascadeModel } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const server = await startTestServerProcess({
  models: {
    'gpt-4o-mini': { content: 'Paris is the capital of France.', logprobs: -0.01 },
    'gpt-4o': { content: 'Paris' },
  },
});
try {
  const client = new OpenAI({ apiKey: 'bench', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const agent = new CascadeAgent({
    providers: { openai: new OpenAIProvider({ client }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
  });
  const model = cascadeModel(agent);
  const prompt = 'What is the capital of France?';
  const viaCore = () => agent.run(prompt);
  const viaAiSdk = () => generateText({ model, prompt });
  const cpu = async (fn: () => Promise<unknown>, n: number) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  await cpu(viaCore, 300);
  await cpu(viaAiSdk, 300);
  // The AI SDK's own floor: generateText over a model that answers at once, measured in the same run.
  const instant = {
    specificationVersion: 'v3' as const,
    provider: 'instant',
    modelId: 'instant',
    supportedUrls: {},
    async doGenerate() {
      return {
        content: [{ type: 'text' as const, text: 'Paris' }],
        finishReason: { unified: 'stop' as const, raw: 'stop' },
        usage: {
          inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: undefined },
          outputTokens: { total: 1, text: 1, reasoning: undefined },
        },
        warnings: [],
      };
    },
    async doStream(): Promise<never> {
      throw new Error('unused');
    },
  };
  const floor = () => generateText({ model: instant, prompt });
  await cpu(floor, 300);
  const floors: number[] = [];
  const cores: number[] = [];
  const ratios: number[] = [];
  for (let b = 0; b < 60; b++) {
    const aiFirst = b % 2 === 0;
    const x = await cpu(aiFirst ? viaAiSdk : viaCore, 40);
    const y = await cpu(aiFirst ? viaCore : viaAiSdk, 40);
    ratios.push(aiFirst ? x / y : y / x);
    floors.push(await cpu(floor, 40));
    cores.push(aiFirst ? y : x);
  }
  writeBenchResults(
    join(here, '../../../bench-results/integrations.json'),
    [
      {
        name: 'ai_sdk_generate_vs_core_cpu_ratio',
        value: +median(ratios).toFixed(3),
        unit: 'CPU per call, AI SDK generateText through cascadeModel / agent.run, same loopback answers',
        target: 1.15,
      },
      {
        name: 'ai_sdk_generate_floor_us',
        value: +median(floors).toFixed(1),
        unit: 'µs CPU of generateText itself (a model that answers at once), same run',
        baseline: +median(cores).toFixed(1),
        ratio: +(median(floors) / median(cores)).toFixed(3),
      },
    ],
    { merge: true },
  );
} finally {
  server.close();
}

/**
 * Offline: per-user rate limits and a daily budget around a cascade, in memory, against the loopback test
 * server. `pnpm example` runs it, CI too. For Redis: `store: new RedisLimitStore({ client: new Redis(url) })`.
 */
import { CascadeAgent, CascadeFlowError } from '@cascadeflow/core';
import { limitsPlugin } from '@cascadeflow/limits';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': { content: 'Paris', logprobs: -0.01, usage: { inputTokens: 30, outputTokens: 2 } },
    'gpt-4o': { content: 'Paris.' },
  },
});
const limits = limitsPlugin({ limits: { requestsPerMinute: 3, costPerDay: 0.05, concurrent: 2 } });
limits.on('limit:rejected', (e) => console.log(`  [event] ${e.subject} refused by ${e.limit}`));
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
  plugins: [limits],
});

try {
  for (let i = 1; i <= 4; i++) {
    try {
      const r = await agent.run({ query: 'Capital of France?', userId: 'alice', maxTokens: 100 });
      console.log(`request ${i}: ${r.content} ($${r.totalCost?.toFixed(6)})`);
    } catch (e) {
      if (!CascadeFlowError.isInstance(e)) throw e;
      console.log(`request ${i}: ${e.code}: ${e.message}`);
    }
  }
  const used = await limits.current('alice', { requestsPerMinute: 3, costPerDay: 0.05 });
  console.log(
    `alice used ${used.requests_per_minute} requests this minute and $${used.cost_per_day?.toFixed(6)} today`,
  );
} finally {
  await server.close();
}

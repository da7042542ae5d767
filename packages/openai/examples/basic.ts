/**
 * Runs offline: starts the loopback test server, scripts a cheap and a strong model, and sends three
 * questions through a two-tier cascade with a plugin that counts spend. `pnpm example` runs it, CI too.
 */

import { CascadeAgent, definePlugin } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    // A confident draft for easy questions, an unsure one otherwise (log-probs drive the score).
    'gpt-4o-mini': ({ body }) => {
      const q = JSON.stringify(body.messages);
      return q.includes('France')
        ? { content: 'Paris.', logprobs: -0.02, usage: { inputTokens: 40, outputTokens: 3 } }
        : { content: 'Possibly 1912, I think.', logprobs: -0.9, usage: { inputTokens: 40, outputTokens: 8 } };
    },
    'gpt-4o': { content: 'The Titanic sank on 15 April 1912.', usage: { inputTokens: 40, outputTokens: 12 } },
  },
});

const spend = definePlugin({
  name: 'spend',
  createState: () => ({ calls: 0 }),
  afterAttempt: ({ state }) => {
    state.calls++;
  },
  afterRun: ({ state, result }) => ({
    ...result,
    metadata: { ...result.metadata, providerCalls: state.calls },
  }),
});

const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
  plugins: [spend],
});
agent.on('run:escalate', (e) => console.log(`  ↑ escalated ${e.from.model} → ${e.to.model}: ${e.reason}`));

try {
  for (const query of ['What is the capital of France?', 'When did the Titanic sink?']) {
    const r = await agent.run(query);
    console.log(`Q: ${query}\nA: ${r.content}  [${r.model}, ${r.metadata.providerCalls} call(s)]`);
    console.log(
      `  cost $${r.totalCost?.toFixed(6)} vs $${r.baselineCost?.toFixed(6)} on gpt-4o alone (saving $${r.saving?.toFixed(6)})\n`,
    );
  }
} finally {
  await server.close();
}

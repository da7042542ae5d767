/**
 * Runs offline: the loopback test server speaks Anthropic's Messages API; a Claude drafter that hedges is
 * escalated to a stronger Claude (Anthropic returns no log-probs: the text checks judge the draft).
 * `pnpm example` runs it, CI too.
 */
import { AnthropicProvider } from '@cascadeflow/anthropic';
import { CascadeAgent } from '@cascadeflow/core';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    'claude-haiku-4-5': ({ body }) =>
      JSON.stringify(body.messages).includes('France')
        ? { content: 'Paris.', usage: { inputTokens: 30, outputTokens: 3 } }
        : { content: "I'm not sure, maybe 1912?", usage: { inputTokens: 30, outputTokens: 9 } },
    'claude-sonnet-4-20250514': {
      content: 'The Titanic sank on 15 April 1912.',
      usage: { inputTokens: 30, outputTokens: 12 },
    },
  },
});
const agent = new CascadeAgent({
  providers: { anthropic: new AnthropicProvider({ apiKey: 'offline', baseURL: server.anthropicBaseURL }) },
  ladder: [
    { model: 'claude-haiku-4-5', provider: 'anthropic', threshold: 0.7 },
    { model: 'claude-sonnet-4-20250514', provider: 'anthropic' },
  ],
});
try {
  for (const query of ['What is the capital of France?', 'When did the Titanic sink?']) {
    const r = await agent.run(query);
    console.log(
      `Q: ${query}\nA: ${r.content}  [${r.model}; tiers tried: ${r.attempts.map((a) => a.model).join(' → ')}]`,
    );
  }
} finally {
  await server.close();
}

/**
 * Offline: the same rejected draft streamed in `buffer` mode (the user never sees it) and in `stream` mode
 * (shown live, then retracted), against the loopback test server. `pnpm example` runs it, CI too.
 */
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { streamCascade, toAsyncIterable } from '@cascadeflow/streaming';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': { content: "I'm not sure, maybe Lyon?", logprobs: -1.2, tokenDelayMs: 5 },
    'gpt-4o': { content: 'The capital of France is Paris.', tokenDelayMs: 5 },
  },
});
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
});

try {
  for (const mode of ['buffer', 'stream'] as const) {
    console.log(`--- ${mode} mode`);
    let line = '';
    for await (const e of toAsyncIterable(streamCascade(agent, 'What is the capital of France?', { mode }))) {
      if (e.type === 'text') line += e.text;
      if (e.type === 'retract') {
        console.log(`  shown, then retracted: "${line}"`);
        line = '';
      }
      if (e.type === 'switch') console.log(`  switch ${e.from.model} → ${e.to.model}`);
      if (e.type === 'finish')
        console.log(`  answer: "${line}" from ${e.result.model}, $${e.result.totalCost?.toFixed(6)}`);
    }
  }
} finally {
  await server.close();
}

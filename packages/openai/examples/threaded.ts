/**
 * Runs offline: the cascade of `basic.ts` with its provider in a worker thread (`threadedOpenAIProvider`), every
 * call sent there (`inline: false`), the drafts' log-probs crossing back to be scored. CI runs it.
 */

import { CascadeAgent } from '@cascadeflow/core';
import { threadedOpenAIProvider } from '@cascadeflow/openai';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': ({ body }) =>
      JSON.stringify(body.messages).includes('France')
        ? { content: 'Paris.', logprobs: -0.02 }
        : { content: 'Possibly 1912, I think.', logprobs: -0.9 },
    'gpt-4o': { content: 'The Titanic sank on 15 April 1912.' },
  },
});
const openai = threadedOpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL, inline: false });
const agent = new CascadeAgent({
  providers: { openai },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
});

try {
  for (const query of ['What is the capital of France?', 'When did the Titanic sink?']) {
    const r = await agent.run(query);
    const draft = r.attempts[0]!;
    console.log(`Q: ${query}\nA: ${r.content}  [${r.model}; draft scored ${draft.score?.toFixed(2)}]`);
  }
  let streamed = '';
  await agent.run({
    query: 'What is the capital of France?',
    onDelta: (d) => {
      if (d.type === 'text') streamed += d.text;
    },
  });
  console.log(`streamed through the thread: ${streamed}`);
} finally {
  await openai.close();
  await server.close();
}

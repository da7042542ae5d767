/**
 * The loopback server with the real SDKs: a scripted OpenAI answer with log-probs, an injected 429 with
 * retry-after, and an Anthropic stream. `pnpm example` runs it, CI too.
 */
import Anthropic from '@anthropic-ai/sdk';
import { startTestServer } from '@cascadeflow/testing';
import OpenAI from 'openai';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': { content: 'Paris', logprobs: -0.02 },
    'claude-3-5-haiku-latest': { content: 'Bonjour, le monde.' },
  },
});
try {
  const openai = new OpenAI({ apiKey: 'test', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const res = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Capital of France?' }],
    logprobs: true,
  });
  console.log(
    `openai: ${res.choices[0]?.message.content} (logprob ${res.choices[0]?.logprobs?.content?.[0]?.logprob})`,
  );
  server.injectFault('gpt-4o-mini', { kind: 'status', status: 429, retryAfterSeconds: 2 });
  const err = await openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] })
    .catch((e) => e);
  console.log(`fault: HTTP ${err.status}, retry-after ${err.headers.get('retry-after')} s`);
  const anthropic = new Anthropic({ apiKey: 'test', baseURL: server.anthropicBaseURL, maxRetries: 0 });
  const stream = anthropic.messages.stream({
    model: 'claude-3-5-haiku-latest',
    max_tokens: 50,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  let text = '';
  stream.on('text', (t) => {
    text += t;
  });
  await stream.finalMessage();
  console.log(`anthropic stream: ${text}`);
} finally {
  await server.close();
}

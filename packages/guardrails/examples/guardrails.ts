/**
 * Offline: PII redaction with reversible placeholders, a blocked secret, and moderation with the local
 * classifier, around a cascade on the loopback test server. `pnpm example` runs it, CI too.
 */
import { CascadeAgent, CascadeFlowError } from '@cascadeflow/core';
import { guardrailsPlugin } from '@cascadeflow/guardrails';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    // The model answers with what it was sent, so the example shows what the provider saw.
    'gpt-4o-mini': ({ body }) => ({
      content: `I will write to ${(body.messages as { content: string }[]).at(-1)!.content.match(/\[EMAIL_\d+\]|\S+@\S+/)?.[0]}.`,
      logprobs: -0.01,
    }),
    'gpt-4o': { content: 'ok' },
  },
});
const guardrails = guardrailsPlugin();
guardrails.on('pii:found', (e) =>
  console.log(`  [event] ${e.where}: ${e.findings.map((f) => `${f.type}→${f.action}`).join(', ')}`),
);
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
  plugins: [guardrails],
});

try {
  const r = await agent.run('Please email ann@example.com, card 4111 1111 1111 1111.');
  console.log(
    `provider saw: ${JSON.stringify((server.requests[0]!.body.messages as { content: string }[])[0]!.content)}`,
  );
  console.log(`user got:     ${JSON.stringify(r.content)}`);
  for (const q of ['My key is AKIAIOSFODNN7EXAMPLE', 'I will kill you']) {
    try {
      await agent.run(q);
    } catch (e) {
      if (!CascadeFlowError.isInstance(e)) throw e;
      console.log(`blocked:      ${e.code}: ${e.message}`);
    }
  }
} finally {
  await server.close();
}

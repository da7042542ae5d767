/**
 * Runs offline: traces two questions through a two-tier cascade with OpenTelemetry's SDK and prints the spans
 * (a run span and its attempt spans, with GenAI and cascade attributes). `pnpm example` runs it, CI too.
 */
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { otelPlugin } from '@cascadeflow/otel';
import { startTestServer } from '@cascadeflow/testing';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': ({ body }) =>
      JSON.stringify(body.messages).includes('France')
        ? { content: 'Paris.', logprobs: -0.02, usage: { inputTokens: 20, outputTokens: 2 } }
        : { content: 'Maybe 1912?', logprobs: -1.5, usage: { inputTokens: 20, outputTokens: 4 } },
    'gpt-4o': { content: 'The Titanic sank on 15 April 1912.', usage: { inputTokens: 20, outputTokens: 12 } },
  },
});
const spans = new InMemorySpanExporter();
const tracing = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
  plugins: [otelPlugin({ tracer: tracing.getTracer('example') })],
});
try {
  for (const q of ['What is the capital of France?', 'When did the Titanic sink?']) await agent.run(q);
  for (const s of spans.getFinishedSpans()) {
    const a = s.attributes;
    console.log(
      `${s.name}: ${a['cascadeflow.decision'] ?? a['cascadeflow.outcome']}` +
        (a['cascadeflow.score'] !== undefined ? `, score ${Number(a['cascadeflow.score']).toFixed(2)}` : '') +
        `, ${a['gen_ai.usage.input_tokens']} in / ${a['gen_ai.usage.output_tokens']} out tokens`,
    );
  }
} finally {
  await server.close();
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CascadeAgent, type CascadePlugin, RequestRejectedError } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { otelPlugin } from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
let server: TestServer;
const traceparents: (string | undefined)[] = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startTestServer({
    models: {
      'gpt-4o-mini': ({ body }) =>
        JSON.stringify(body.messages).includes('easy')
          ? { content: 'Paris.', logprobs: -0.01, usage: { inputTokens: 12, outputTokens: 2 } }
          : { content: 'maybe', logprobs: -2, usage: { inputTokens: 12, outputTokens: 1 } },
      'gpt-4o': { content: 'It is Paris.', usage: { inputTokens: 12, outputTokens: 4 } },
    },
  });
});
afterAll(async () => {
  await server?.close();
  context.disable();
  propagation.disable();
});
afterEach(() => exporter.reset());

/** An OpenAI client whose fetch injects the active context, as an HTTP instrumentation does. */
function tracedClient(): OpenAI {
  return new OpenAI({
    apiKey: 'x',
    baseURL: server.openaiBaseURL,
    maxRetries: 0,
    fetch: (url, init) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      traceparents.push(headers.traceparent);
      return fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
    },
  });
}

function agent(plugins: CascadePlugin<any>[] = [otelPlugin({ tracer })]) {
  return new CascadeAgent({
    providers: { openai: new OpenAIProvider({ client: tracedClient() }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
    retry: { maxRetries: 0 },
    plugins,
  });
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe('otel plugin (real OpenTelemetry SDK, in-memory exporter)', () => {
  it('a span per run and per attempt, GenAI attributes, cascade attributes, parent and child', async () => {
    const r = await agent().run({
      query: 'hard question',
      maxTokens: 50,
      sampling: { topP: 0.9, stopSequences: ['END'], seed: 7 },
    });
    const spans = exporter.getFinishedSpans();
    const [run] = byName(spans, 'invoke_agent cascadeflow');
    const [draft] = byName(spans, 'chat gpt-4o-mini');
    const [verify] = byName(spans, 'chat gpt-4o');
    expect(run && draft && verify).toBeTruthy();
    for (const s of [draft!, verify!]) {
      expect(s.parentSpanContext?.spanId).toBe(run!.spanContext().spanId);
      expect(s.spanContext().traceId).toBe(run!.spanContext().traceId);
    }
    expect(draft!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.seed': 7,
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 1,
      'cascadeflow.tier.index': 0,
      'cascadeflow.decision': 'rejected',
      'cascadeflow.threshold': 0.7,
    });
    expect(draft!.attributes['cascadeflow.score']).toBeLessThan(0.7);
    expect(verify!.attributes).toMatchObject({
      'cascadeflow.decision': 'accepted',
      'cascadeflow.tier.index': 1,
    });
    expect(run!.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'cascadeflow.outcome': 'accepted',
      'cascadeflow.tiers_tried': ['gpt-4o-mini', 'gpt-4o'],
      'gen_ai.response.model': 'gpt-4o',
      'cascadeflow.escalations': 1,
      'cascadeflow.cost_usd': r.totalCost!,
      'gen_ai.usage.input_tokens': 24,
    });
  });

  it('propagates each attempt’s context to its provider call (the traceparent the upstream receives)', async () => {
    traceparents.length = 0;
    await agent().run('hard question');
    const spans = exporter.getFinishedSpans();
    const attempts = [...byName(spans, 'chat gpt-4o-mini'), ...byName(spans, 'chat gpt-4o')];
    const sent = server.requests.slice(-2).map((q) => q.headers.traceparent);
    expect(sent).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });

  it('errors are recorded: a failed attempt, and a run refused by another plugin after paying', async () => {
    server.injectFault('gpt-4o-mini', { kind: 'status', status: 500 });
    const blocker: CascadePlugin = {
      name: 'blocker',
      afterRun: () => {
        throw new RequestRejectedError({ reason: 'blocked output', code: 'guardrail_blocked' });
      },
    };
    await agent([otelPlugin({ tracer }), blocker])
      .run('easy one')
      .catch(() => undefined);
    const spans = exporter.getFinishedSpans();
    const [draft] = byName(spans, 'chat gpt-4o-mini');
    const [run] = byName(spans, 'invoke_agent cascadeflow');
    expect(draft!.status.code).toBe(2);
    expect(draft!.attributes['error.type']).toBe('provider_error');
    expect(run!.status.code).toBe(2);
    expect(run!.attributes).toMatchObject({
      'cascadeflow.outcome': 'rejected',
      'error.type': 'guardrail_blocked',
    });
    expect(run!.events.some((e) => e.name === 'exception')).toBe(true);
    expect(run!.attributes['cascadeflow.cost_usd']).toBeGreaterThan(0);
  });
});

describe('OTLP/HTTP export', () => {
  let collector: Server;
  const received: unknown[] = [];
  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  });
  afterAll(() => collector?.close());

  it('a collector started in the test receives the run and attempt spans', async () => {
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
    const otlp = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url }))],
    });
    await agent([otelPlugin({ tracer: otlp.getTracer('otlp-test') })]).run('easy one');
    await otlp.forceFlush();
    const names = JSON.stringify(received);
    expect(received.length).toBeGreaterThan(0);
    expect((received[0] as { path: string }).path).toBe('/v1/traces');
    expect(names).toContain('invoke_agent cascadeflow');
    expect(names).toContain('chat gpt-4o-mini');
    expect(names).toContain('gen_ai.usage.input_tokens');
    await otlp.shutdown();
  });
});

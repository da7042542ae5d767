import { createOpenAI } from '@ai-sdk/openai';
import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { generateObject, generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiSdkProvider, cascadeModel } from '../src/index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    models: {
      'gpt-4o-mini': ({ body }) => {
        const q = JSON.stringify(body.messages);
        if (q.includes('weather'))
          return { content: 'Probably sunny?', logprobs: -2, usage: { inputTokens: 20, outputTokens: 3 } };
        if (q.includes('JSON'))
          return { content: 'Paris, I guess', logprobs: -0.01, usage: { inputTokens: 20, outputTokens: 4 } };
        return q.includes('easy')
          ? { content: 'Paris.', logprobs: -0.01, usage: { inputTokens: 20, outputTokens: 2 } }
          : { content: 'Maybe Lyon', logprobs: -2, usage: { inputTokens: 20, outputTokens: 2 } };
      },
      'gpt-4o': ({ body }) => {
        const q = JSON.stringify(body.messages);
        if (q.includes('weather') && !q.includes('"tool"'))
          return {
            content: '',
            toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }],
            usage: { inputTokens: 30, outputTokens: 8 },
          };
        if (q.includes('weather'))
          return { content: 'It is 21 °C in Paris.', usage: { inputTokens: 40, outputTokens: 8 } };
        if (q.includes('JSON'))
          return { content: '{"city":"Paris"}', usage: { inputTokens: 20, outputTokens: 5 } };
        return { content: 'It is Paris.', usage: { inputTokens: 20, outputTokens: 4 } };
      },
    },
  });
});
afterAll(async () => server?.close());

const agent = () =>
  new CascadeAgent({
    providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
    retry: { maxRetries: 0 },
  });

describe('the cascade as an AI SDK model (ai 6, specification v3)', () => {
  it('generateText: the accepted answer, and what the cascade did in providerMetadata', async () => {
    const r = await generateText({ model: cascadeModel(agent()), prompt: 'hard: capital of France?' });
    expect(r.text).toBe('It is Paris.');
    expect(r.providerMetadata?.cascadeflow).toMatchObject({
      model: 'gpt-4o',
      tiersTried: ['gpt-4o-mini', 'gpt-4o'],
      escalations: 1,
    });
    expect(r.usage.inputTokens).toBe(40);
  });

  it('streamText in buffer mode: a rejected draft is never shown', async () => {
    const r = streamText({ model: cascadeModel(agent()), prompt: 'hard: capital of France?' });
    let text = '';
    for await (const chunk of r.textStream) text += chunk;
    expect(text).toBe('It is Paris.');
    expect((await r.providerMetadata)?.cascadeflow).toMatchObject({ tiersTried: ['gpt-4o-mini', 'gpt-4o'] });
  });

  it('tool calling: a tool call from the cascade, executed by the AI SDK, and the answer after it', async () => {
    const r = await generateText({
      model: cascadeModel(agent()),
      prompt: 'What is the weather in Paris?',
      tools: {
        weather: tool({
          description: 'The weather in a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async ({ city }) => ({ city, celsius: 21 }),
        }),
      },
      stopWhen: ({ steps }) => steps.length >= 2,
    });
    expect(r.steps[0]?.toolCalls.map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Paris' }]]);
    expect(r.text).toBe('It is 21 °C in Paris.');
    const sent = server.requests.filter((q) => q.model === 'gpt-4o').map((q) => q.body);
    expect(JSON.stringify(sent.at(-1))).toContain('"role":"tool"');
  });

  it('generateObject: a JSON schema answer; a draft that is not valid JSON escalates', async () => {
    const r = await generateObject({
      model: cascadeModel(agent()),
      prompt: 'The capital of France, as JSON',
      schema: jsonSchema<{ city: string }>({
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      }),
    });
    expect(r.object).toEqual({ city: 'Paris' });
    const meta = r.providerMetadata?.cascadeflow as { tiersTried: string[] } | undefined;
    expect(meta?.tiersTried).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });
});

describe('an AI SDK model as a tier', () => {
  it('@ai-sdk/openai as the verifier of a ladder, whole and streamed', async () => {
    const openai = createOpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL });
    const mixed = new CascadeAgent({
      providers: {
        openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }),
        ai: aiSdkProvider(openai.chat('gpt-4o')),
      },
      ladder: [
        { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
        { model: 'gpt-4o', provider: 'ai' },
      ],
      retry: { maxRetries: 0 },
    });
    const r = await mixed.run('hard: capital of France?');
    expect(r.content).toBe('It is Paris.');
    expect(r.attempts.map((a) => `${a.provider}:${a.status}`)).toEqual(['openai:rejected', 'ai:accepted']);
    expect(r.usage.inputTokens).toBe(40);
    let streamed = '';
    const s = await mixed.run({
      query: 'hard: capital of France?',
      onDelta: (d) => {
        if (d.type === 'text') streamed += d.text;
      },
    });
    expect(s.content).toBe('It is Paris.');
    expect(streamed).toContain('It is Paris.');
  });

  it('the AI SDK model as a tier is called with the run’s sampling controls', async () => {
    const openai = createOpenAI({ apiKey: 'x', baseURL: server.openaiBaseURL });
    const only = new CascadeAgent({
      providers: { ai: aiSdkProvider(openai.chat('gpt-4o')) },
      ladder: [{ model: 'gpt-4o', provider: 'ai' }],
      retry: { maxRetries: 0 },
    });
    const r = await only.run({
      query: 'hard: capital of France?',
      sampling: { topP: 0.9, stopSequences: [' Paris'], seed: 7, presencePenalty: 0.5 },
    });
    expect(r.content).toBe('It is');
    expect(server.requestsFor('gpt-4o').at(-1)!.body).toMatchObject({
      top_p: 0.9,
      stop: [' Paris'],
      seed: 7,
      presence_penalty: 0.5,
    });
  });
});

describe('sampling options through cascadeModel', () => {
  it('generateText’s topP, seed, penalties and stop sequences reach every tier, without warnings', async () => {
    const before = {
      mini: server.requestsFor('gpt-4o-mini').length,
      big: server.requestsFor('gpt-4o').length,
    };
    const r = await generateText({
      model: cascadeModel(agent()),
      prompt: 'hard: capital of France?',
      topP: 0.9,
      seed: 7,
      frequencyPenalty: 0.25,
      presencePenalty: -0.25,
      stopSequences: [' Paris'],
    });
    expect(r.text).toBe('It is');
    expect(r.warnings ?? []).toEqual([]);
    for (const [model, n] of [
      ['gpt-4o-mini', before.mini],
      ['gpt-4o', before.big],
    ] as const)
      expect(server.requestsFor(model)[n]!.body).toMatchObject({
        top_p: 0.9,
        seed: 7,
        frequency_penalty: 0.25,
        presence_penalty: -0.25,
        stop: [' Paris'],
      });
  });
});

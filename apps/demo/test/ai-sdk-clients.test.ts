import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { useLiveDemo } from './helpers.js';

// The Vercel AI SDK's own OpenAI and Anthropic providers pointed at the gateway: clients no one here wrote,
// with their own request shapes (tool definitions, stream options, stop sequences).
const env = useLiveDemo({
  // The drafter is unsure of everything: every answer comes from the verifier.
  small: () => ({ content: 'Hmm, not sure', logprobs: -2.5 }),
  big: ({ body }) => {
    const q = JSON.stringify(body.messages);
    if (q.includes('weather') && !q.includes('"tool"') && !q.includes('tool_result'))
      return { content: '', toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }] };
    if (q.includes('weather')) return { content: 'It is 21 °C in Paris.' };
    return { content: ANSWER };
  },
});

const weather = tool({
  description: 'The weather in a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

const ANSWER = 'Paris\n\nIt has been the capital since 987.';

// `stops`: whether the API has stop sequences (the Responses API has none: the AI SDK warns and sends none).
const clients = {
  'OpenAI chat completions (@ai-sdk/openai)': {
    model: () => createOpenAI({ apiKey: 'cf-demo-key', baseURL: `${env.demo.url}/v1` }).chat('cascade'),
    stops: true,
  },
  // The AI SDK's default for an OpenAI model: the Responses API.
  'OpenAI Responses (@ai-sdk/openai)': {
    model: () => createOpenAI({ apiKey: 'cf-demo-key', baseURL: `${env.demo.url}/v1` })('cascade'),
    stops: false,
  },
  'Anthropic Messages (@ai-sdk/anthropic)': {
    model: () => createAnthropic({ apiKey: 'cf-demo-key', baseURL: `${env.demo.url}/v1` })('cascade'),
    stops: true,
  },
};

describe.each(Object.entries(clients))(
  'the AI SDK’s %s provider pointed at the gateway',
  (_name, { model, stops }) => {
    const expected = stops ? 'Paris' : ANSWER;

    it('generateText with sampling options: every tier is asked with them (a stop sequence cuts the answer)', async () => {
      const before = env.upstream.requestsFor('big').length;
      const r = await generateText({
        model: model(),
        prompt: 'What is the capital of France?',
        topP: 0.9,
        stopSequences: ['\n\n'],
        maxOutputTokens: 200,
      });
      expect(r.text).toBe(expected);
      expect(env.upstream.requestsFor('big')[before]!.body).toMatchObject(
        stops ? { top_p: 0.9, stop: ['\n\n'] } : { top_p: 0.9 },
      );
    });

    it('streamText: the verifier’s answer, never the rejected draft', async () => {
      const r = streamText({
        model: model(),
        prompt: 'What is the capital of France?',
        stopSequences: ['\n\n'],
      });
      let text = '';
      for await (const t of r.textStream) text += t;
      expect(text).toBe(expected);
      expect(text).not.toContain('not sure');
    });

    it('a tool round trip run by the AI SDK: the tool call, its result, the answer', async () => {
      const r = await generateText({
        model: model(),
        prompt: 'What is the weather in Paris?',
        tools: { weather },
        stopWhen: stepCountIs(3),
      });
      expect(r.steps[0]!.toolCalls.map((c) => [c.toolName, c.input])).toEqual([
        ['weather', { city: 'Paris' }],
      ]);
      expect(r.text).toBe('It is 21 °C in Paris.');
    });
  },
);

import { Agent, Runner, tool } from '@openai/agents-core';
import { OpenAIProvider } from '@openai/agents-openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useLiveDemo } from './helpers.js';

// The OpenAI Agents SDK pointed at the gateway, through the Responses API (its default) and through chat
// completions: an agent loop no one here wrote, with its own requests, tool calls and tool results.
const env = useLiveDemo({
  small: () => ({ content: 'Hmm, not sure', logprobs: -2.5 }),
  big: ({ body }) => {
    const q = JSON.stringify(body.messages);
    if (q.includes('"tool"')) return { content: 'It is 21 °C in Paris.' };
    return { content: '', toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }] };
  },
});

const weather = tool({
  name: 'weather',
  description: 'The weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `21 °C in ${city}`,
});

describe.each([
  ['the Responses API', true],
  ['chat completions', false],
])('the OpenAI Agents SDK through %s', (_name, useResponses) => {
  const runner = () =>
    new Runner({
      modelProvider: new OpenAIProvider({
        apiKey: 'cf-demo-key',
        baseURL: `${env.demo.url}/v1`,
        useResponses,
      }),
      tracingDisabled: true,
    });
  const agent = new Agent({ name: 'Weather', instructions: 'Be brief.', model: 'cascade', tools: [weather] });

  it('runs an agent loop: the tool call, the tool’s result back through the gateway, the answer', async () => {
    const before = env.upstream.requestsFor('big').length;
    const r = await runner().run(agent, 'What is the weather in Paris?');
    expect(r.finalOutput).toBe('It is 21 °C in Paris.');
    // The gateway's own response ids: the API the SDK spoke.
    expect(r.rawResponses.map((x) => x.responseId?.split(/[_-]/)[0])).toEqual(
      useResponses ? ['resp', 'resp'] : ['chatcmpl', 'chatcmpl'],
    );
    const sent = env.upstream.requestsFor('big').slice(before);
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent[1]!.body.messages)).toContain('21 °C in Paris');
  });

  it('streamed, the same loop', async () => {
    const r = await runner().run(agent, 'What is the weather in Paris?', { stream: true });
    let text = '';
    for await (const chunk of r.toTextStream()) text += chunk;
    await r.completed;
    expect(r.finalOutput).toBe('It is 21 °C in Paris.');
    expect(text).toBe('It is 21 °C in Paris.');
  });
});

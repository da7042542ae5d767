import { type AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { useLiveDemo } from './helpers.js';

// LangChain's ChatOpenAI pointed at the gateway: a client that spells out its defaults (n, penalties) and
// binds tools its own way.
const env = useLiveDemo({
  small: () => ({ content: 'Hmm, not sure', logprobs: -2.5 }),
  big: ({ body }) => {
    const q = JSON.stringify(body.messages);
    if (q.includes('"tool"')) return { content: 'It is 21 °C in Paris.' };
    if (q.includes('weather'))
      return { content: '', toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }] };
    return { content: 'Paris\n\nIt has been the capital since 987.' };
  },
});

const chat = (options: Record<string, unknown> = {}) =>
  new ChatOpenAI({
    model: 'cascade',
    apiKey: 'cf-demo-key',
    configuration: { baseURL: `${env.demo.url}/v1` },
    maxRetries: 0,
    ...options,
  });

describe('LangChain’s ChatOpenAI pointed at the gateway', () => {
  it('invoke with sampling options: the verifier’s answer, cut at the stop sequence', async () => {
    const before = env.upstream.requestsFor('big').length;
    const r = await chat({ topP: 0.9, frequencyPenalty: 0, presencePenalty: 0, stop: ['\n\n'] }).invoke(
      'What is the capital of France?',
    );
    expect(r.content).toBe('Paris');
    expect(env.upstream.requestsFor('big')[before]!.body).toMatchObject({ top_p: 0.9, stop: ['\n\n'] });
  });

  it('stream: the accepted answer only', async () => {
    let text = '';
    for await (const chunk of await chat().stream('What is the capital of France?')) text += chunk.content;
    expect(text).toBe('Paris\n\nIt has been the capital since 987.');
  });

  it('bound tools: the tool call, then the answer from the tool’s result', async () => {
    const weather = {
      type: 'function' as const,
      function: {
        name: 'weather',
        description: 'The weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    };
    const model = chat().bindTools([weather]);
    const question = new HumanMessage('What is the weather in Paris?');
    const call = (await model.invoke([question])) as AIMessage;
    expect(call.tool_calls).toEqual([expect.objectContaining({ name: 'weather', args: { city: 'Paris' } })]);
    const answer = await model.invoke([
      question,
      call,
      new ToolMessage({ content: '21 °C', tool_call_id: call.tool_calls![0]!.id! }),
    ]);
    expect(answer.content).toBe('It is 21 °C in Paris.');
  });
});

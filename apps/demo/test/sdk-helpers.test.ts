import OpenAI from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useLiveDemo } from './helpers.js';

/**
 * The official openai SDK's own high-level helpers, pointed at the gateway as agent code points them:
 * `chat.completions.parse()` with a zod schema, the `runTools()` loop and the `stream()` helper. Each
 * checks what the gateway answers more strictly than a bare `create()` does (strict JSON schemas, tool-call
 * ids it must hand back, the accumulated stream).
 */
const env = useLiveDemo({
  // The drafter: prose where JSON is asked for, unsure before a tool's result, sure after it.
  small: ({ body }) => {
    const q = JSON.stringify(body.messages);
    if (body.response_format) return { content: 'Paris, probably', logprobs: -0.01 };
    if (q.includes('tool_call_id')) return { content: 'It is 21 °C in Paris.', logprobs: -0.01 };
    return { content: 'Let me think…', logprobs: -2.5 };
  },
  // The verifier: valid JSON, and a tool call before the tool's result.
  big: ({ body }) => {
    const q = JSON.stringify(body.messages);
    if (body.response_format) return { content: '{"city":"Paris","population_millions":2.1}' };
    if (q.includes('tool_call_id')) return { content: 'It is 21 °C in Paris.' };
    return { content: '', toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }] };
  },
});
const client = () => new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${env.demo.url}/v1`, maxRetries: 0 });
const City = z.object({ city: z.string(), population_millions: z.number() });
const Weather = z.object({ city: z.string() });

describe("the openai SDK's helpers against the gateway", () => {
  it('chat.completions.parse() with a zod schema (strict): the drafter’s prose escalates, the answer parses', async () => {
    const r = await client().chat.completions.parse({
      model: 'cascade',
      messages: [{ role: 'user', content: 'The capital of France and its population, as JSON' }],
      response_format: zodResponseFormat(City, 'city'),
    });
    expect(r.choices[0]!.message.parsed).toEqual({ city: 'Paris', population_millions: 2.1 });
    const sent = env.upstream.requestsFor('small').at(-1)!.body.response_format as {
      json_schema: { strict: boolean; schema: { additionalProperties: boolean } };
    };
    expect(sent.json_schema.strict).toBe(true);
    expect(sent.json_schema.schema.additionalProperties).toBe(false);
    expect((r as unknown as { cascade: { tiers_tried: string[] } }).cascade.tiers_tried).toEqual([
      'small',
      'big',
    ]);
  });

  it('runTools(): the SDK calls the tool the gateway asked for and sends its result back, to the end', async () => {
    const calls: unknown[] = [];
    const runner = client().chat.completions.runTools({
      model: 'cascade',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        zodFunction({
          name: 'weather',
          description: 'The weather in a city',
          parameters: Weather,
          function: (args) => {
            calls.push(args);
            return { city: args.city, celsius: 21 };
          },
        }),
      ],
    });
    expect(await runner.finalContent()).toBe('It is 21 °C in Paris.');
    expect(calls).toEqual([{ city: 'Paris' }]);
    const roles = runner.messages.map((m) => m.role);
    expect(roles).toEqual(['user', 'assistant', 'tool', 'assistant']);
    // The tool's result went back under the id the gateway's answer gave the call.
    const toolMessage = runner.messages[2] as { tool_call_id: string; content: string };
    expect(toolMessage.tool_call_id).toBe('call_w1');
    expect(JSON.parse(toolMessage.content)).toEqual({ city: 'Paris', celsius: 21 });
  });

  it('runTools() streamed: the same loop over the gateway’s SSE, tool-call deltas and all', async () => {
    const runner = client().chat.completions.runTools({
      model: 'cascade',
      stream: true,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        zodFunction({
          name: 'weather',
          parameters: Weather,
          function: (args) => ({ city: args.city, celsius: 21 }),
        }),
      ],
    });
    let text = '';
    runner.on('content', (delta) => {
      text += delta;
    });
    expect(await runner.finalContent()).toBe('It is 21 °C in Paris.');
    expect(text).toBe('It is 21 °C in Paris.');
    const call = (await runner.finalFunctionToolCall())!;
    expect(call).toMatchObject({ name: 'weather' });
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
  });

  it('the stream() helper assembles the answer, tool calls included, from the gateway’s chunks', async () => {
    const stream = client().chat.completions.stream({
      model: 'cascade',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: z.toJSONSchema(Weather) } }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]!.message;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.tool_calls).toHaveLength(1);
    expect(message.tool_calls![0]).toMatchObject({ id: 'call_w1', type: 'function' });
    expect(final.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
  });
});

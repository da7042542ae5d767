import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { liveProviders } from '../src/engine.js';
import { pngDataUrl, startDemo, startLiveDemo } from './helpers.js';

let live: Awaited<ReturnType<typeof startLiveDemo>>;
let upstream: TestServer;
let demo: Awaited<ReturnType<typeof startDemo>>;
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

beforeAll(async () => {
  live = await startLiveDemo(
    {
      // The drafter: unsure about tool use, and writes prose where JSON is asked for.
      small: ({ body }) => {
        const q = JSON.stringify(body.messages);
        // A confident draft whose tool call is broken (the schema needs a city): it must escalate.
        if (q.includes('Berlin'))
          return {
            content: '',
            toolCalls: [{ id: 'bad', name: 'weather', arguments: { town: 'Berlin' } }],
            logprobs: -0.01,
          };
        if (body.response_format) return { content: 'Paris, probably', logprobs: -0.01 };
        if (q.includes('Spain')) return { content: 'Madrid, I think', logprobs: -2.5 };
        if (q.includes('"tool"') || q.includes('tool_call_id'))
          return { content: 'It is 21 °C in Paris.', logprobs: -0.01 };
        return { content: 'Let me think…', logprobs: -2.5 };
      },
      // The verifier: calls the tool, answers with the tool's result, writes valid JSON.
      big: ({ body }) => {
        const q = JSON.stringify(body.messages);
        if (q.includes('image_url')) return { content: 'A red square.' };
        if (q.includes('"type":"file"')) return { content: 'The report says revenue rose.' };
        if (q.includes('Spain')) return { content: 'Madrid\n\nIt has been the capital since 1561.' };
        if (q.includes('Which card')) return { content: 'Pay with card 4111 1111 1111 1111 today.' };
        if (body.response_format) return { content: '{"city":"Paris"}' };
        if (q.includes('tool_call_id')) return { content: 'It is 21 °C in Paris.' };
        if (q.includes('Berlin'))
          return {
            content: '',
            toolCalls: [{ id: 'call_b1', name: 'weather', arguments: { city: 'Berlin' } }],
          };
        return { content: '', toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }] };
      },
    },
    { imageModels: ['big'], documentModels: ['big'] },
  );
  upstream = live.upstream;
  demo = live.demo;
});
afterAll(async () => live?.stop());

const client = () => new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${demo.url}/v1`, maxRetries: 0 });

describe('the gateway speaks OpenAI chat completions with tools and JSON, to the official SDK', () => {
  it('a tool round trip: the tool call comes back, the tool result goes in, the answer comes out', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in Paris?' },
    ];
    const first = await client().chat.completions.create({
      model: 'cascade',
      messages,
      tools: [weatherTool],
    });
    const call = first.choices[0]!.message.tool_calls?.[0];
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: 'call_w1', type: 'function', function: { name: 'weather' } });
    expect(JSON.parse((call as { function: { arguments: string } }).function.arguments)).toEqual({
      city: 'Paris',
    });
    // The tools reached the upstream, in OpenAI's format.
    expect(upstream.requestsFor('big').at(-1)!.body.tools).toEqual([weatherTool]);
    messages.push(first.choices[0]!.message, {
      role: 'tool',
      tool_call_id: call!.id,
      content: '{"celsius":21}',
    });
    const second = await client().chat.completions.create({
      model: 'cascade',
      messages,
      tools: [weatherTool],
    });
    expect(second.choices[0]!.message.content).toBe('It is 21 °C in Paris.');
    const sent = upstream.requestsFor('small').at(-1)!.body.messages as {
      role: string;
      tool_call_id?: string;
    }[];
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(sent[2]!.tool_call_id).toBe('call_w1');
  });

  it('a confident draft whose tool call does not match the tool’s schema escalates', async () => {
    const r = await client().chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'What is the weather in Berlin?' }],
      tools: [weatherTool],
    });
    expect(r.choices[0]!.message.tool_calls?.[0]).toMatchObject({
      id: 'call_b1',
      function: { arguments: '{"city":"Berlin"}' },
    });
    expect((r as unknown as { cascade: { tiers_tried: string[] } }).cascade.tiers_tried).toEqual([
      'small',
      'big',
    ]);
  });

  it('streamed tool calls arrive as OpenAI tool-call deltas', async () => {
    const stream = await client().chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [weatherTool],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    let name = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        name ||= d.function?.name ?? '';
        args += d.function?.arguments ?? '';
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(name).toBe('weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number) });
  });

  it('a JSON schema answer: the drafter’s prose fails the schema check and escalates', async () => {
    const r = await client().chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'The capital of France, as JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    });
    expect(JSON.parse(r.choices[0]!.message.content!)).toEqual({ city: 'Paris' });
    expect((r as unknown as { cascade: { tiers_tried: string[] } }).cascade.tiers_tried).toEqual([
      'small',
      'big',
    ]);
    expect(upstream.requestsFor('small').at(-1)!.body.response_format).toMatchObject({ type: 'json_schema' });
  });

  it("a tool result's image goes to the tiers that take images, after the run of tool results", async () => {
    const shot = pngDataUrl(300, 200);
    const smallBefore = upstream.requestsFor('small').length;
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Take a screenshot and say what it shows.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_s1', type: 'function', function: { name: 'screenshot', arguments: '{}' } }],
      },
      {
        role: 'tool',
        tool_call_id: 'call_s1',
        // OpenAI's own API takes text parts only here; this gateway takes the image too.
        content: [
          { type: 'text', text: 'Saved to /tmp/shot.png' },
          { type: 'image_url', image_url: { url: shot } } as unknown as OpenAI.ChatCompletionContentPartText,
        ],
      },
    ];
    const r = await client().chat.completions.create({ model: 'cascade', messages });
    expect(r.choices[0]!.message.content).toBe('A red square.');
    expect(upstream.requestsFor('small')).toHaveLength(smallBefore);
    const sent = upstream.requestsFor('big').at(-1)!.body.messages as Record<string, unknown>[];
    expect(sent.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_s1', content: 'Saved to /tmp/shot.png' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'The images of the result of tool call call_s1:' },
          { type: 'image_url', image_url: { url: shot } },
        ],
      },
    ]);
    // An image in an assistant message is refused by name.
    const err = await client()
      .chat.completions.create({
        model: 'cascade',
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'assistant',
            content: [{ type: 'image_url', image_url: { url: shot } }] as unknown as string,
          },
          { role: 'user', content: 'And?' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(
      /messages\.1\.content\.0: images go in user messages and tool results only/,
    );
  });

  it('an image part goes to the tiers that take images only; where none does, it is refused by name', async () => {
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const smallBefore = upstream.requestsFor('small').length;
    const r = await client().chat.completions.create({
      model: 'cascade',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture? Reply to bob@example.com' },
            { type: 'image_url', image_url: { url: png, detail: 'low' } },
          ],
        },
      ],
    });
    expect(r.choices[0]!.message.content).toBe('A red square.');
    // The drafter takes no images: it was never asked; the upstream model that does got the image part.
    expect(upstream.requestsFor('small')).toHaveLength(smallBefore);
    expect((r as unknown as { cascade: { tiers_tried: string[] } }).cascade.tiers_tried).toEqual(['big']);
    // The guardrails redacted the text and kept the image.
    const sent = (upstream.requestsFor('big').at(-1)!.body.messages as { content: unknown }[])[0]!;
    expect(sent.content).toEqual([
      { type: 'text', text: 'What is in this picture? Reply to [EMAIL_1]' },
      { type: 'image_url', image_url: { url: png, detail: 'low' } },
    ]);
    // A gateway whose ladder takes no images (the replay) refuses the request by name.
    const askImage = (gatewayUrl: string) =>
      new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${gatewayUrl}/v1`, maxRetries: 0 }).chat.completions
        .create({
          model: 'cascade',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: png } }] }],
        })
        .catch((e: unknown) => e);
    const replay = await startDemo();
    try {
      const err = await askImage(replay.url);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toMatch(
        /request\.messages: carry images, and this gateway replays recorded answers to text questions: send text, or go live/,
      );
    } finally {
      await replay.stop();
    }
    // A live gateway whose ladder takes none names its setting, and sends nothing upstream.
    const before = upstream.requestsFor('small').length + upstream.requestsFor('big').length;
    const textOnly = await startDemo({
      mode: 'live',
      live: { baseURL: upstream.openaiBaseURL, ladder: ['small', 'big'], threshold: 0.7, imageModels: [] },
    });
    try {
      const err = await askImage(textOnly.url);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toContain(
        "request.messages: carry images, and no model of this gateway's ladder (small, big) takes images: send text, or list the models that do in `live.imageModels` of cascadeflow.config.json",
      );
      expect(upstream.requestsFor('small').length + upstream.requestsFor('big').length).toBe(before);
    } finally {
      await textOnly.stop();
    }
  });

  it('a file part (a PDF) goes to the tiers that take documents only; a file id, or a gateway whose ladder takes none, is refused by name', async () => {
    const pdf = `data:application/pdf;base64,${Buffer.from('%PDF-1.4\n3 0 obj<</Type /Page>>endobj\n%%EOF\n', 'latin1').toString('base64')}`;
    const smallBefore = upstream.requestsFor('small').length;
    const r = await client().chat.completions.create({
      model: 'cascade',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Sum up this report.' },
            { type: 'file', file: { file_data: pdf, filename: 'report.pdf' } },
          ],
        },
      ],
    });
    expect(r.choices[0]!.message.content).toBe('The report says revenue rose.');
    expect(upstream.requestsFor('small')).toHaveLength(smallBefore);
    const sent = (upstream.requestsFor('big').at(-1)!.body.messages as { content: unknown }[])[0]!;
    expect(sent.content).toEqual([
      { type: 'text', text: 'Sum up this report.' },
      { type: 'file', file: { file_data: pdf, filename: 'report.pdf' } },
    ]);
    const ask = (gatewayUrl: string, file: { file_data?: string; file_id?: string }) =>
      new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${gatewayUrl}/v1`, maxRetries: 0 }).chat.completions
        .create({ model: 'cascade', messages: [{ role: 'user', content: [{ type: 'file', file }] }] })
        .catch((e: unknown) => e);
    const byId = await ask(demo.url, { file_id: 'file-abc' });
    expect(byId).toBeInstanceOf(OpenAI.BadRequestError);
    expect((byId as Error).message).toMatch(
      /messages\.0\.content\.0\.file\.file_id: file ids are not supported/,
    );
    const replay = await startDemo();
    try {
      const err = await ask(replay.url, { file_data: pdf });
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toMatch(
        /request\.messages: carry documents, and this gateway replays recorded answers to text questions/,
      );
    } finally {
      await replay.stop();
    }
  });

  it('without live.imageModels, the models that take images are known by name', () => {
    const ladder = [
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'gpt-5',
      'o4-mini',
      'o3-mini',
      'o1-mini',
      'gpt-3.5-turbo',
      'claude-haiku-4-5',
      'claude-sonnet-4-20250514',
      'claude-3-5-haiku-latest',
      'claude-3-7-sonnet-latest',
      'llava:13b',
      'llama3.2-vision:11b',
      'qwen2.5vl:7b',
      'gemma3:4b',
      'llama3.1:8b',
      'mistral-small',
    ];
    const config = loadConfig(join(tmpdir(), 'cf-none.json'), {
      mode: 'live',
      live: { baseURL: 'http://127.0.0.1:9/v1', ladder, threshold: 0.7 },
    });
    const images = Object.fromEntries(liveProviders(config)!.ladder.map((t) => [t.model, t.images]));
    expect(images).toEqual({
      'gpt-4o-mini': true,
      'gpt-4.1-nano': true,
      'gpt-5': true,
      'o4-mini': true,
      'o3-mini': false,
      'o1-mini': false,
      'gpt-3.5-turbo': false,
      'claude-haiku-4-5': true,
      'claude-sonnet-4-20250514': true,
      'claude-3-5-haiku-latest': false,
      'claude-3-7-sonnet-latest': true,
      'llava:13b': true,
      'llama3.2-vision:11b': true,
      'qwen2.5vl:7b': true,
      'gemma3:4b': true,
      'llama3.1:8b': false,
      'mistral-small': false,
    });
    const documents = Object.fromEntries(liveProviders(config)!.ladder.map((t) => [t.model, t.documents]));
    expect(Object.keys(documents).filter((m) => documents[m])).toEqual([
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'gpt-5',
      'o4-mini',
      'claude-haiku-4-5',
      'claude-sonnet-4-20250514',
      'claude-3-7-sonnet-latest',
    ]);
    // Listed, they are exactly the list.
    const listed = loadConfig(join(tmpdir(), 'cf-none.json'), {
      mode: 'live',
      live: { baseURL: 'http://127.0.0.1:9/v1', ladder, threshold: 0.7, imageModels: ['llama3.1:8b'] },
    });
    expect(
      liveProviders(listed)!
        .ladder.filter((t) => t.images)
        .map((t) => t.model),
    ).toEqual(['llama3.1:8b']);
  });

  it('sampling controls reach every tier and stop cuts the answer, whole and streamed', async () => {
    const request = {
      model: 'cascade',
      messages: [{ role: 'user' as const, content: 'Capital of Spain?' }],
      top_p: 0.9,
      seed: 7,
      stop: ['\n\n'],
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
    };
    const before = { small: upstream.requestsFor('small').length, big: upstream.requestsFor('big').length };
    const r = await client().chat.completions.create(request);
    expect(r.choices[0]!.message.content).toBe('Madrid');
    expect(r.choices[0]!.finish_reason).toBe('stop');
    for (const model of ['small', 'big'] as const)
      expect(upstream.requestsFor(model)[before[model]]!.body).toMatchObject({
        top_p: 0.9,
        seed: 7,
        stop: ['\n\n'],
        frequency_penalty: 0.5,
        presence_penalty: -0.5,
      });
    const stream = await client().chat.completions.create({ ...request, stop: '\n\n', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Madrid');
    expect(upstream.requestsFor('big').at(-1)!.body.stop).toEqual(['\n\n']);
  });

  it('takes the defaults clients spell out (nulls, n = 1, zero penalties), and refuses what it cannot honour by name', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${demo.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'cascade',
          messages: [{ role: 'user', content: 'Capital of Spain?' }],
          ...body,
        }),
      });
    // What LangChain-style clients send when nothing was set: every sampling control at its default.
    const defaults = await post({
      temperature: null,
      top_p: 1,
      n: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      max_tokens: null,
      stop: null,
      seed: null,
      stream: false,
    });
    expect(defaults.status).toBe(200);
    expect(((await defaults.json()) as OpenAI.ChatCompletion).choices[0]!.message.content).toMatch(/^Madrid/);
    const refused = async (body: Record<string, unknown>) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await refused({ stop: ['a', 'b', 'c', 'd', 'e'] })).toBe(
      'stop: must be a non-empty string or a list of at most 4 non-empty strings.',
    );
    expect(await refused({ top_p: 1.5 })).toMatch(/^top_p: /);
    expect(await refused({ seed: 1.5 })).toMatch(/^seed: must be an integer/);
    expect(await refused({ logit_bias: { '50256': -100 } })).toBe(
      'logit_bias: not supported by this gateway; remove it.',
    );
  });

  it('takes answers handed back with every field an SDK keeps, and names the parts it cannot take', async () => {
    const post = (messages: unknown[], extra: Record<string, unknown> = {}) =>
      fetch(`${demo.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'cascade', messages, ...extra }),
      });
    const call = {
      id: 'call_1',
      type: 'function',
      function: { name: 'weather', arguments: '{"city":"Paris"}' },
    };
    // As the Python SDK dumps an answer message: every field, nulls included; a tool result with its name.
    const handedBack = await post(
      [
        {
          role: 'user',
          content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }],
        },
        {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          audio: null,
          function_call: null,
          tool_calls: [call],
        },
        { role: 'tool', tool_call_id: 'call_1', name: 'weather', content: '21 °C' },
        { role: 'assistant', content: 'It is 21 °C.', tool_calls: null, function_call: null },
        { role: 'user', content: 'And what is the weather tomorrow?' },
      ],
      { tools: [weatherTool], safety_identifier: 'user-hash', prompt_cache_key: 'weather' },
    );
    expect(handedBack.status).toBe(200);
    const refused = async (messages: unknown[], extra: Record<string, unknown> = {}) => {
      const res = await post(messages, extra);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { code: string; message: string } }).error;
    };
    expect(
      await refused([
        { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] },
      ]),
    ).toMatchObject({
      code: 'unsupported_parameter',
      message:
        'messages.0.content.0: "input_audio" parts are not supported by this gateway ("text", "image_url" and "file" parts are).',
    });
    expect(
      (
        await refused([
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'x', function_call: { name: 'f' } },
        ])
      ).message,
    ).toMatch(/^messages\.1\.function_call: only null: legacy function calls are not supported/);
    expect((await refused([{ role: 'user', content: 'hi' }], { logit_bias: { '42': 10 } })).message).toBe(
      'logit_bias: not supported by this gateway; remove it.',
    );
    expect((await refused([{ role: 'user', content: 'hi' }], { reasoning_effort: 'extreme' })).message).toBe(
      'reasoning_effort: must be none, minimal, low, medium, high or xhigh.',
    );
  });

  it('reasoning_effort and verbosity are taken, the tiers asked without them, and the answer names them', async () => {
    const before = upstream.requestsFor('small').length;
    const { data, response } = await client()
      .chat.completions.create({
        model: 'cascade',
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        reasoning_effort: 'high',
        verbosity: 'low',
      })
      .withResponse();
    expect(data.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'weather' } });
    expect(response.headers.get('x-cascadeflow-not-applied')).toBe('reasoning_effort, verbosity');
    const sent = upstream.requestsFor('small')[before]!.body;
    expect(sent).not.toHaveProperty('reasoning_effort');
    expect(sent).not.toHaveProperty('verbosity');
    const plain = await client()
      .chat.completions.create({
        model: 'cascade',
        messages: [{ role: 'user', content: 'What is the weather?' }],
      })
      .withResponse();
    expect(plain.response.headers.get('x-cascadeflow-not-applied')).toBeNull();
  });

  it('logprobs: the answer’s own tokens, never those of an answer a plugin changed', async () => {
    const r = await client().chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'Capital of Spain?' }],
      stop: ['\n\n'],
      logprobs: true,
      top_logprobs: 0,
    });
    expect(r.choices[0]!.message.content).toBe('Madrid');
    expect(r.choices[0]!.logprobs).toEqual({
      content: [{ token: 'Madrid', logprob: -0.05, bytes: [...Buffer.from('Madrid')], top_logprobs: [] }],
      refusal: null,
    });
    // The output guardrails redact the card number: the tokens would give it back, so there are none.
    const redacted = await client().chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'Which card should I use?' }],
      logprobs: true,
    });
    expect(redacted.choices[0]!.message.content).not.toContain('4111');
    expect(redacted.choices[0]!.logprobs).toBeNull();
    const refused = async (body: Record<string, unknown>) =>
      client()
        .chat.completions.create({
          model: 'cascade',
          messages: [{ role: 'user', content: 'hi' }],
          ...body,
        } as never)
        .catch((e: { message: string }) => e.message);
    expect(await refused({ logprobs: true, top_logprobs: 3 })).toMatch(
      /^400 top_logprobs: only 0 is supported/,
    );
    // Streamed: the answer's tokens come with the chunk that finishes it (a redactor may have rewritten the
    // text on its way, so no chunk has tokens of its own); the SDK's stream helper adds them up.
    const streamed = await client()
      .chat.completions.stream({
        model: 'cascade',
        messages: [{ role: 'user', content: 'Capital of Spain?' }],
        stop: ['\n\n'],
        logprobs: true,
      })
      .finalChatCompletion();
    expect(streamed.choices[0]!.message.content).toBe('Madrid');
    expect(streamed.choices[0]!.logprobs?.content).toEqual(r.choices[0]!.logprobs!.content);
    const streamedRedacted = await client()
      .chat.completions.stream({
        model: 'cascade',
        messages: [{ role: 'user', content: 'Which card should I use?' }],
        logprobs: true,
      })
      .finalChatCompletion();
    expect(streamedRedacted.choices[0]!.message.content).not.toContain('4111');
    expect(streamedRedacted.choices[0]!.logprobs?.content ?? null).toBeNull();
  });

  it('models.list: the cascade and the ladder’s models, as the OpenAI SDK reads them', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(`${m.object}:${m.id}`);
    expect(ids).toEqual(['model:cascade', 'model:small', 'model:big']);
  });
});

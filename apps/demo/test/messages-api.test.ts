import Anthropic from '@anthropic-ai/sdk';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import type { TestServer } from '@cascadeflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADMIN_KEY, pngDataUrl, type startDemo, startLiveDemo, useLiveDemo } from './helpers.js';

let live: Awaited<ReturnType<typeof startLiveDemo>>;
let upstream: TestServer;
let demo: Awaited<ReturnType<typeof startDemo>>;
const weather = {
  name: 'weather',
  description: 'The weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

beforeAll(async () => {
  live = await startLiveDemo(
    {
      small: ({ body }) => {
        const q = JSON.stringify(body.messages);
        // A sure draft in prose where a JSON schema is asked for: the schema check must escalate it.
        if (body.response_format) return { content: 'Paris, surely', logprobs: -0.01 };
        if (q.includes('tool_call_id')) return { content: 'It is 21 °C in Paris.', logprobs: -0.01 };
        if (q.includes('Oslo'))
          return {
            content: '',
            toolCalls: [{ id: 'call_o1', name: 'weather', arguments: { city: 'Oslo' } }],
            logprobs: -0.01,
          };
        if (q.includes('capital')) return { content: 'Maybe Lyon', logprobs: -2.5 };
        if (q.includes('failing test')) return { content: 'Done: the test passes.', logprobs: -0.01 };
        return { content: 'Let me think…', logprobs: -2.5 };
      },
      big: ({ body }) => {
        const q = JSON.stringify(body.messages);
        if (q.includes('image_url')) return { content: 'Two images: a red square and a logo.' };
        if (q.includes('"type":"file"')) return { content: 'The report says revenue rose 12%.' };
        if (body.response_format) return { content: '{"city":"Paris","country":"France"}' };
        if (q.includes('capital')) return { content: 'The capital of France is Paris.' };
        return { content: '', toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }] };
      },
    },
    { imageModels: ['big'], documentModels: ['big'] },
  );
  upstream = live.upstream;
  demo = live.demo;
});
afterAll(async () => live?.stop());

const claude = () => new Anthropic({ apiKey: 'cf-demo-key', baseURL: demo.url, maxRetries: 0 });

describe("POST /v1/messages: Anthropic's Messages API, to the official @anthropic-ai/sdk", () => {
  it('a message, with a system prompt: the cascade escalates and answers in the Messages format', async () => {
    const m = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(m.type).toBe('message');
    expect(m.content).toEqual([{ type: 'text', text: 'The capital of France is Paris.' }]);
    expect(m.stop_reason).toBe('end_turn');
    expect(m.usage.input_tokens).toBeGreaterThan(0);
    const sent = upstream.requestsFor('small').at(-1)!.body;
    expect((sent.messages as { role: string }[])[0]!.role).toBe('system');
    expect(sent.max_tokens).toBe(100);
  });

  it('streamed: the SDK assembles the final message from the SSE event sequence', async () => {
    const stream = claude().messages.stream({
      model: 'cascade',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('The capital of France is Paris.');
    expect(final.content).toEqual([{ type: 'text', text: 'The capital of France is Paris.' }]);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('tools: a tool_use block comes back, a tool_result goes in, the answer comes out (streamed too)', async () => {
    const first = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', id: 'call_w1', name: 'weather', input: { city: 'Paris' } });
    const second = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_w1', content: '{"celsius":21}' }],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'It is 21 °C in Paris.' }]);
    const streamed = await claude()
      .messages.stream({
        model: 'cascade',
        max_tokens: 100,
        tools: [weather],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      })
      .finalMessage();
    expect(streamed.content.find((b) => b.type === 'tool_use')).toMatchObject({
      name: 'weather',
      input: { city: 'Paris' },
    });
  });

  it("a tool result's image blocks reach only the tiers that take images, and count_tokens counts them by size", async () => {
    const shot = pngDataUrl(300, 200);
    const data = shot.slice('data:image/png;base64,'.length);
    const before = upstream.requestsFor('small').length;
    const params = {
      model: 'cascade',
      max_tokens: 100,
      messages: [
        { role: 'user' as const, content: 'Open the image and describe it.' },
        {
          role: 'assistant' as const,
          content: [
            { type: 'tool_use' as const, id: 'toolu_r1', name: 'Read', input: { file_path: '/tmp/a.png' } },
          ],
        },
        {
          role: 'user' as const,
          content: [
            {
              type: 'tool_result' as const,
              tool_use_id: 'toolu_r1',
              content: [
                {
                  type: 'image' as const,
                  source: { type: 'base64' as const, media_type: 'image/png' as const, data },
                },
              ],
            },
          ],
        },
      ],
    };
    const m = await claude().messages.create(params);
    expect(m.content).toEqual([{ type: 'text', text: 'Two images: a red square and a logo.' }]);
    expect(upstream.requestsFor('small')).toHaveLength(before);
    const sent = upstream.requestsFor('big').at(-1)!.body.messages as Record<string, unknown>[];
    expect(sent.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_r1', content: 'The result is the images in the next message.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'The images of the result of tool call toolu_r1:' },
          { type: 'image_url', image_url: { url: shot } },
        ],
      },
    ]);
    // 300 × 200 pixels are 80 tokens on Claude; the text and the tool call count as text does.
    const { max_tokens: _, ...counted } = params;
    const tokens = await claude().messages.countTokens(counted);
    const text = await claude().messages.countTokens({
      ...counted,
      messages: [
        ...counted.messages.slice(0, 2),
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_r1' }] },
      ],
    });
    expect(tokens.input_tokens - text.input_tokens).toBe(80);
  });

  it('image blocks (base64 and URL) reach only the tiers that take images, in the upstream’s format', async () => {
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const before = upstream.requestsFor('small').length;
    const m = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/logo.webp' } },
            { type: 'text', text: 'Describe both.' },
          ],
        },
      ],
    });
    expect(m.content).toEqual([{ type: 'text', text: 'Two images: a red square and a logo.' }]);
    expect(upstream.requestsFor('small')).toHaveLength(before);
    const sent = (upstream.requestsFor('big').at(-1)!.body.messages as { content: unknown }[])[0]!;
    expect(sent.content).toEqual([
      { type: 'text', text: 'Describe both.' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/logo.webp' } },
    ]);
    // A media type neither API takes is refused by name, in the Messages format.
    const err = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image',
                source: { type: 'base64', media_type: 'image/tiff' as 'image/png', data: png },
              },
            ],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(/messages\.0\.content\.0\.source\.media_type: .*image\/png/);
  });

  it("document blocks (a user's PDF and text file, a tool result's PDF as Claude Code's Read sends it) reach only the tiers that take documents", async () => {
    const pdfBytes = '%PDF-1.4\n3 0 obj<</Type /Page>>endobj\n%%EOF\n';
    const pdf = Buffer.from(pdfBytes, 'latin1').toString('base64');
    const before = upstream.requestsFor('small').length;
    const params = {
      model: 'cascade',
      max_tokens: 100,
      messages: [
        {
          role: 'user' as const,
          content: [
            {
              type: 'document' as const,
              source: { type: 'text' as const, media_type: 'text/plain' as const, data: 'Notes: Q3.' },
              title: 'notes.txt',
            },
            { type: 'text' as const, text: 'Read report.pdf and sum it up with my notes.' },
          ],
        },
        {
          role: 'assistant' as const,
          content: [
            {
              type: 'tool_use' as const,
              id: 'toolu_p1',
              name: 'Read',
              input: { file_path: '/tmp/report.pdf' },
            },
          ],
        },
        {
          role: 'user' as const,
          content: [
            {
              type: 'tool_result' as const,
              tool_use_id: 'toolu_p1',
              content: [
                {
                  type: 'document' as const,
                  source: { type: 'base64' as const, media_type: 'application/pdf' as const, data: pdf },
                },
              ],
            },
          ],
        },
      ],
    };
    const m = await claude().messages.create(params);
    expect(m.content).toEqual([{ type: 'text', text: 'The report says revenue rose 12%.' }]);
    expect(upstream.requestsFor('small')).toHaveLength(before);
    const sent = upstream.requestsFor('big').at(-1)!.body.messages as Record<string, unknown>[];
    expect(sent[0]!.content).toEqual([
      { type: 'text', text: 'Read report.pdf and sum it up with my notes.' },
      { type: 'text', text: 'The file notes.txt:\nNotes: Q3.' },
    ]);
    expect(sent.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_p1', content: 'The result is the files in the next message.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'The files of the result of tool call toolu_p1:' },
          {
            type: 'file',
            file: { file_data: `data:application/pdf;base64,${pdf}`, filename: 'document-1.pdf' },
          },
        ],
      },
    ]);
    // count_tokens counts the PDF by its one page.
    const { max_tokens: _, ...counted } = params;
    const tokens = await claude().messages.countTokens(counted);
    const withoutPdf = await claude().messages.countTokens({
      ...counted,
      messages: [
        ...counted.messages.slice(0, 2),
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_p1' }] },
      ],
    });
    expect(tokens.input_tokens - withoutPdf.input_tokens).toBe(2250);
    // A document block in an assistant turn is refused by name.
    const err = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
            ] as never,
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(/messages\.1\.content\.0: documents go in user turns only/);
  });

  it('errors in the Messages format: a wrong key, an unsupported field named', async () => {
    const wrong = await new Anthropic({ apiKey: 'nope-nope-nope', baseURL: demo.url, maxRetries: 0 }).messages
      .create({ model: 'cascade', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
    const res = await fetch(`${demo.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'cf-demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'cascade',
        max_tokens: 10,
        context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message:
          'context_management.edits.0.type: only "clear_thinking_20251015" (this gateway keeps no reasoning to clear, and edits nothing else).',
      },
    });
    const off = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      thinking: { type: 'disabled' },
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(off.content).toEqual([{ type: 'text', text: 'The capital of France is Paris.' }]);
  });

  it('top_p, top_k and stop_sequences reach every tier; the stop sequence cuts the answer, streamed too', async () => {
    const params = {
      model: 'cascade',
      max_tokens: 100,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: [' is'],
      messages: [{ role: 'user' as const, content: 'What is the capital of France?' }],
    };
    const before = { small: upstream.requestsFor('small').length, big: upstream.requestsFor('big').length };
    const m = await claude().messages.create(params);
    expect(m.content).toEqual([{ type: 'text', text: 'The capital of France' }]);
    // OpenAI's API says only `stop`, not which sequence (a vLLM upstream does: see below).
    expect(m.stop_reason).toBe('end_turn');
    for (const model of ['small', 'big'] as const) {
      const sent = upstream.requestsFor(model)[before[model]]!.body;
      // An OpenAI-compatible upstream: top_k is left out (OpenAI's API has none).
      expect(sent).toMatchObject({ top_p: 0.9, stop: [' is'] });
      expect(sent).not.toHaveProperty('top_k');
    }
    const streamed = await claude().messages.stream(params).finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: 'The capital of France' }]);
    const bad = await claude()
      .messages.create({ ...params, stop_sequences: ['a', 'b', 'c', 'd', 'e'] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as Error).message).toMatch(/stop_sequences: must have at most 4 sequences/);
  });

  it('takes what Claude clients add (cache_control, tool types), and names the blocks and tools it cannot take', async () => {
    const m = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the capital of France?', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
      tools: [{ ...weather, type: 'custom', cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      metadata: { user_id: 'user-1' },
    });
    expect(m.content).toEqual([{ type: 'text', text: 'The capital of France is Paris.' }]);
    const sent = upstream.requestsFor('big').at(-1)!.body;
    expect(sent.parallel_tool_calls).toBe(false);
    const refused = async (body: Record<string, unknown>) => {
      const err = await claude()
        .messages.create({ model: 'cascade', max_tokens: 10, ...body } as never)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      return (err as { error: { error: { message: string } } }).error.error.message;
    };
    const found = { type: 'search_result', source: 'https://example.com', title: 'x', content: [] };
    expect(await refused({ messages: [{ role: 'user', content: [found] }] })).toMatch(
      /messages\.0\.content\.0: "search_result" blocks are not supported by this gateway \(.*"document"/,
    );
    expect(
      await refused({
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      }),
    ).toMatch(/tools\.0: server tools \("web_search_20250305"\) are not supported by this gateway/);
  });

  it('count_tokens estimates a message’s input without calling a model, for English and Chinese alike', async () => {
    const calls = upstream.requests.length;
    const english = await claude().messages.countTokens({
      model: 'cascade',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    // 9 + 30 characters of ASCII: 4 a token.
    expect(english).toEqual({ input_tokens: Math.ceil(39 / 4) });
    const chinese = await claude().messages.countTokens({
      model: 'cascade',
      messages: [{ role: 'user', content: '法国的首都是哪里？' }],
      tools: [weather],
    });
    // 9 CJK characters, a token each, and the tool's definition as the cascade holds it.
    const tool = { name: weather.name, description: weather.description, parameters: weather.input_schema };
    expect(chinese.input_tokens).toBe(9 + Math.ceil(JSON.stringify([tool]).length / 4));
    // A structured output's schema counts as the tools' definitions do.
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const structured = await claude().messages.countTokens({
      model: 'cascade',
      messages: [{ role: 'user', content: '法国的首都是哪里？' }],
      output_config: { format: { type: 'json_schema', schema } },
    } as Parameters<Anthropic['messages']['countTokens']>[0]);
    expect(structured.input_tokens).toBe(9 + Math.ceil(JSON.stringify(schema).length / 4));
    expect(upstream.requests.length).toBe(calls);
    const bad = await claude()
      .messages.countTokens({ model: 'cascade', messages: [] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('a turn as Claude Code sends it (thinking, effort, context editing, billing block, betas) is answered', async () => {
    // The shape of Claude Code 2.1's requests: asked for thinking and an effort and the clearing of old
    // thinking on every turn, streamed, a billing block first in the system prompt, cache markers, the
    // user id as a JSON string, an earlier answer's thinking handed back with its tool call.
    const before = { small: upstream.requestsFor('small').length, big: upstream.requestsFor('big').length };
    const stream = claude().beta.messages.stream({
      model: 'cascade',
      max_tokens: 32000,
      temperature: 1,
      betas: ['claude-code-20250219', 'interleaved-thinking-2025-05-14', 'context-management-2025-06-27'],
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.220; cc_entrypoint=cli;' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      metadata: { user_id: JSON.stringify({ device_id: 'd1', account_uuid: '', session_id: 's1' }) },
      thinking: { type: 'adaptive', display: 'omitted' } as unknown as Anthropic.Beta.BetaThinkingConfigParam,
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'high' },
      tools: [{ ...weather, cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'The user wants the weather.', signature: 'c2ln' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '21 °C' }] },
      ],
    } as unknown as Parameters<Anthropic['beta']['messages']['stream']>[0]);
    const { response } = await stream.withResponse();
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'It is 21 °C in Paris.' }]);
    // Taken, not acted on, and said so.
    expect(response.headers.get('x-cascadeflow-not-applied')).toBe(
      'thinking, output_config.effort, context_management, thinking blocks',
    );
    const sent = upstream.requestsFor('small')[before.small]!.body;
    // What reached the tier: the conversation without the reasoning, and none of the hints.
    expect(JSON.stringify(sent)).not.toMatch(/thinking|effort|context_management|c2ln/);
    expect((sent.messages as { role: string }[]).map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
    ]);
    expect(upstream.requestsFor('big')).toHaveLength(before.big);
    // A thinking block is an answer's: in a user turn it is refused by name.
    const misplaced = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'thinking', thinking: 'x', signature: 'y' }] }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e as Error);
    expect((misplaced as Error).message).toMatch(
      /messages\.0\.content\.0: .+thinking.+ blocks come back in assistant turns only/,
    );
  });

  it('a tool schema in JSON Schema draft 2020-12 (Claude Code 2.1.332 declares it) is checked, not a 500', async () => {
    const modern = {
      ...weather,
      input_schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...weather.input_schema },
    };
    const first = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      tools: [modern],
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    expect(first.content.find((b) => b.type === 'tool_use')).toMatchObject({
      name: 'weather',
      input: { city: 'Paris' },
    });
    // A schema no validator can read is the request's fault, said so.
    const bad = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 100,
        tools: [{ ...weather, input_schema: { type: 'object', properties: { city: { type: 'strnig' } } } }],
        messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e as Error);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as Error).message).toMatch(
      /tools\[.+weather.+\]\.parameters: is not a JSON schema that can be checked/,
    );
  });

  it('a mid-conversation system message (Claude Code 2.1.3xx sends one after the first user turn) is taken in place', async () => {
    const before = upstream.requestsFor('small').length;
    const r = await claude().messages.create({
      model: 'cascade',
      max_tokens: 100,
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
        {
          role: 'system',
          content: [{ type: 'text', text: 'Answer in one line.', cache_control: { type: 'ephemeral' } }],
        },
      ],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    expect(r.content.length).toBeGreaterThan(0);
    const sent = upstream.requestsFor('small')[before]!.body.messages as { role: string; content: unknown }[];
    expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'system']);
    expect(sent[2]!.content).toBe('Answer in one line.');
    // Text only: anything else in it is refused by name.
    const bad = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: [{ type: 'tool_use', id: 't', name: 'x', input: {} }] },
        ],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e as Error);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as Error).message).toMatch(
      /messages\.1\.content\.0: a system message holds text, tool_addition and tool_removal blocks only, not .+tool_use/,
    );
  });

  it("a system message's own output_config and clear_at (Claude Code 2.1.332 in a git repository) are taken", async () => {
    const before = upstream.requestsFor('small').length;
    const { data, response } = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 100,
        output_config: { effort: 'medium', task_budget: { type: 'tokens', total: 400_000 } },
        messages: [
          { role: 'user', content: 'What is the weather in Paris?' },
          // As Claude Code sends its environment: an effort for the turn on the message itself.
          {
            role: 'system',
            content: [
              { type: 'text', text: '# Environment\nPlatform: linux', cache_control: { type: 'ephemeral' } },
            ],
            output_config: { effort: 'medium' },
          },
          // Shown until a user message follows it: this one is, so the tiers never see it.
          { role: 'system', content: 'Say it in French.', clear_at: 'next_user_message' },
          { role: 'user', content: 'In one line, please.' },
          // No text: only an effort.
          { role: 'system', output_config: { effort: 'low' } },
        ],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    expect(data.content.length).toBeGreaterThan(0);
    expect(response.headers.get('x-cascadeflow-not-applied')).toBe(
      'output_config.effort, messages.output_config.effort, output_config.task_budget',
    );
    const sent = upstream.requestsFor('small')[before]!.body.messages as { role: string; content: unknown }[];
    expect(sent).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'system', content: '# Environment\nPlatform: linux' },
      { role: 'user', content: 'In one line, please.' },
    ]);
    const refused = (message: Record<string, unknown>) =>
      claude()
        .messages.create({
          model: 'cascade',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }, message],
        } as unknown as Anthropic.MessageCreateParamsNonStreaming)
        .then(
          () => new Error('not refused'),
          (e: unknown) => e as Error,
        );
    expect((await refused({ role: 'system', content: 'x', clear_at: 'tomorrow' })).message).toMatch(
      /messages\.1\.clear_at: must be .+next_user_message.+ or .+never/,
    );
    expect(
      (await refused({ role: 'system', output_config: { format: { type: 'json_schema' } } })).message,
    ).toMatch(/messages\.1\.output_config\.format: unknown field/);
  });

  it('a Claude Code turn is scored by its question, not by the <system-reminder> context around it', async () => {
    const reminder = `<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\n${'Run pnpm test before committing. '.repeat(40)}\n</system-reminder>`;
    const { response } = await claude()
      .messages.create({
        model: 'cascade',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: reminder },
              { type: 'text', text: 'Fix the failing test in src/a.ts' },
            ],
          },
        ],
      })
      .withResponse();
    // A short answer to a plain request: the drafter's is taken (the context alone would make the
    // question "hard", and a five-word answer to a hard question escalates).
    expect(response.headers.get('x-cascadeflow-tiers-tried')).toBe('small');
    const stats = (await (
      await fetch(`${demo.url}/api/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    ).json()) as { recent: { query: string }[] };
    expect(stats.recent[0]!.query).toBe('Fix the failing test in src/a.ts');
  });

  it('deferred tools are offered once a tool search loads them, and system messages add and withdraw tools', async () => {
    const tool = (name: string, defer = false) => ({
      name,
      description: `The ${name} tool`,
      input_schema: { type: 'object', properties: {} },
      ...(defer ? { defer_loading: true } : {}),
    });
    const offered = () =>
      ((upstream.requests.at(-1)!.body.tools ?? []) as { function: { name: string } }[]).map(
        (t) => t.function.name,
      );
    const create = (body: Record<string, unknown>) =>
      claude().messages.create({ model: 'cascade', max_tokens: 100, ...body } as never);
    // As Claude Code sends its tools: ToolSearch, and a placeholder that is never loaded.
    const tools = [tool('ToolSearch'), tool('DeferredToolPlaceholder', true), tool('mcp__db__query', true)];
    await create({ tools, messages: [{ role: 'user', content: 'Look up the orders table.' }] });
    expect(offered()).toEqual(['ToolSearch']);
    // A ToolSearch call and its result, which names the tool it found.
    const afterSearch = (found: string) => [
      { role: 'user', content: 'Look up the orders table.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_s1', name: 'ToolSearch', input: {} }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_s1',
            content: [{ type: 'tool_reference', tool_name: found }],
          },
        ],
      },
    ];
    // The search found the database tool: from here on the tiers are offered it, and the result says so.
    await create({ tools, messages: afterSearch('mcp__db__query') });
    expect(offered()).toEqual(['ToolSearch', 'mcp__db__query']);
    const sent = upstream.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
    expect(sent.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_s1',
      content: 'Tool loaded: mcp__db__query',
    });
    // A system message adds a declared tool and a new one, then withdraws ToolSearch.
    await create({
      tools,
      messages: [
        { role: 'user', content: 'Look up the orders table.' },
        {
          role: 'system',
          content: [
            { type: 'text', text: 'Search is over.' },
            { type: 'tool_addition', tool: { type: 'tool_reference', name: 'mcp__db__query' } },
            { type: 'tool_addition', tool: { type: 'tool_definition', definition: tool('Export') } },
            { type: 'tool_removal', tool: { type: 'tool_reference', name: 'ToolSearch' } },
          ],
        },
      ],
    });
    expect(offered()).toEqual(['mcp__db__query', 'Export']);
    expect((upstream.requests.at(-1)!.body.messages as { content: unknown }[])[1]).toEqual({
      role: 'system',
      content: 'Search is over.',
    });
    // Refused by name: a deferred tool asked for before it is loaded, an unknown one, an MCP server's.
    const refused = async (body: Record<string, unknown>) =>
      create(body).then(
        () => new Error('not refused'),
        (e: unknown) => e as Error,
      );
    expect(
      (
        await refused({
          tools,
          tool_choice: { type: 'tool', name: 'mcp__db__query' },
          messages: [{ role: 'user', content: 'x' }],
        })
      ).message,
    ).toMatch(/tool_choice\.name: .+mcp__db__query.+ is not offered at this point/);
    expect(
      (
        await refused({
          tools,
          messages: afterSearch('nope'),
        })
      ).message,
    ).toMatch(/messages\.2\.content\.0\.content\.0\.tool_name: no tool named .+nope.+ is declared in tools/);
    expect(
      (
        await refused({
          tools,
          messages: [
            { role: 'user', content: 'x' },
            {
              role: 'system',
              content: [
                { type: 'tool_addition', tool: { type: 'mcp_tool_reference', name: 'q', server_name: 'db' } },
              ],
            },
          ],
        })
      ).message,
    ).toMatch(/messages\.1\.content\.0\.tool: MCP servers' tools are not supported by this gateway/);
  });

  it('structured outputs (output_config.format): every draft is checked against the schema, parse() reads the answer', async () => {
    const City = z.object({ city: z.string(), country: z.string() });
    const params = {
      model: 'cascade',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'Which city is the capital of France?' }],
      output_config: { format: zodOutputFormat(City) },
    };
    const m = await claude().messages.parse(params);
    expect(m.parsed_output).toEqual({ city: 'Paris', country: 'France' });
    // The drafter's sure prose failed the schema: escalated. The OpenAI-compatible upstream got the schema
    // as its response_format.
    const sent = upstream.requestsFor('small').at(-1)!.body.response_format as {
      type: string;
      json_schema: { schema: { properties: Record<string, unknown> } };
    };
    expect(sent.type).toBe('json_schema');
    expect(Object.keys(sent.json_schema.schema.properties)).toEqual(['city', 'country']);
    expect(upstream.requestsFor('big').at(-1)!.body.response_format).toEqual(sent);
    const streamed = await claude().messages.stream(params).finalMessage();
    expect(streamed.parsed_output).toEqual({ city: 'Paris', country: 'France' });
    // The beta's name for the same field.
    const beta = await claude().messages.create({
      ...params,
      output_config: undefined,
      output_format: { type: 'json_schema', schema: z.toJSONSchema(City) },
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(JSON.parse((beta.content[0] as { text: string }).text)).toEqual({
      city: 'Paris',
      country: 'France',
    });
    const refused = async (extra: Record<string, unknown>) =>
      (await claude()
        .messages.create({ ...params, ...extra } as Anthropic.MessageCreateParamsNonStreaming)
        .catch((e: unknown) => e)) as Error;
    const effort = await refused({ output_config: { effort: 'extreme' } });
    expect(effort).toBeInstanceOf(Anthropic.BadRequestError);
    expect(effort.message).toMatch(/output_config\.effort: must be low, medium, high, xhigh or max/);
    const kind = await refused({ output_config: { format: { type: 'json_object' } } });
    expect(kind.message).toMatch(
      /output_config\.format\.type: only .+json_schema.+ \(a JSON schema the answer must match\)/,
    );
    const both = await refused({ output_format: { type: 'json_schema', schema: {} } });
    expect(both.message).toMatch(/give the schema once, in output_config\.format/);
  });

  it("the SDK's toolRunner (beta) runs its loop through the gateway: the tool call, its result, the answer", async () => {
    const calls: unknown[] = [];
    for (const stream of [false, true]) {
      const runner = claude().beta.messages.toolRunner({
        model: 'cascade',
        max_tokens: 200,
        stream,
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [
          betaZodTool({
            name: 'weather',
            description: 'The weather in a city',
            inputSchema: z.object({ city: z.string() }),
            run: (args) => {
              calls.push(args);
              return '21 °C';
            },
          }),
        ],
      });
      const final = await runner.runUntilDone();
      expect(final.content).toEqual([{ type: 'text', text: 'It is 21 °C in Paris.' }]);
      expect(final.stop_reason).toBe('end_turn');
    }
    expect(calls).toEqual([{ city: 'Paris' }, { city: 'Paris' }]);
  });

  it('a message thread (beta) is refused with the code that makes Claude clients resend the turn whole', async () => {
    const calls = upstream.requests.length;
    const body = {
      model: 'cascade',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      thread: { type: 'create' },
    };
    const post = (path: string, payload: unknown) =>
      fetch(`${demo.url}${path}`, {
        method: 'POST',
        headers: {
          'x-api-key': 'cf-demo-key',
          'anthropic-version': '2023-06-01',
          'anthropic-beta': 'message-threads-2026-08-12',
          'content-type': 'application/json',
        },
        body: JSON.stringify(payload),
      });
    const res = await post('/v1/messages', body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(/^thread: message threads are not supported by this gateway/),
        details: { error_code: 'thread_unsupported_request', unsupported: ['thread'] },
      },
    });
    const continued = await post('/v1/messages', {
      ...body,
      thread: { type: 'continue', previous_message_id: 'msg_1' },
    });
    expect(continued.status).toBe(400);
    expect(upstream.requests.length).toBe(calls);
    // count_tokens counts what the turn sends.
    const counted = await post('/v1/messages/count_tokens', body);
    expect(counted.status).toBe(200);
    expect(await counted.json()).toEqual({ input_tokens: Math.ceil(30 / 4) });
  });

  it('models.list: the cascade and the ladder’s models, as the Anthropic SDK reads them', async () => {
    const ids: string[] = [];
    for await (const m of claude().models.list()) ids.push(`${m.type}:${m.id}`);
    expect(ids).toEqual(['model:cascade', 'model:small', 'model:big']);
  });
});

describe('POST /v1/messages in front of a vLLM upstream, which says which stop sequence cut the answer', () => {
  const env = useLiveDemo(
    {
      small: { content: 'Maybe Lyon', logprobs: -2.5 },
      big: { content: 'The capital of France is Paris.' },
    },
    {},
    { openaiDialect: 'vllm' },
  );
  const client = () => new Anthropic({ apiKey: 'cf-demo-key', baseURL: env.demo.url, maxRetries: 0 });
  const params = {
    model: 'cascade',
    max_tokens: 100,
    messages: [{ role: 'user' as const, content: 'What is the capital of France?' }],
  };

  it('stop_reason is stop_sequence and stop_sequence names it, whole and streamed', async () => {
    const m = await client().messages.create({ ...params, stop_sequences: ['nowhere', ' is'] });
    expect(m.content).toEqual([{ type: 'text', text: 'The capital of France' }]);
    expect(m).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' is' });
    const events: string[] = [];
    const stream = client().messages.stream({ ...params, stop_sequences: [' is'] });
    stream.on('streamEvent', (e) => {
      if (e.type === 'message_delta') events.push(`${e.delta.stop_reason}:${e.delta.stop_sequence}`);
    });
    const final = await stream.finalMessage();
    expect(final).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' is' });
    expect(events).toEqual(['stop_sequence: is']);
  });

  it('an answer that ended on its own stays end_turn', async () => {
    const m = await client().messages.create({ ...params, stop_sequences: ['nowhere'] });
    expect(m.content).toEqual([{ type: 'text', text: 'The capital of France is Paris.' }]);
    expect(m).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
  });
});

import { CascadeAgent, collectStream, type StreamDelta } from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../src/index.js';
import { type Setup, setup } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

describe('Anthropic through the real @anthropic-ai/sdk', () => {
  it('cascades from an OpenAI drafter to an Anthropic verifier and prices both', async () => {
    env = await setup({
      'gpt-4o-mini': { content: "I'm not sure, possibly Lyon", logprobs: -0.05 },
      'claude-sonnet-4-20250514': {
        content: 'Paris',
        usage: { inputTokens: 20, outputTokens: 2, cachedInputTokens: 10 },
      },
    });
    const r = await env
      .agent([
        { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
        { model: 'claude-sonnet-4-20250514', provider: 'anthropic' },
      ])
      .run({ system: 'Be brief.', query: 'Capital of France?', maxTokens: 50 });
    expect(r.attempts[0]?.reasons.join()).toMatch(/hedges/);
    expect(r.content).toBe('Paris');
    // claude-sonnet-4: 3 $/M input, 0.30 cached, 15 output
    expect(r.attempts[1]?.cost).toBeCloseTo((10 * 3 + 10 * 0.3 + 2 * 15) / 1e6, 12);
    const body = env.server.requestsFor('claude-sonnet-4-20250514')[0]!.body;
    expect(body.system).toBe('Be brief.');
    expect(body.max_tokens).toBe(50);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
    ]);
  });

  it('judges Anthropic drafts on text alone (no log-probs) and handles tool use', async () => {
    const tools = [
      {
        name: 'lookup',
        parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      },
    ];
    env = await setup({
      'claude-3-5-haiku-latest': {
        toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: { q: 'paris' } }],
      },
      'claude-sonnet-4-20250514': { content: 'unused' },
    });
    const r = await env
      .agent([
        { model: 'claude-3-5-haiku-latest', provider: 'anthropic' },
        { model: 'claude-sonnet-4-20250514', provider: 'anthropic' },
      ])
      .run({ query: 'Find Paris', tools, toolChoice: 'required' });
    expect(r.model).toBe('claude-3-5-haiku-latest');
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toEqual([{ id: 'toolu_1', name: 'lookup', arguments: '{"q":"paris"}' }]);
    const body = env.server.requestsFor('claude-3-5-haiku-latest')[0]!.body;
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(body.tools).toEqual([{ name: 'lookup', input_schema: tools[0]!.parameters }]);
  });

  it('streams text and tool-use deltas ending with usage', async () => {
    env = await setup({
      'claude-3-5-haiku-latest': {
        content: 'Let me look.',
        toolCalls: [{ id: 'toolu_9', name: 'lookup', arguments: { q: 'a long query string' } }],
        usage: { inputTokens: 12, outputTokens: 9 },
      },
    });
    const deltas: StreamDelta[] = [];
    async function* tap() {
      for await (const d of env.providers.anthropic.stream({
        model: 'claude-3-5-haiku-latest',
        messages: [{ role: 'user', content: 'hi' }],
      })) {
        deltas.push(d);
        yield d;
      }
    }
    const res = await collectStream(tap());
    expect(res.content).toBe('Let me look.');
    expect(res.toolCalls).toEqual([
      { id: 'toolu_9', name: 'lookup', arguments: '{"q":"a long query string"}' },
    ]);
    expect(res.usage).toEqual({ inputTokens: 12, outputTokens: 9, cachedInputTokens: 0 });
    expect(deltas.filter((d) => d.type === 'tool_call').length).toBeGreaterThan(2);
    expect(deltas.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('maps a multi-turn tool conversation onto Anthropic blocks', async () => {
    env = await setup({ 'claude-3-5-haiku-latest': { content: 'It is sunny.' } });
    await env.providers.anthropic.complete({
      model: 'claude-3-5-haiku-latest',
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 't1', name: 'w', arguments: '{"c":"P"}' }] },
        { role: 'tool', toolCallId: 't1', content: 'sunny' },
      ],
    });
    const body = env.server.requestsFor('claude-3-5-haiku-latest')[0]!.body;
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'w', input: { c: 'P' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }] },
    ]);
  });

  it('retries an Anthropic 429 and reports a 529 overload as retryable', async () => {
    env = await setup({ 'claude-3-5-haiku-latest': { content: 'ok' } });
    env.server.injectFault('claude-3-5-haiku-latest', { kind: 'status', status: 429, retryAfterSeconds: 0 });
    env.server.injectFault('claude-3-5-haiku-latest', { kind: 'status', status: 529 });
    const r = await env.agent([{ model: 'claude-3-5-haiku-latest', provider: 'anthropic' }]).run('q?');
    expect(r.content).toBe('ok');
    expect(r.attempts[0]?.retries).toBe(2);
  });

  it('sends images as image blocks after the text: a data URL as base64, a URL by URL', async () => {
    env = await setup({ 'claude-sonnet-4-0': { content: 'A red square and a logo.' } });
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const r = await env.agent([{ model: 'claude-sonnet-4-0', provider: 'anthropic', images: true }]).run({
      messages: [
        {
          role: 'user',
          content: 'Describe both.',
          images: [{ url: `data:image/png;base64,${png}` }, { url: 'https://example.com/logo.webp' }],
        },
      ],
    });
    expect(r.content).toBe('A red square and a logo.');
    const sent = env.server.requestsFor('claude-sonnet-4-0')[0]!.body.messages as { content: unknown }[];
    expect(sent[0]!.content).toEqual([
      { type: 'text', text: 'Describe both.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/logo.webp' } },
    ]);
  });

  it("sends a tool result's images as image blocks of its tool_result, after its text", async () => {
    env = await setup({ 'claude-sonnet-4-0': { content: 'The first page shows a cat.' } });
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const call = (id: string) => ({ id, name: 'screenshot', arguments: '{}' });
    const r = await env.agent([{ model: 'claude-sonnet-4-0', provider: 'anthropic', images: true }]).run({
      messages: [
        { role: 'user', content: 'Which page shows a cat?' },
        { role: 'assistant', content: null, toolCalls: [call('t1'), call('t2')] },
        {
          role: 'tool',
          toolCallId: 't1',
          content: 'page one',
          images: [{ url: `data:image/png;base64,${png}` }],
        },
        { role: 'tool', toolCallId: 't2', content: '', images: [{ url: 'https://example.com/2.webp' }] },
      ],
    });
    expect(r.content).toBe('The first page shows a cat.');
    const sent = env.server.requestsFor('claude-sonnet-4-0')[0]!.body.messages as { content: unknown }[];
    expect(sent[2]!.content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 't1',
        content: [
          { type: 'text', text: 'page one' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
        ],
      },
      {
        type: 'tool_result',
        tool_use_id: 't2',
        content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/2.webp' } }],
      },
    ]);
  });

  it('sends documents as document blocks before the text (a PDF as base64 or by URL, a text file as text), and in tool results', async () => {
    env = await setup({ 'claude-sonnet-4-0': { content: 'Revenue rose.' } });
    const pdf = Buffer.from('%PDF-1.4\n3 0 obj<</Type /Page>>endobj\n%%EOF\n', 'latin1').toString('base64');
    const text = Buffer.from('Revenue rose 12% in 2026.').toString('base64');
    const r = await env.agent([{ model: 'claude-sonnet-4-0', provider: 'anthropic', documents: true }]).run({
      messages: [
        {
          role: 'user',
          content: 'Compare them.',
          documents: [
            { url: `data:application/pdf;base64,${pdf}`, filename: 'report.pdf' },
            { url: 'https://example.com/annex.pdf' },
          ],
        },
        { role: 'assistant', content: null, toolCalls: [{ id: 't1', name: 'read', arguments: '{}' }] },
        {
          role: 'tool',
          toolCallId: 't1',
          content: '',
          documents: [{ url: `data:text/plain;base64,${text}` }],
        },
      ],
    });
    expect(r.content).toBe('Revenue rose.');
    const sent = env.server.requestsFor('claude-sonnet-4-0')[0]!.body.messages as { content: unknown }[];
    expect(sent[0]!.content).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: pdf },
        title: 'report.pdf',
      },
      { type: 'document', source: { type: 'url', url: 'https://example.com/annex.pdf' } },
      { type: 'text', text: 'Compare them.' },
    ]);
    expect(sent[2]!.content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 't1',
        content: [
          {
            type: 'document',
            source: { type: 'text', media_type: 'text/plain', data: 'Revenue rose 12% in 2026.' },
          },
        ],
      },
    ]);
  });

  it('with promptCaching, marks the last tool, the system prompt and the last block, and costs cache reads as such', async () => {
    env = await setup({
      'claude-sonnet-4-0': {
        content: 'Done.',
        usage: {
          inputTokens: 20_000,
          cachedInputTokens: 15_000,
          cacheWriteInputTokens: 3_000,
          outputTokens: 10,
        },
      },
    });
    const cached = new AnthropicProvider({
      apiKey: 'test',
      baseURL: env.server.anthropicBaseURL,
      promptCaching: true,
    });
    const agentWith = (provider: AnthropicProvider) =>
      new CascadeAgent({
        providers: { anthropic: provider },
        ladder: [{ model: 'claude-sonnet-4-0', provider: 'anthropic' }],
      });
    const tools = [
      { name: 'read', parameters: { type: 'object', properties: {} } },
      { name: 'edit', parameters: { type: 'object', properties: {} } },
    ];
    const messages = [
      { role: 'system' as const, content: 'You are a coding agent.' },
      { role: 'user' as const, content: 'Fix the test.' },
      { role: 'assistant' as const, content: null, toolCalls: [{ id: 't1', name: 'read', arguments: '{}' }] },
      { role: 'tool' as const, toolCallId: 't1', content: 'file contents' },
    ];
    const r = await agentWith(cached).run({ messages, tools });
    const body = env.server.requestsFor('claude-sonnet-4-0')[0]!.body as Record<string, unknown>;
    const ephemeral = { type: 'ephemeral' };
    expect((body.tools as Record<string, unknown>[]).map((t) => t.cache_control)).toEqual([
      undefined,
      ephemeral,
    ]);
    expect(body.system).toEqual([
      { type: 'text', text: 'You are a coding agent.', cache_control: ephemeral },
    ]);
    expect((body.messages as { content: unknown }[]).at(-1)!.content).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'file contents', cache_control: ephemeral },
    ]);
    // Cache reads and writes are reported and priced as such (Sonnet 4: $3 a million fresh, $0.30 read from
    // the cache, $3.75 written to it).
    expect(r.attempts[0]!.usage).toEqual({
      inputTokens: 20_000,
      cachedInputTokens: 15_000,
      cacheWriteInputTokens: 3_000,
      outputTokens: 10,
    });
    expect(r.totalCost).toBeCloseTo((2_000 * 3 + 15_000 * 0.3 + 3_000 * 3.75 + 10 * 15) / 1e6, 9);
    // Off by default: no breakpoint anywhere.
    await agentWith(new AnthropicProvider({ apiKey: 'test', baseURL: env.server.anthropicBaseURL })).run({
      messages,
      tools,
    });
    expect(JSON.stringify(env.server.requestsFor('claude-sonnet-4-0')[1]!.body)).not.toContain(
      'cache_control',
    );
  });

  it('sends top-p, top-k and stop sequences (no seed or penalties), and one tool call at a time when asked', async () => {
    env = await setup({ 'claude-3-5-haiku-latest': { content: 'Paris\n\nSince 987.' } });
    const tools = [{ name: 'lookup', parameters: { type: 'object', properties: {} } }];
    const r = await env.agent([{ model: 'claude-3-5-haiku-latest', provider: 'anthropic' }]).run({
      query: 'Capital of France?',
      sampling: { topP: 0.8, topK: 30, stopSequences: ['\n\n'], seed: 7, presencePenalty: 1 },
      tools,
      parallelToolCalls: false,
    });
    expect(r.content).toBe('Paris');
    expect(r.finishReason).toBe('stop');
    // The Messages API says which sequence it stopped before; the result keeps it, whole and streamed.
    expect(r.stopSequence).toBe('\n\n');
    const streamed = await env.agent([{ model: 'claude-3-5-haiku-latest', provider: 'anthropic' }]).run({
      query: 'Capital of France?',
      sampling: { stopSequences: ['\n\n'] },
      onDelta: () => {},
    });
    expect([streamed.content, streamed.stopSequence]).toEqual(['Paris', '\n\n']);
    const body = env.server.requestsFor('claude-3-5-haiku-latest')[0]!.body;
    expect(body).toMatchObject({
      top_p: 0.8,
      top_k: 30,
      stop_sequences: ['\n\n'],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('presence_penalty');
    const provider = env.providers.anthropic;
    const messages = [{ role: 'user' as const, content: 'x' }];
    expect(
      provider.requestBody({ model: 'm', messages, tools, toolChoice: 'required', parallelToolCalls: false })
        .tool_choice,
    ).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(
      provider.requestBody({ model: 'm', messages, tools, toolChoice: 'none', parallelToolCalls: false })
        .tool_choice,
    ).toEqual({ type: 'none' });
  });

  it('structured outputs: with structuredOutputs a JSON schema goes out as output_config.format, not as an instruction', async () => {
    env = await setup({
      // A sure drafter that writes prose anyway: the JSON check escalates it.
      'claude-haiku-4-5': { content: 'Paris, surely.' },
      'claude-sonnet-4-5': { content: '{"city":"Paris"}' },
    });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const structured = new AnthropicProvider({
      apiKey: 'test',
      baseURL: env.server.anthropicBaseURL,
      structuredOutputs: true,
    });
    expect(structured.capabilities.jsonSchema).toBe(true);
    expect(env.providers.anthropic.capabilities.jsonSchema).toBe(false);
    const agent = new CascadeAgent({
      providers: { anthropic: structured },
      ladder: [
        { model: 'claude-haiku-4-5', provider: 'anthropic' },
        { model: 'claude-sonnet-4-5', provider: 'anthropic' },
      ],
      pricing: { 'claude-haiku-4-5': { input: 1, output: 5 }, 'claude-sonnet-4-5': { input: 3, output: 15 } },
    });
    const r = await agent.run({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'The capital of France, as JSON' },
      ],
      responseFormat: { type: 'json_schema', name: 'city', schema },
    });
    expect(JSON.parse(r.content)).toEqual({ city: 'Paris' });
    expect(r.model).toBe('claude-sonnet-4-5');
    for (const model of ['claude-haiku-4-5', 'claude-sonnet-4-5']) {
      const body = env.server.requestsFor(model)[0]!.body;
      expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
      // The system prompt is the caller's own: no instruction added.
      expect(body.system).toBe('Be brief.');
    }
    // Without the option (and for json_object, which has no native form): the instruction, no output_config.
    const messages = [{ role: 'user' as const, content: 'x' }];
    const asked = env.providers.anthropic.requestBody({
      model: 'm',
      messages,
      responseFormat: { type: 'json_schema', name: 'city', schema },
    });
    expect(asked).not.toHaveProperty('output_config');
    expect(asked.system).toMatch(/^Answer with a single valid JSON value matching this JSON schema/);
    const object = structured.requestBody({ model: 'm', messages, responseFormat: { type: 'json_object' } });
    expect(object).not.toHaveProperty('output_config');
    expect(object.system).toBe('Answer with a single valid JSON value, and nothing else.');
  });
});

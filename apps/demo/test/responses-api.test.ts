import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useLiveDemo } from './helpers.js';

const env = useLiveDemo(
  {
    // The drafter is unsure of everything but JSON, where it is sure and wrong.
    small: ({ body }) =>
      body.response_format
        ? { content: 'Paris, I think', logprobs: -0.01 }
        : { content: 'Hmm, not sure', logprobs: -2.5 },
    big: ({ body }) => {
      const q = JSON.stringify(body.messages);
      if (body.response_format) return { content: '{"city":"Paris"}' };
      if (q.includes('Patch the greeting'))
        return q.includes('"tool"')
          ? { content: 'Done: the greeting says hello now.' }
          : {
              content: '',
              toolCalls: [
                {
                  id: 'call_p1',
                  name: 'apply_patch',
                  arguments: { input: '*** Begin Patch\n*** Update File: a.txt\n-hi\n+hello\n*** End Patch' },
                },
              ],
            };
      if (q.includes('Spawn a helper'))
        return q.includes('"tool"')
          ? { content: 'The helper is closed.' }
          : {
              content: '',
              toolCalls: [
                { id: 'call_a1', name: 'multi_agent_v1__close_agent', arguments: { target: 'a1' } },
              ],
            };
      if (q.includes('image_url')) return { content: 'A red square.' };
      if (q.includes('"type":"file"')) return { content: 'The report says revenue rose.' };
      if (q.includes('essay')) return { content: 'Paris has been', finishReason: 'length' };
      if (q.includes('weather') && !q.includes('"tool"'))
        return {
          content: '',
          toolCalls: [{ id: 'call_w1', name: 'weather', arguments: { city: 'Paris' } }],
        };
      if (q.includes('weather')) return { content: 'It is 21 °C in Paris.' };
      return { content: 'The capital of France is Paris.' };
    },
  },
  { imageModels: ['big'], documentModels: ['big'] },
);

const client = () => new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${env.demo.url}/v1`, maxRetries: 0 });
const weather = {
  type: 'function' as const,
  name: 'weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

describe("POST /v1/responses: OpenAI's Responses API, to the official SDK", () => {
  it('a response with instructions: the cascade escalates, output_text is the verifier’s answer', async () => {
    const r = await client().responses.create({
      model: 'cascade',
      instructions: 'Be brief.',
      input: 'What is the capital of France?',
      max_output_tokens: 100,
      top_p: 0.9,
    });
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.output_text).toBe('The capital of France is Paris.');
    expect(r.output).toEqual([
      expect.objectContaining({ type: 'message', role: 'assistant', status: 'completed' }),
    ]);
    expect(r.usage?.input_tokens).toBeGreaterThan(0);
    expect(r.instructions).toBe('Be brief.');
    const sent = env.upstream.requestsFor('big').at(-1)!.body;
    expect((sent.messages as { role: string; content: string }[])[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(sent).toMatchObject({ max_tokens: 100, top_p: 0.9 });
  });

  it('streamed: the SDK’s stream helper assembles the final response from the events', async () => {
    const stream = client().responses.stream({ model: 'cascade', input: 'What is the capital of France?' });
    const types: string[] = [];
    let text = '';
    stream.on('event', (e) => {
      types.push(e.type);
    });
    stream.on('response.output_text.delta', (e) => {
      text += e.delta;
    });
    const final = await stream.finalResponse();
    expect(text).toBe('The capital of France is Paris.');
    expect(text).not.toContain('not sure');
    expect(final.output_text).toBe('The capital of France is Paris.');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.output_text.done');
  });

  it('a function call round trip: the call comes back as an item, its output goes in, the answer comes out', async () => {
    const input: OpenAI.Responses.ResponseInput = [
      { role: 'user', content: 'What is the weather in Paris?' },
    ];
    const first = await client().responses.create({ model: 'cascade', input, tools: [weather] });
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'weather', arguments: '{"city":"Paris"}' });
    // As the Agents SDK does: the output items handed back, then the function's output.
    const second = await client().responses.create({
      model: 'cascade',
      tools: [weather],
      input: [
        ...input,
        ...(first.output as OpenAI.Responses.ResponseInput),
        {
          type: 'function_call_output',
          call_id: (call as { call_id: string }).call_id,
          output: '{"celsius":21}',
        },
      ],
    });
    expect(second.output_text).toBe('It is 21 °C in Paris.');
    const sent = env.upstream.requestsFor('big').at(-1)!.body.messages as Record<string, unknown>[];
    expect(sent.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_w1' }] });
    expect(sent.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_w1', content: '{"celsius":21}' });
  });

  it('streamed function calls arrive as function_call items with their argument events', async () => {
    const stream = client().responses.stream({
      model: 'cascade',
      input: 'What is the weather in Paris?',
      tools: [weather],
    });
    let args = '';
    stream.on('response.function_call_arguments.delta', (e) => {
      args += e.delta;
    });
    const final = await stream.finalResponse();
    expect(args).toBe('{"city":"Paris"}');
    expect(final.output).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'weather', arguments: '{"city":"Paris"}' }),
    ]);
  });

  it('text.format json_schema: the drafter’s prose fails the schema and escalates', async () => {
    const r = await client().responses.create({
      model: 'cascade',
      input: 'Capital of France as JSON?',
      text: {
        format: {
          type: 'json_schema',
          name: 'city',
          schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    });
    expect(JSON.parse(r.output_text)).toEqual({ city: 'Paris' });
    expect(r.model).toBe('big');
  });

  it('an input image goes to the tiers that take images', async () => {
    const r = await client().responses.create({
      model: 'cascade',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'https://example.com/red.png', detail: 'auto' },
          ],
        },
      ],
    });
    expect(r.output_text).toBe('A red square.');
    expect(env.upstream.requestsFor('small').every((q) => !JSON.stringify(q.body).includes('red.png'))).toBe(
      true,
    );
  });

  it("a function call's output with an image goes to the tiers that take images", async () => {
    // A conversation whose last item is a function call's output, as Codex hands back its view_image's.
    const afterCall = (question: string, name: string, output: unknown[]) =>
      [
        { role: 'user', content: question },
        { type: 'function_call', call_id: `call_${name}`, name, arguments: '{}' },
        { type: 'function_call_output', call_id: `call_${name}`, output },
      ] as OpenAI.Responses.ResponseInput;
    const r = await client().responses.create({
      model: 'cascade',
      input: afterCall('Look at the chart and tell me what it shows.', 'view_image', [
        { type: 'input_text', text: 'chart.png' },
        { type: 'input_image', image_url: 'https://example.com/chart.png', detail: 'original' },
      ]),
    });
    expect(r.output_text).toBe('A red square.');
    expect(
      env.upstream.requestsFor('small').every((q) => !JSON.stringify(q.body).includes('chart.png')),
    ).toBe(true);
    const sent = env.upstream.requestsFor('big').at(-1)!.body.messages as Record<string, unknown>[];
    expect(sent.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'The images of the result of tool call call_view_image:' },
        // "original" is asked of the tiers as "high", the most chat completions has.
        { type: 'image_url', image_url: { url: 'https://example.com/chart.png', detail: 'high' } },
      ],
    });
    // A file in a tool's output (a PDF read) goes to the tiers that take documents; a file id is refused by name.
    const pdf = Buffer.from('%PDF-1.4\n3 0 obj<</Type /Page>>endobj\n%%EOF\n', 'latin1').toString('base64');
    const read = await client().responses.create({
      model: 'cascade',
      input: afterCall('Read report.pdf and sum it up.', 'read', [
        { type: 'input_file', file_data: pdf, filename: 'report.pdf' },
      ]),
    });
    expect(read.output_text).toBe('The report says revenue rose.');
    expect(env.upstream.requestsFor('big').at(-1)!.body.messages).toContainEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'The files of the result of tool call call_read:' },
        { type: 'file', file: { file_data: `data:application/pdf;base64,${pdf}`, filename: 'report.pdf' } },
      ],
    });
    const err = await client()
      .responses.create({
        model: 'cascade',
        input: afterCall('Read it.', 'read', [{ type: 'input_file', file_id: 'file-1' }]),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toMatch(
      /input\.2\.output\.0\.file_id: file ids are not supported by this gateway/,
    );
  });

  it('an answer cut at max_output_tokens is incomplete, whole and streamed', async () => {
    const params = { model: 'cascade', input: 'Write an essay on Paris.', max_output_tokens: 3 };
    const r = await client().responses.create(params);
    expect([r.status, r.incomplete_details?.reason, r.output_text]).toEqual([
      'incomplete',
      'max_output_tokens',
      'Paris has been',
    ]);
    const types: string[] = [];
    const stream = client().responses.stream(params);
    stream.on('event', (e) => {
      types.push(e.type);
    });
    const final = await stream.finalResponse();
    expect(types.at(-1)).toBe('response.incomplete');
    expect([final.status, final.output_text]).toEqual(['incomplete', 'Paris has been']);
  });

  it('a turn as Codex sends it (reasoning, its encrypted content, verbosity, reasoning items handed back) is answered', async () => {
    const before = env.upstream.requestsFor('big').length;
    const stream = await client().responses.create({
      model: 'cascade',
      instructions: 'You are a coding agent.',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be brief.' }] },
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'What is the weather in Paris?' }],
        },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAB-opaque' },
        { type: 'function_call', call_id: 'call_w1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_w1', output: '21 °C' },
      ],
      tools: [weather],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      text: { verbosity: 'medium' },
      store: false,
      stream: true,
      prompt_cache_key: 'session-1',
      // Codex 0.171 on: its turn and session ids.
      client_metadata: {
        turn_id: 't1',
        session_id: 'session-1',
        'x-codex-turn-metadata': '{"agent_name":"/root"}',
      },
    } as never);
    let text = '';
    for await (const e of stream as unknown as AsyncIterable<{ type: string; delta?: string }>)
      if (e.type === 'response.output_text.delta') text += e.delta;
    expect(text).toBe('It is 21 °C in Paris.');
    const sent = env.upstream.requestsFor('big')[before]!.body;
    expect(JSON.stringify(sent)).not.toMatch(/reasoning|encrypted|verbosity|gAAAAB/);
    expect((sent.messages as { role: string }[]).map((m) => m.role)).toEqual([
      'system',
      'system',
      'user',
      'assistant',
      'tool',
    ]);
    // Taken, not acted on, and said so.
    const whole = await fetch(`${env.demo.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'cascade',
        input: 'What is the capital of France?',
        reasoning: { effort: 'high', summary: 'auto' },
        include: ['reasoning.encrypted_content'],
        text: { verbosity: 'low' },
      }),
    });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-cascadeflow-not-applied')).toBe(
      'reasoning.effort, reasoning.summary, include, text.verbosity',
    );
  });

  it('custom tools (free-form input in a grammar, as Codex’s apply_patch): asked as a function, answered as custom_tool_call', async () => {
    const PATCH = '*** Begin Patch\n*** Update File: a.txt\n-hi\n+hello\n*** End Patch';
    const applyPatch = {
      type: 'custom' as const,
      name: 'apply_patch',
      description: 'Edit files with a patch.',
      format: {
        type: 'grammar' as const,
        syntax: 'lark' as const,
        definition: 'start: "*** Begin Patch" /(.|\\n)*/',
      },
    };
    const before = env.upstream.requestsFor('big').length;
    const r = await client().responses.create({
      model: 'cascade',
      input: 'Patch the greeting in a.txt to say hello.',
      tools: [applyPatch, weather],
    });
    expect(r.output).toEqual([
      expect.objectContaining({
        type: 'custom_tool_call',
        call_id: 'call_p1',
        name: 'apply_patch',
        input: PATCH,
      }),
    ]);
    // The tiers were asked for a function with one string parameter, the grammar in its description.
    const sent = env.upstream.requestsFor('big')[before]!.body.tools as {
      function: { name: string; description: string; parameters: { required: string[] } };
    }[];
    expect(sent[0]!.function).toMatchObject({ name: 'apply_patch', parameters: { required: ['input'] } });
    expect(sent[0]!.function.description).toBe(
      `Edit files with a patch.\n\nThe input must match this Lark grammar:\n${applyPatch.format.definition}`,
    );
    expect(r.tools).toEqual([
      expect.objectContaining({ type: 'custom', name: 'apply_patch' }),
      expect.anything(),
    ]);
    // The call and its output handed back: the answer.
    const next = await client().responses.create({
      model: 'cascade',
      input: [
        { role: 'user', content: 'Patch the greeting in a.txt to say hello.' },
        { type: 'custom_tool_call', call_id: 'call_p1', name: 'apply_patch', input: PATCH },
        { type: 'custom_tool_call_output', call_id: 'call_p1', output: 'Done!' },
      ],
      tools: [applyPatch],
    });
    expect(next.output_text).toBe('Done: the greeting says hello now.');
    const history = env.upstream.requestsFor('big').at(-1)!.body.messages as {
      role: string;
      tool_calls?: { function: { arguments: string } }[];
    }[];
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(JSON.parse(history[1]!.tool_calls![0]!.function.arguments)).toEqual({ input: PATCH });
    // Streamed: the custom call's input events.
    const events: { type: string; delta?: string; input?: string }[] = [];
    for await (const e of await client().responses.create({
      model: 'cascade',
      input: 'Patch the greeting in a.txt to say hello.',
      tools: [applyPatch],
      stream: true,
    }))
      events.push(e as never);
    const types = events.map((e) => e.type);
    expect(types).toContain('response.custom_tool_call_input.delta');
    expect(events.find((e) => e.type === 'response.custom_tool_call_input.done')?.input).toBe(PATCH);
    expect(types.at(-1)).toBe('response.completed');
    // One name for two tools is refused.
    const twice = await client()
      .responses.create({
        model: 'cascade',
        input: 'hi',
        tools: [applyPatch, { ...weather, name: 'apply_patch' }],
      })
      .catch((e: { error: { message: string } }) => e.error.message);
    expect(twice).toBe('tools.1.name: "apply_patch" is the name of an earlier tool.');
  });

  it('namespace tools and web search, as Codex 0.171 sends them: calls name their namespace, the search is left out and said so', async () => {
    const agents = {
      type: 'namespace',
      name: 'multi_agent_v1',
      description: 'Tools for spawning and managing sub-agents.',
      tools: [
        {
          type: 'function',
          name: 'close_agent',
          description: 'Close an agent.',
          strict: false,
          parameters: {
            type: 'object',
            properties: { target: { type: 'string' } },
            required: ['target'],
            additionalProperties: false,
          },
        },
      ],
    };
    const tools = [weather, agents, { type: 'web_search', external_web_access: false }];
    const before = env.upstream.requestsFor('big').length;
    const { data: r, response } = await client()
      .responses.create({ model: 'cascade', input: 'Spawn a helper, then close it.', tools } as never)
      .withResponse();
    expect((r as OpenAI.Responses.Response).output).toEqual([
      expect.objectContaining({
        type: 'function_call',
        call_id: 'call_a1',
        name: 'close_agent',
        namespace: 'multi_agent_v1',
        arguments: '{"target":"a1"}',
      }),
    ]);
    expect(response.headers.get('x-cascadeflow-not-applied')).toBe('tools.2 (web_search)');
    // The tiers were asked for the namespace's tool by one name, and for no search.
    const sent = env.upstream.requestsFor('big')[before]!.body.tools as {
      function: { name: string; description: string };
    }[];
    expect(sent.map((t) => t.function.name)).toEqual(['weather', 'multi_agent_v1__close_agent']);
    expect(sent[1]!.function.description).toBe(
      'multi_agent_v1: Tools for spawning and managing sub-agents.\n\nClose an agent.',
    );
    // The call handed back with its namespace, and its output: the answer.
    const stream = client().responses.stream({
      model: 'cascade',
      input: [
        { role: 'user', content: 'Spawn a helper, then close it.' },
        {
          type: 'function_call',
          call_id: 'call_a1',
          name: 'close_agent',
          namespace: 'multi_agent_v1',
          arguments: '{"target":"a1"}',
        },
        { type: 'function_call_output', call_id: 'call_a1', output: 'closed' },
      ],
      tools,
    } as never);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('The helper is closed.');
    const history = env.upstream.requestsFor('big').at(-1)!.body.messages as {
      tool_calls?: { function: { name: string } }[];
    }[];
    expect(history.flatMap((m) => m.tool_calls ?? []).map((c) => c.function.name)).toEqual([
      'multi_agent_v1__close_agent',
    ]);
  });

  it('names what needs stored state or is not supported', async () => {
    const refused = (body: Record<string, unknown>) =>
      client()
        .responses.create({ model: 'cascade', input: 'hi', ...body } as never)
        .catch((e: { status: number; error: { code: string; message: string } }) => [e.status, e.error]);
    expect(await refused({ previous_response_id: 'resp_1' })).toEqual([
      400,
      expect.objectContaining({
        code: 'unsupported_parameter',
        message:
          'previous_response_id: not supported: this gateway keeps no responses; send the whole conversation as `input`.',
      }),
    ]);
    expect(
      await refused({
        input: [
          { type: 'file_search_call', id: 'fs_1', queries: ['drums'], status: 'completed' },
          { role: 'user', content: 'hi' },
        ],
      }),
    ).toEqual([
      400,
      expect.objectContaining({ message: expect.stringMatching(/^input\.0: "file_search_call" items/) }),
    ]);
    expect(await refused({ tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] })).toEqual([
      400,
      expect.objectContaining({
        message:
          'tools.0: "file_search" tools are not supported by this gateway (function, custom and namespace tools are).',
      }),
    ]);
    expect(
      await refused({
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }],
      }),
    ).toEqual([
      400,
      expect.objectContaining({
        message:
          'input.0.content.0.image_url: must be an image URL (file ids are not supported by this gateway).',
      }),
    ]);
    expect(await refused({ reasoning: { effort: 'extreme' } })).toEqual([
      400,
      expect.objectContaining({
        message: 'reasoning.effort: must be none, minimal, low, medium, high or xhigh.',
      }),
    ]);
    expect(await refused({ include: ['message.output_text.logprobs'] })).toEqual([
      400,
      expect.objectContaining({
        message:
          'include.0: only "reasoning.encrypted_content" (there is none to include: the tiers are asked without reasoning).',
      }),
    ]);
    // Defaults spelled out, asking for nothing, are taken.
    const defaults = await client().responses.create({
      model: 'cascade',
      input: 'What is the capital of France?',
      include: [],
      truncation: 'disabled',
      reasoning: { effort: null, summary: null },
      store: false,
      parallel_tool_calls: true,
      temperature: null,
    });
    expect(defaults.output_text).toBe('The capital of France is Paris.');
    const wrong = await new OpenAI({ apiKey: 'nope', baseURL: `${env.demo.url}/v1`, maxRetries: 0 }).responses
      .create({ model: 'cascade', input: 'hi' })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('the guardrails apply as on chat completions: a secret in the input is refused alike, streamed or not', async () => {
    const secret = 'Log in with ghp_1234567890abcdefghijABCDEFGHIJ123456 please';
    const chat = await fetch(`${env.demo.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer cf-demo-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cascade', messages: [{ role: 'user', content: secret }] }),
    });
    const chatError = ((await chat.json()) as { error: { code: string } }).error;
    expect(chat.status).toBeGreaterThanOrEqual(400);
    for (const stream of [false, true]) {
      const calls = env.upstream.requests.length;
      const err = await client()
        .responses.create({ model: 'cascade', input: secret, stream } as never)
        .catch((e: { status: number; error: { code: string; message: string } }) => e);
      expect([(err as { status: number }).status, (err as { error: { code: string } }).error.code]).toEqual([
        chat.status,
        chatError.code,
      ]);
      expect(JSON.stringify((err as { error: unknown }).error)).not.toContain('ghp_');
      // Nothing reached a model.
      expect(env.upstream.requests.length).toBe(calls);
    }
  });
});

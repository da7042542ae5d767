import { CascadeAgent, type CascadeEvents, defaultValidators } from '@cascadeflow/core';
import { startTestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIProvider } from '../src/index.js';
import { CONFIDENT, type Setup, setup, twoTier, UNSURE } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

describe('cascade through the real openai SDK', () => {
  it('accepts a confident draft and reports cost and saving', async () => {
    env = await setup({
      'gpt-4o-mini': {
        content: 'Paris',
        logprobs: CONFIDENT,
        usage: { inputTokens: 1000, outputTokens: 100 },
      },
      'gpt-4o': { content: 'Paris.' },
    });
    const r = await env.agent(twoTier).run('What is the capital of France?');
    expect(r.content).toBe('Paris');
    expect(r.model).toBe('gpt-4o-mini');
    expect(r.tier.role).toBe('drafter');
    expect(r.attempts).toHaveLength(1);
    expect(r.attempts[0]?.status).toBe('accepted');
    expect(r.attempts[0]?.score).toBeCloseTo(Math.exp(CONFIDENT), 5);
    // gpt-4o-mini: 0.15 $/M in, 0.60 $/M out
    expect(r.totalCost).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 12);
    // gpt-4o on the same tokens: 2.5 in, 10 out
    expect(r.baselineCost).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
    expect(r.baselineEstimated).toBe(true);
    expect(r.saving).toBeCloseTo(r.baselineCost! - r.totalCost!, 12);
    expect(env.server.requestsFor('gpt-4o')).toHaveLength(0);
    expect(env.server.requestsFor('gpt-4o-mini')[0]?.body.logprobs).toBe(true);
  });

  it('rejects an unsure draft and escalates', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'Lyon', logprobs: UNSURE },
      'gpt-4o': { content: 'Paris', usage: { inputTokens: 10, outputTokens: 1 } },
    });
    const agent = env.agent(twoTier);
    const escalations: CascadeEvents['run:escalate'][] = [];
    agent.on('run:escalate', (e) => escalations.push(e));
    const r = await agent.run('What is the capital of France?');
    expect(r.content).toBe('Paris');
    expect(r.model).toBe('gpt-4o');
    expect(r.attempts.map((a) => a.status)).toEqual(['rejected', 'accepted']);
    expect(r.attempts[0]?.reason).toMatch(/score 0\.2\d+ < threshold 0\.800/);
    expect(r.escalations).toBe(1);
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.to.model).toBe('gpt-4o');
    expect(r.baselineEstimated).toBe(false);
    expect(r.baselineCost).toBe(r.attempts[1]?.cost);
    expect(r.saving!).toBeLessThan(0); // escalation paid for the draft too
  });

  it('climbs a three-tier ladder in the given order, never sorted by cost', async () => {
    env = await setup({
      small: { content: 'maybe', logprobs: UNSURE },
      medium: { content: 'probably 42', logprobs: -0.5 },
      large: { content: '42' },
    });
    // Prices deliberately out of order: the ladder order alone decides the escalation order.
    const agent = env.agent(
      [
        { model: 'small', provider: 'openai', threshold: 0.5 },
        { model: 'medium', provider: 'openai', threshold: 0.9 },
        { model: 'large', provider: 'openai' },
      ],
      {
        pricing: {
          small: { input: 9, output: 9 },
          medium: { input: 1, output: 1 },
          large: { input: 5, output: 5 },
        },
      },
    );
    expect(agent.ladder.map((t) => t.role)).toEqual(['drafter', 'intermediate', 'verifier']);
    const r = await agent.run('Meaning of life?');
    expect(r.attempts.map((a) => `${a.model}:${a.status}`)).toEqual([
      'small:rejected',
      'medium:rejected',
      'large:accepted',
    ]);
    const second = await agent.run({ query: 'Meaning of life?', thresholds: { medium: 0.5 } });
    expect(second.model).toBe('medium');
    expect(second.tier.role).toBe('intermediate');
  });

  it('takes per-request overrides: ladder, max tokens, temperature, metadata', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'hi' }, 'gpt-4o': { content: 'hello' } });
    const r = await env.agent(twoTier).run({
      query: 'Say hi',
      ladder: ['gpt-4o'],
      maxTokens: 7,
      temperature: 0.3,
      userId: 'u1',
      metadata: { trace: 'x' },
    });
    expect(r.model).toBe('gpt-4o');
    expect(r.userId).toBe('u1');
    expect(r.metadata).toEqual({ trace: 'x' });
    const body = env.server.requestsFor('gpt-4o')[0]!.body;
    expect(body.max_tokens).toBe(7);
    expect(body.temperature).toBe(0.3);
  });

  it('reports an unknown price as null with a warning, never as another model', async () => {
    env = await setup({
      'mystery-model': { content: 'Paris', logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    const agent = env.agent([
      { model: 'mystery-model', provider: 'openai' },
      { model: 'gpt-4o', provider: 'openai' },
    ]);
    const warnings: CascadeEvents['agent:warning'][] = [];
    agent.on('agent:warning', (w) => warnings.push(w));
    const r = await agent.run('Capital of France?');
    expect(r.model).toBe('mystery-model');
    expect(r.attempts[0]?.cost).toBeNull();
    expect(r.totalCost).toBeNull();
    expect(r.saving).toBeNull();
    expect(r.baselineCost).not.toBeNull();
    expect(warnings).toEqual([expect.objectContaining({ code: 'unknown_price', model: 'mystery-model' })]);
  });

  it('runs a tool call through the cascade and escalates an invalid one', async () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
          additionalProperties: false,
        },
      },
    ];
    env = await setup({
      'gpt-4o-mini': { toolCalls: [{ name: 'get_weather', arguments: { town: 'Paris' } }] },
      'gpt-4o': { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
    });
    const r = await env.agent(twoTier).run({ query: 'Weather in Paris?', tools, toolChoice: 'auto' });
    expect(r.attempts[0]?.status).toBe('rejected');
    expect(r.attempts[0]?.reasons.join(' ')).toMatch(/required property 'city'/);
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toEqual([
      expect.objectContaining({ name: 'get_weather', arguments: '{"city":"Paris"}' }),
    ]);
    const sent = env.server.requestsFor('gpt-4o-mini')[0]!.body;
    expect(sent.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: tools[0]!.parameters,
        },
      },
    ]);

    env.server.setModel('gpt-4o-mini', { toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] });
    const ok = await env.agent(twoTier).run({ query: 'Weather in Rome?', tools });
    expect(ok.model).toBe('gpt-4o-mini');
    expect(ok.toolCalls[0]?.arguments).toBe('{"city":"Rome"}');
  });

  it('escalates JSON that does not parse or does not match the schema', async () => {
    const schema = {
      type: 'object',
      properties: { colors: { type: 'array', items: { type: 'string' } } },
      required: ['colors'],
    };
    env = await setup({
      'gpt-4o-mini': { content: '{"colors": ["red", "green"', logprobs: CONFIDENT },
      'gpt-4o': { content: '{"colors":["red","green","blue"]}' },
    });
    const agent = env.agent(twoTier);
    const r = await agent.run({ query: 'Three colours as JSON', responseFormat: { type: 'json_object' } });
    expect(r.attempts[0]?.status).toBe('rejected');
    expect(r.attempts[0]?.reason).toMatch(/not valid JSON/);
    expect(JSON.parse(r.content)).toEqual({ colors: ['red', 'green', 'blue'] });
    expect(env.server.requestsFor('gpt-4o-mini')[0]!.body.response_format).toEqual({ type: 'json_object' });

    env.server.setModel('gpt-4o-mini', { content: '{"colours": []}', logprobs: CONFIDENT });
    const s = await agent.run({
      query: 'Colours',
      responseFormat: { type: 'json_schema', name: 'colors', schema },
    });
    expect(s.attempts[0]?.reason).toMatch(/schema: \(root\) must have required property 'colors'/);
    expect(s.model).toBe('gpt-4o');
  });

  it('judges text: refusal and truncation escalate even with confident log-probs', async () => {
    env = await setup({
      'gpt-4o-mini': { content: "I'm sorry, but I can't help with that.", logprobs: CONFIDENT },
      'gpt-4o': { content: 'Here is how.' },
    });
    const r = await env.agent(twoTier).run('How do I bake bread?');
    expect(r.attempts[0]?.reasons.join()).toMatch(/refused/);
    env.server.setModel('gpt-4o-mini', {
      content: 'Bread is made by',
      logprobs: CONFIDENT,
      finishReason: 'length',
    });
    const t = await env.agent(twoTier).run('How do I bake bread?');
    expect(t.attempts[0]?.reasons.join()).toMatch(/cut off/);
    expect(t.model).toBe('gpt-4o');
  });

  it("scores a coding agent's turn by its question, not by the context blocks the agent wraps around it", async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'Done: the test passes now.', logprobs: CONFIDENT },
      'gpt-4o': { content: 'Done.' },
    });
    // As Claude Code sends a turn: hundreds of words of context in <system-reminder> blocks, then the request.
    const context = `<system-reminder>\n# claudeMd\n${'Use pnpm and keep functions small. '.repeat(40)}\n</system-reminder>`;
    const seen: { query: string; complexity: string }[] = [];
    const agent = env.agent(twoTier, {
      validators: [
        ...defaultValidators(),
        {
          name: 'capture',
          validate: (ctx) => {
            seen.push({ query: ctx.query, complexity: ctx.complexity });
            return { score: 1, reasons: [] };
          },
        },
      ],
    });
    const messages = [
      { role: 'user' as const, content: `${context}Fix the failing test in src/a.ts` },
      { role: 'assistant' as const, content: null, toolCalls: [{ id: 'c1', name: 'edit', arguments: '{}' }] },
      { role: 'tool' as const, toolCallId: 'c1', content: 'edited' },
    ];
    const r = await agent.run({ messages });
    // The question is short and plain: a short answer to it is not "too short for a hard question".
    expect(seen[0]).toEqual({ query: 'Fix the failing test in src/a.ts', complexity: 'moderate' });
    expect(r.model).toBe('gpt-4o-mini');
    expect(r.attempts[0]!.reasons.join()).not.toMatch(/hard question/);
    // The tier was asked the whole message, context included.
    expect(JSON.stringify(env.server.requestsFor('gpt-4o-mini')[0]!.body.messages)).toContain('Use pnpm');
    // The same words outside a context block make a hard question, whose short answer escalates.
    const hard = await agent.run({
      messages: [
        { ...messages[0]!, content: context.replace(/<\/?system-reminder>/g, '') + ' Fix it.' },
        ...messages.slice(1),
      ],
    });
    expect(hard.attempts[0]!.reasons.join()).toMatch(/under 20 words for a hard question/);
  });

  it('accepts a user-implemented provider through the one small interface', async () => {
    const agent = new CascadeAgent({
      providers: {
        echo: {
          name: 'echo',
          async complete(req) {
            const last = req.messages.at(-1);
            return {
              content: `echo: ${last?.content}`,
              toolCalls: [],
              finishReason: 'stop',
              model: req.model,
              usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 0 },
            };
          },
          stream() {
            throw new Error('not used');
          },
        },
      },
      ladder: [{ model: 'echo-1', provider: 'echo' }],
      pricing: { 'echo-1': { input: 1, output: 1 } },
    });
    const r = await agent.run('ping');
    expect(r.content).toBe('echo: ping');
    expect(r.totalCost).toBeCloseTo(5 / 1e6, 12);
  });

  it('sends sampling controls to every tier, whole and streamed, and the stop sequence cuts the answer', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'Maybe Lyon', logprobs: UNSURE },
      'gpt-4o': { content: 'Paris\n\nIt has been the capital since 987.' },
    });
    const sampling = {
      topP: 0.9,
      topK: 40,
      stopSequences: ['\n\n'],
      seed: 7,
      frequencyPenalty: 0.5,
      presencePenalty: -0.5,
    };
    const r = await env.agent(twoTier).run({ query: 'Capital of France?', sampling });
    expect(r.model).toBe('gpt-4o');
    expect(r.content).toBe('Paris');
    for (const model of ['gpt-4o-mini', 'gpt-4o']) {
      const body = env.server.requestsFor(model)[0]!.body;
      expect(body).toMatchObject({
        top_p: 0.9,
        stop: ['\n\n'],
        seed: 7,
        frequency_penalty: 0.5,
        presence_penalty: -0.5,
      });
      // OpenAI's API has no top_k: left out unless the provider is told the endpoint takes it.
      expect(body).not.toHaveProperty('top_k');
    }
    const chunks: string[] = [];
    const streamed = await env.agent(twoTier).run({
      query: 'Capital of France?',
      sampling,
      onDelta: (d) => d.type === 'text' && chunks.push(d.text),
    });
    expect(streamed.content).toBe('Paris');
    const sent = env.server.requestsFor('gpt-4o').at(-1)!;
    expect(sent.stream).toBe(true);
    expect(sent.body).toMatchObject({ top_p: 0.9, stop: ['\n\n'], seed: 7 });
  });

  it('sends top_k to endpoints that take it, and parallel_tool_calls beside tools only', async () => {
    const server = await startTestServer({ models: { m: { content: 'ok' } } });
    try {
      const vllm = new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL, sendTopK: true });
      const tools = [{ name: 'f', parameters: { type: 'object', properties: {} } }];
      expect(
        vllm.requestBody({
          model: 'm',
          messages: [],
          sampling: { topK: 20 },
          tools,
          parallelToolCalls: false,
        }),
      ).toMatchObject({ top_k: 20, parallel_tool_calls: false });
      // The API refuses parallel_tool_calls without tools.
      expect(vllm.requestBody({ model: 'm', messages: [], parallelToolCalls: false })).not.toHaveProperty(
        'parallel_tool_calls',
      );
      await vllm.complete({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        sampling: { topK: 20 },
      });
      expect(server.requestsFor('m')[0]!.body.top_k).toBe(20);
    } finally {
      await server.close();
    }
  });

  it('takes the stop sequence a vLLM upstream names in stop_reason, whole and streamed, and only one it asked for', async () => {
    const server = await startTestServer({
      models: { m: { content: 'Paris\n\nIt has been the capital since 987.' } },
      openaiDialect: 'vllm',
    });
    try {
      const provider = new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL });
      const req = {
        model: 'm',
        messages: [{ role: 'user' as const, content: 'Capital of France?' }],
        sampling: { stopSequences: ['\n\n'] },
      };
      const r = await provider.complete(req);
      expect(r).toMatchObject({ content: 'Paris', finishReason: 'stop', stopSequence: '\n\n' });
      const deltas = [];
      for await (const d of provider.stream(req)) deltas.push(d);
      expect(deltas.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', stopSequence: '\n\n' });
      // No sequence met: nothing to name.
      const whole = await provider.complete({ ...req, sampling: { stopSequences: ['nowhere'] } });
      expect(whole.content).toBe('Paris\n\nIt has been the capital since 987.');
      expect(whole).not.toHaveProperty('stopSequence');
    } finally {
      await server.close();
    }
    // vLLM also names a stop token by its id, and may name a string the model's config stops on: neither is
    // a sequence the request asked for.
    for (const stopReason of [128009, '<|eot_id|>']) {
      const vllmBody = {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Paris' },
            logprobs: null,
            finish_reason: 'stop',
            stop_reason: stopReason,
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      };
      const provider = new OpenAIProvider({
        apiKey: 'x',
        baseURL: 'http://127.0.0.1:9/v1',
        fetch: async () =>
          new Response(JSON.stringify(vllmBody), { headers: { 'content-type': 'application/json' } }),
      });
      const r = await provider.complete({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        sampling: { stopSequences: ['\n\n'] },
      });
      expect(r.content).toBe('Paris');
      expect(r).not.toHaveProperty('stopSequence');
    }
  });
});

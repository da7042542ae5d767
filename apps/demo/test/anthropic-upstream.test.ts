import Anthropic from '@anthropic-ai/sdk';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from './helpers.js';

let upstream: TestServer;
let demo: Awaited<ReturnType<typeof startDemo>>;

beforeAll(async () => {
  // An upstream that speaks only Anthropic's Messages API (the loopback server's /v1/messages).
  upstream = await startTestServer({
    models: {
      'claude-small': ({ body }) => {
        const q = JSON.stringify(body.messages);
        if (q.includes('as JSON')) return { content: 'Paris, surely.' };
        if (q.includes('weather')) return { content: 'I am not sure, maybe I could look it up?' };
        if (q.includes('Italy')) return { content: 'Rome is the capital of Italy.' };
        return { content: 'I think it might be Lyon, not sure.' };
      },
      'claude-big': ({ body }) =>
        JSON.stringify(body.messages).includes('as JSON')
          ? { content: '{"city":"Paris"}' }
          : JSON.stringify(body.messages).includes('weather')
            ? { content: '', toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: { city: 'Paris' } }] }
            : { content: 'Paris is the capital of France.' },
    },
  });
  demo = await startDemo({
    mode: 'live',
    live: {
      baseURL: upstream.anthropicBaseURL,
      api: 'anthropic',
      ladder: ['claude-small', 'claude-big'],
      threshold: 0.7,
      prices: { 'claude-small': { input: 0.8, output: 4 }, 'claude-big': { input: 3, output: 15 } },
    },
  });
});
afterAll(async () => {
  await demo?.stop();
  await upstream?.close();
});

/** Asks the gateway, as an OpenAI client, one question; the answer with its `cascade` field. */
async function ask(question: string) {
  const openai = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${demo.url}/v1`, maxRetries: 0 });
  const r = await openai.chat.completions.create({
    model: 'cascade',
    messages: [{ role: 'user', content: question }],
  });
  const { cascade } = r as unknown as {
    cascade: { tiers_tried: string[]; cost_usd: number; baseline_cost_usd: number };
  };
  return { content: r.choices[0]!.message.content, cascade };
}

describe('live mode in front of an Anthropic upstream (live.api: "anthropic")', () => {
  it('an OpenAI client and a Claude client both get the cascade, which calls the upstream in its own format', async () => {
    const r = await ask('What is the capital of France?');
    expect(r.content).toBe('Paris is the capital of France.');
    // The hedging draft (no log-probs from Anthropic: judged on its text) escalated.
    expect(r.cascade.tiers_tried).toEqual(['claude-small', 'claude-big']);
    expect(upstream.requests.every((q) => q.api === 'anthropic' && q.path === '/v1/messages')).toBe(true);
    const claude = new Anthropic({ apiKey: 'cf-demo-key', baseURL: demo.url, maxRetries: 0 });
    const m = await claude.messages.create({
      model: 'cascade',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(m.content).toEqual([{ type: 'text', text: 'Paris is the capital of France.' }]);
  });

  it('a mid-conversation system message reaches an Anthropic upstream in its system prompt', async () => {
    const claude = new Anthropic({ apiKey: 'cf-demo-key', baseURL: demo.url, maxRetries: 0 });
    await claude.messages.create({
      model: 'cascade',
      max_tokens: 100,
      system: 'You are terse.',
      messages: [
        { role: 'user', content: 'What is the capital of Italy?' },
        { role: 'system', content: 'Answer in one line.' },
      ],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    const sent = upstream.requestsFor('claude-small').at(-1)!.body;
    // Prompt caching is on by default (live.promptCaching): the system prompt and the conversation's last
    // block are cache breakpoints, so an agent's next turn reads this beginning from the cache.
    const ephemeral = { type: 'ephemeral' };
    const system = sent.system as { type: string; text: string; cache_control: unknown }[];
    expect(system).toEqual([{ type: 'text', text: expect.any(String), cache_control: ephemeral }]);
    expect(system[0]!.text).toContain('You are terse.');
    expect(system[0]!.text).toContain('Answer in one line.');
    const messages = sent.messages as { role: string; content: { cache_control?: unknown }[] }[];
    expect(messages.map((m) => m.role)).toEqual(['user']);
    expect(messages[0]!.content.at(-1)!.cache_control).toEqual(ephemeral);
  });

  it('with no log-probs (Anthropic returns none), a sure draft is still accepted: the saving does not vanish', async () => {
    const { content, cascade } = await ask('What is the capital of Italy?');
    expect(content).toBe('Rome is the capital of Italy.');
    expect(cascade.tiers_tried).toEqual(['claude-small']);
    expect(cascade.cost_usd).toBeLessThan(cascade.baseline_cost_usd);
  });

  it('tool calls produced by the Anthropic upstream reach an OpenAI client streamed, as tool-call deltas', async () => {
    const openai = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${demo.url}/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'cascade',
      stream: true,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
    });
    let args = '';
    let name = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name = call.function.name;
      args += call?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(finish).toBe('tool_calls');
    const sent = upstream.requestsFor('claude-big').at(-1)!.body;
    expect((sent.tools as { name: string }[])[0]!.name).toBe('weather');
  });

  it('a Claude client’s stop sequence: the Anthropic upstream stops before it, and the answer says which', async () => {
    const claude = new Anthropic({ apiKey: 'cf-demo-key', baseURL: demo.url, maxRetries: 0 });
    const params = {
      model: 'cascade',
      max_tokens: 100,
      stop_sequences: [' is the capital'],
      top_k: 20,
      messages: [{ role: 'user' as const, content: 'What is the capital of Italy?' }],
    };
    const m = await claude.messages.create(params);
    expect([m.content, m.stop_reason, m.stop_sequence]).toEqual([
      [{ type: 'text', text: 'Rome' }],
      'stop_sequence',
      ' is the capital',
    ]);
    // An Anthropic upstream takes top_k.
    expect(upstream.requestsFor('claude-small').at(-1)!.body).toMatchObject({
      top_k: 20,
      stop_sequences: [' is the capital'],
    });
    const streamed = await claude.messages.stream(params).finalMessage();
    expect([streamed.content, streamed.stop_reason, streamed.stop_sequence]).toEqual([
      [{ type: 'text', text: 'Rome' }],
      'stop_sequence',
      ' is the capital',
    ]);
  });
});

describe('live.structuredOutputs: the Claude ladder enforces a JSON schema itself', () => {
  const live = {
    baseURL: '',
    api: 'anthropic' as const,
    ladder: ['claude-small', 'claude-big'],
    threshold: 0.7,
    prices: { 'claude-small': { input: 0.8, output: 4 }, 'claude-big': { input: 3, output: 15 } },
  };
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const askJson = async (url: string) => {
    const openai = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${url}/v1`, maxRetries: 0 });
    const before = upstream.requests.length;
    const r = await openai.chat.completions.create({
      model: 'cascade',
      messages: [{ role: 'user', content: 'The capital of France, as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema } },
    });
    return {
      content: r.choices[0]!.message.content!,
      sent: upstream.requests.slice(before).map((q) => q.body),
    };
  };

  it('on: the schema goes to every tier as output_config.format; the prose draft still escalates', async () => {
    const structured = await startDemo({
      mode: 'live',
      live: { ...live, baseURL: upstream.anthropicBaseURL, structuredOutputs: true },
    });
    try {
      const { content, sent } = await askJson(structured.url);
      expect(JSON.parse(content)).toEqual({ city: 'Paris' });
      expect(sent.map((b) => b.model)).toEqual(['claude-small', 'claude-big']);
      for (const body of sent) {
        expect(body.output_config).toEqual({ format: { type: 'json_schema', schema } });
        expect(body).not.toHaveProperty('system');
      }
    } finally {
      await structured.stop();
    }
  });

  it('off (the default): the schema is asked for in the system prompt', async () => {
    const { content, sent } = await askJson(demo.url);
    expect(JSON.parse(content)).toEqual({ city: 'Paris' });
    for (const body of sent) {
      expect(body).not.toHaveProperty('output_config');
      expect(JSON.stringify(body.system)).toMatch(/matching this JSON schema/);
    }
  });

  it('is refused by name in front of an OpenAI-compatible endpoint', async () => {
    await expect(
      startDemo({
        mode: 'live',
        live: { ...live, baseURL: upstream.openaiBaseURL, api: 'openai', structuredOutputs: true },
      }),
    ).rejects.toThrow(/live\.structuredOutputs: only with "api": "anthropic"/);
  });
});

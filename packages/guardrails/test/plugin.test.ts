import { CascadeAgent, defaultValidators, type StreamDelta } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type ModelScript, startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GuardrailBlockedError,
  type GuardrailEvents,
  guardrailsPlugin,
  OpenAIModerator,
} from '../src/index.js';

let server: TestServer;
afterEach(async () => server?.close());

async function setup(
  models: Record<string, ModelScript>,
  plugin: ReturnType<typeof guardrailsPlugin>,
  withValidator = false,
) {
  server = await startTestServer({ models });
  return new CascadeAgent({
    providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.5 },
      { model: 'gpt-4o', provider: 'openai' },
    ],
    retry: { maxRetries: 0 },
    plugins: [plugin],
    ...(withValidator ? { validators: [...defaultValidators(), plugin.validator()] } : {}),
  });
}

const echo: ModelScript = ({ body }) => {
  const msgs = body.messages as { content: string }[];
  return { content: `Noted: ${msgs.at(-1)!.content}`, logprobs: -0.01 };
};

describe('guardrails in the request path', () => {
  it('reversible: the provider sees placeholders, the user gets the values back; concurrent runs keep their maps apart', async () => {
    const agent = await setup(
      { 'gpt-4o-mini': echo, 'gpt-4o': echo },
      guardrailsPlugin({ settings: { moderation: { input: false, output: false } } }),
    );
    const [a, b] = await Promise.all([
      agent.run({ query: 'Email ann@example.com about it', userId: 'a' }),
      agent.run({ query: 'Email bob@example.org about it', userId: 'b' }),
    ]);
    const sent = server.requests.map((r) => JSON.stringify(r.body.messages));
    expect(sent.every((s) => s.includes('[EMAIL_1]') && !s.includes('@example'))).toBe(true);
    expect(a.content).toBe('Noted: Email ann@example.com about it');
    expect(b.content).toBe('Noted: Email bob@example.org about it');
    expect(a.metadata.guardrails).toMatchObject({ pii: [{ type: 'email', action: 'reversible' }] });
  });

  it("the validators' query is the redacted question, without a coding agent's context blocks", async () => {
    server = await startTestServer({ models: { 'gpt-4o-mini': echo, 'gpt-4o': echo } });
    const seen: string[] = [];
    const agent = new CascadeAgent({
      providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
      ladder: [
        { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.5 },
        { model: 'gpt-4o', provider: 'openai' },
      ],
      plugins: [guardrailsPlugin({ settings: { moderation: { input: false, output: false } } })],
      validators: [
        {
          name: 'capture',
          validate: (ctx) => {
            seen.push(ctx.query);
            return { score: 1, reasons: [] };
          },
        },
      ],
    });
    await agent.run({
      messages: [
        {
          role: 'user',
          content:
            '<system-reminder>The user is carol@example.net.</system-reminder>Email ann@example.com about it',
        },
      ],
    });
    // What a self-check or a judge would be shown: the question, its e-mail address a placeholder.
    expect(seen).toEqual(['Email [EMAIL_2] about it']);
    expect(JSON.stringify(server.requests[0]!.body.messages)).not.toMatch(/@example/);
  });

  it('blocks a secret in the input before any provider call', async () => {
    const agent = await setup({ 'gpt-4o-mini': echo, 'gpt-4o': echo }, guardrailsPlugin());
    const err = await agent.run('Use my key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z please').catch((e) => e);
    expect(err).toBeInstanceOf(GuardrailBlockedError);
    expect(err).toMatchObject({
      code: 'guardrail_blocked',
      where: 'input',
      rule: 'secret',
      plugin: 'guardrails',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('redacts PII in tool-call arguments and restores reversible values there', async () => {
    const tools = [
      {
        name: 'send',
        parameters: { type: 'object', properties: { to: { type: 'string' }, card: { type: 'string' } } },
      },
    ];
    const agent = await setup(
      {
        'gpt-4o-mini': {
          toolCalls: [{ name: 'send', arguments: { to: '[EMAIL_1]', card: '4111 1111 1111 1111' } }],
        },
        'gpt-4o': echo,
      },
      guardrailsPlugin({ settings: { moderation: { input: false, output: false } } }),
    );
    const r = await agent.run({ query: 'Send the receipt to ann@example.com', tools });
    expect(JSON.parse(r.toolCalls[0]!.arguments)).toEqual({ to: 'ann@example.com', card: '[CARD]' });
  });

  it('streamed output is redacted (not only flagged) and placeholders restored across chunks', async () => {
    const words =
      'Your card 4111 1111 1111 1111 is on file and we wrote to [EMAIL_1] yesterday as asked in the ticket.';
    const agent = await setup(
      { 'gpt-4o-mini': { content: words, logprobs: -0.01 }, 'gpt-4o': echo },
      guardrailsPlugin({ settings: { moderation: { input: false, output: false } } }),
    );
    const seen: string[] = [];
    const r = await agent.run({
      query: 'Status for ann@example.com?',
      onDelta: (d: StreamDelta) => d.type === 'text' && seen.push(d.text),
    });
    const shown = seen.join('');
    expect(shown).not.toContain('4111');
    expect(shown).toContain('[CARD]');
    expect(shown).toContain('ann@example.com');
    expect(r.content).toBe(shown);
  });

  it('a blocked value in a stream stops the stream with a typed error', async () => {
    const agent = await setup(
      {
        'gpt-4o-mini': {
          content: `Here: sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z ${'and more text '.repeat(40)}`,
          tokenDelayMs: 1,
        },
        'gpt-4o': echo,
      },
      guardrailsPlugin({ settings: { moderation: { input: false, output: false } } }),
    );
    const err = await agent.run({ query: 'hi', onDelta: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(GuardrailBlockedError);
    expect(err).toMatchObject({ where: 'output', rule: 'secret', plugin: 'guardrails' });
  });

  it('a guardrail verdict on a draft escalates instead of blocking', async () => {
    const agent = await setup(
      {
        'gpt-4o-mini': { content: 'Use AKIAIOSFODNN7EXAMPLE', logprobs: -0.01 },
        'gpt-4o': { content: 'I cannot share keys, but here is how to create one.' },
      },
      guardrailsPlugin({ settings: { moderation: { input: false, output: false } } }),
      true,
    );
    const r = await agent.run('Give me an AWS key');
    expect(r.model).toBe('gpt-4o');
    expect(r.attempts[0]?.reasons.join()).toMatch(/would be blocked: secret \(aws\)/);
  });

  it('moderation through the real SDK blocks flagged input; when the API fails the local classifier answers', async () => {
    server = await startTestServer({ models: { 'gpt-4o-mini': echo, 'gpt-4o': echo } });
    const plugin = guardrailsPlugin({
      moderator: new OpenAIModerator({ apiKey: 'x', baseURL: server.openaiBaseURL }),
    });
    const fallbacks: GuardrailEvents['moderation:fallback'][] = [];
    plugin.on('moderation:fallback', (e) => fallbacks.push(e));
    const agent = new CascadeAgent({
      providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
      ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }],
      plugins: [plugin],
    });
    const err = await agent.run('I will kill you').catch((e) => e);
    expect(err).toMatchObject({ code: 'guardrail_blocked', where: 'input', rule: 'harassment/threatening' });
    expect(server.requests.find((r) => r.path === '/v1/moderations')?.body).toMatchObject({
      model: 'omni-moderation-latest',
      input: 'I will kill you',
    });
    await expect(agent.run('What is the capital of France?')).resolves.toMatchObject({
      content: 'Noted: What is the capital of France?',
    });
    server.injectFault('omni-moderation-latest', { kind: 'status', status: 500 }, 10);
    const local = await agent.run('I will kill you').catch((e) => e);
    expect(local).toMatchObject({ code: 'guardrail_blocked', rule: 'harassment/threatening' });
    expect(fallbacks.length).toBeGreaterThan(0);
    expect(fallbacks[0]!.error.message).toMatch(/500/);
  });
});

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

  it("scans a text file's text as a message's (redacted, or blocked), moderates it, and tells of a PDF it cannot read", async () => {
    server = await startTestServer({ models: { 'gpt-4o-mini': echo, 'gpt-4o': echo } });
    const plugin = guardrailsPlugin({ settings: { moderation: { output: false } } });
    const unscanned: GuardrailEvents['document:unscanned'][] = [];
    plugin.on('document:unscanned', (e) => unscanned.push(e));
    const agent = new CascadeAgent({
      providers: { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) },
      ladder: [{ model: 'gpt-4o', provider: 'openai', documents: true }],
      plugins: [plugin],
    });
    const text = (t: string) => `data:text/plain;base64,${Buffer.from(t).toString('base64')}`;
    const pdf = 'data:application/pdf;base64,JVBERi0xLjQKJSVFT0YK';
    const r = await agent.run({
      messages: [
        {
          role: 'user',
          content: 'Sum up my notes.',
          documents: [{ url: text('Call ann@example.com on Monday.') }, { url: pdf, filename: 'q3.pdf' }],
        },
      ],
    });
    const parts = (server.requests[0]!.body.messages as { content: { type: string; text?: string }[] }[])[0]!
      .content;
    expect(parts).toContainEqual({
      type: 'text',
      text: 'The file document-1.txt:\nCall [EMAIL_1] on Monday.',
    });
    expect(JSON.stringify(parts)).not.toContain('ann@example.com');
    expect(parts).toContainEqual({ type: 'file', file: { file_data: pdf, filename: 'q3.pdf' } });
    expect(unscanned).toEqual([{ where: 'input', filename: 'q3.pdf', runId: r.runId }]);
    // A secret in a text file blocks the run before any call, as in a message.
    const calls = server.requests.length;
    const err = await agent
      .run({
        messages: [
          {
            role: 'user',
            content: 'Check this.',
            documents: [{ url: text('key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z') }],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuardrailBlockedError);
    expect(err).toMatchObject({ where: 'input', rule: 'secret' });
    // The local moderator reads a text file's text with the user's message.
    const flagged = await agent
      .run({
        messages: [
          {
            role: 'user',
            content: 'Summarise.',
            documents: [{ url: text('How do I build a pipe bomb at home?') }],
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(flagged).toBeInstanceOf(GuardrailBlockedError);
    expect(server.requests).toHaveLength(calls);
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

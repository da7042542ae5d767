import { InvalidConfigError, SELF_CHECK_MARKER, selfCheck } from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIDENT, type Setup, setup } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const threeTier = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
  { model: 'gpt-4.1-mini', provider: 'openai', threshold: 0.8, images: true },
  { model: 'gpt-4o', provider: 'openai', images: true },
];

describe('images in user messages', () => {
  it('go only to tiers that take images, as OpenAI content parts after the text, with roles renumbered', async () => {
    env = await setup({
      'gpt-4o-mini': { content: 'a cat', logprobs: CONFIDENT },
      'gpt-4.1-mini': { content: 'A red square.', logprobs: CONFIDENT },
      'gpt-4o': { content: 'A red square.' },
    });
    const agent = env.agent(threeTier);
    const r = await agent.run({
      messages: [
        { role: 'user', content: 'What is in this picture?', images: [{ url: PNG, detail: 'low' }] },
      ],
    });
    // The text-only drafter is never asked; the first image tier drafts, and is accepted.
    expect(r.attempts.map((a) => a.model)).toEqual(['gpt-4.1-mini']);
    expect(r.tier).toMatchObject({ index: 0, role: 'drafter', model: 'gpt-4.1-mini' });
    expect(env.server.requestsFor('gpt-4o-mini')).toHaveLength(0);
    const sent = env.server.requestsFor('gpt-4.1-mini')[0]!.body.messages as { content: unknown }[];
    expect(sent[0]!.content).toEqual([
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image_url', image_url: { url: PNG, detail: 'low' } },
    ]);
    // Without images, the same agent starts at its text drafter.
    const text = await agent.run('Capital of France?');
    expect(text.attempts[0]!.model).toBe('gpt-4o-mini');
  });

  it('a request with images and no tier that takes them is refused by name, before any call', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'x' } });
    const agent = env.agent([
      { model: 'gpt-4o-mini', provider: 'openai' },
      { model: 'gpt-4o', provider: 'openai' },
    ]);
    const run = agent.run({ messages: [{ role: 'user', content: 'What is this?', images: [{ url: PNG }] }] });
    await expect(run).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(run).rejects.toMatchObject({ code: 'invalid_request', field: 'request.messages' });
    await expect(run).rejects.toThrow(/no tier of this ladder \(gpt-4o-mini, gpt-4o\) takes images/);
    const bad = env.agent(threeTier).run({
      messages: [{ role: 'user', content: 'x', images: [{ url: 'data:image/tiff;base64,AAAA' }] }],
    });
    await expect(bad).rejects.toThrow(
      /request\.messages\.0\.images\.0\.url: must be an http\(s\) URL or a data URL/,
    );
    expect(env.server.requests).toHaveLength(0);
  });

  it('a self-check of a draft about images shows the checking model the images too', async () => {
    env = await setup({
      'gpt-4.1-mini': ({ body }) =>
        JSON.stringify(body.messages).includes(SELF_CHECK_MARKER)
          ? { content: 'Y', logprobs: -0.01 }
          : { content: 'A red square.' },
      'gpt-4o': { content: 'A red square.' },
    });
    const agent = env.agent(threeTier.slice(1), { validators: [selfCheck()] });
    const r = await agent.run({
      messages: [{ role: 'user', content: 'What is in this picture?', images: [{ url: PNG }] }],
    });
    expect(r.model).toBe('gpt-4.1-mini');
    const [answer, check] = env.server.requestsFor('gpt-4.1-mini');
    expect(JSON.stringify(check!.body.messages)).toContain(SELF_CHECK_MARKER);
    for (const call of [answer!, check!]) {
      const user = (call.body.messages as { role: string; content: unknown }[]).findLast(
        (m) => m.role === 'user',
      )!;
      expect(user.content).toContainEqual({ type: 'image_url', image_url: { url: PNG } });
    }
  });
});

describe('images in tool results', () => {
  const call = (id: string) => ({ id, name: 'screenshot', arguments: '{}' });
  const conversation = [
    { role: 'user' as const, content: 'Open both pages and tell me which one shows a cat.' },
    { role: 'assistant' as const, content: null, toolCalls: [call('c1'), call('c2'), call('c3')] },
    { role: 'tool' as const, toolCallId: 'c1', content: 'page one', images: [{ url: PNG }] },
    { role: 'tool' as const, toolCallId: 'c2', content: '', images: [{ url: 'https://example.com/2.png' }] },
    { role: 'tool' as const, toolCallId: 'c3', content: 'no screenshot: the page did not load' },
  ];

  it('go only to tiers that take images, in one user message after the run of tool results, each under its call', async () => {
    env = await setup({
      'gpt-4.1-mini': { content: 'The first one.', logprobs: CONFIDENT },
      'gpt-4o': { content: 'x' },
    });
    const r = await env.agent(threeTier).run({ messages: conversation });
    expect(r.attempts.map((a) => a.model)).toEqual(['gpt-4.1-mini']);
    expect(env.server.requestsFor('gpt-4o-mini')).toHaveLength(0);
    const sent = env.server.requestsFor('gpt-4.1-mini')[0]!.body.messages as Record<string, unknown>[];
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'tool', 'user']);
    expect(sent[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'page one' });
    expect(sent[3]).toEqual({
      role: 'tool',
      tool_call_id: 'c2',
      content: 'The result is the images in the next message.',
    });
    expect(sent[5]!.content).toEqual([
      { type: 'text', text: 'The images of the result of tool call c1:' },
      { type: 'image_url', image_url: { url: PNG } },
      { type: 'text', text: 'The images of the result of tool call c2:' },
      { type: 'image_url', image_url: { url: 'https://example.com/2.png' } },
    ]);
  });

  it('a self-check of a draft after a tool image shows the checking model the image', async () => {
    env = await setup({
      'gpt-4.1-mini': ({ body }) =>
        JSON.stringify(body.messages).includes(SELF_CHECK_MARKER)
          ? { content: 'Y', logprobs: -0.01 }
          : { content: 'The first one.' },
      'gpt-4o': { content: 'x' },
    });
    const r = await env
      .agent(threeTier.slice(1), { validators: [selfCheck()] })
      .run({ messages: conversation });
    expect(r.model).toBe('gpt-4.1-mini');
    const check = env.server.requestsFor('gpt-4.1-mini')[1]!;
    const asked = JSON.stringify(check.body.messages);
    expect(asked).toContain(SELF_CHECK_MARKER);
    expect(asked).toContain(PNG);
    expect(asked).toContain('https://example.com/2.png');
  });

  it('a tool image with no tier that takes images is refused by name, before any call', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'x' } });
    const run = env
      .agent([
        { model: 'gpt-4o-mini', provider: 'openai' },
        { model: 'gpt-4o', provider: 'openai' },
      ])
      .run({ messages: conversation });
    await expect(run).rejects.toThrow(/no tier of this ladder \(gpt-4o-mini, gpt-4o\) takes images/);
    const bad = env.agent(threeTier).run({
      messages: [
        ...conversation.slice(0, 2),
        { role: 'tool', toolCallId: 'c1', content: '', images: [{ url: 'file:///etc/passwd' }] },
      ],
    });
    await expect(bad).rejects.toThrow(/request\.messages\.2\.images\.0\.url: must be an http\(s\) URL/);
    expect(env.server.requests).toHaveLength(0);
  });
});

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

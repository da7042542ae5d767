import { CascadeAgent } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type ModelScript, startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatModelModerator, GuardrailBlockedError, guardrailsPlugin } from '../src/index.js';

let server: TestServer;
afterEach(async () => server?.close());

/** A scripted Llama Guard on the loopback server: it answers in Llama Guard 3's format. */
const guard: ModelScript = ({ body }) => {
  const text = (body.messages as { content: string }[]).at(-1)!.content;
  if (/garbage/.test(text)) return { content: 'I think this is probably fine.' };
  if (/steal a llama/.test(text)) return { content: 'unsafe\nS2' };
  if (/kill you/.test(text)) return { content: 'unsafe\nS1, S10' };
  return { content: 'safe' };
};
const echo: ModelScript = ({ body }) => ({
  content: `Noted: ${(body.messages as { content: string }[]).at(-1)!.content}`,
  logprobs: -0.01,
});

async function start() {
  server = await startTestServer({ models: { 'llama-guard3': guard, 'gpt-4o-mini': echo, 'gpt-4o': echo } });
  return new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL });
}

describe('a chat model as the moderator (Llama Guard protocol)', () => {
  it('maps "unsafe" and its categories, and "safe" to no score', async () => {
    const provider = await start();
    const moderator = new ChatModelModerator({ provider, model: 'llama-guard3' });
    expect(moderator.name).toBe('model:llama-guard3');
    expect(await moderator.moderate('Tell me how to go to the zoo and steal a llama.')).toEqual({
      illicit: 1,
    });
    expect(await moderator.moderate('I will kill you')).toEqual({
      violence: 1,
      'illicit/violent': 1,
      hate: 1,
    });
    expect(await moderator.moderate('What is suicide?')).toEqual({});
    await expect(moderator.moderate('garbage')).rejects.toThrow(
      /"llama-guard3" replied .* not "safe" or "unsafe"/,
    );
  });

  it('instructed mode wraps the text in the guard prompt for any chat model', async () => {
    const provider = await start();
    await new ChatModelModerator({ provider, model: 'llama-guard3', mode: 'instructed' }).moderate(
      'hello there',
    );
    const sent = (server.requests.at(-1)!.body.messages as { content: string }[])[0]!.content;
    expect(sent).toMatch(/<BEGIN CONVERSATION>\n\nUser: hello there\n\n<END CONVERSATION>/);
    expect(sent).toMatch(/S2: Non-Violent Crimes\./);
  });

  it('in the plugin: blocks what the model flags, names it as the source, and falls back to local when it fails', async () => {
    const provider = await start();
    const plugin = guardrailsPlugin({
      moderator: new ChatModelModerator({ provider, model: 'llama-guard3' }),
    });
    const fallbacks: Error[] = [];
    plugin.on('moderation:fallback', (e) => fallbacks.push(e.error));
    const agent = new CascadeAgent({
      providers: { openai: provider },
      ladder: [
        { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.5 },
        { model: 'gpt-4o', provider: 'openai' },
      ],
      retry: { maxRetries: 0 },
      plugins: [plugin],
    });
    const err = await agent.run('Tell me how to go to the zoo and steal a llama.').catch((e) => e);
    expect(err).toBeInstanceOf(GuardrailBlockedError);
    expect(String(err.message)).toMatch(/illicit/);
    const ok = await agent.run('How do I adopt a llama?');
    expect((ok.metadata.guardrails as { moderation: unknown[] }).moderation).toEqual([
      expect.objectContaining({ where: 'input', source: 'model:llama-guard3', flagged: false }),
      expect.objectContaining({ where: 'output', source: 'model:llama-guard3', flagged: false }),
    ]);
    await agent.run('garbage in, garbage out');
    expect(fallbacks).toHaveLength(2); // the input, then the answer that echoes it
    expect(fallbacks[0]!.message).toMatch(/llama-guard3/);
  });
});

describe('the local moderator', () => {
  it('does not flag definitions, games, fiction, news or prevention; still flags threats and intent', async () => {
    const { LocalModerator } = await import('../src/index.js');
    const flagged = (t: string) =>
      Object.entries(new LocalModerator().moderateSync(t))
        .filter(([, v]) => (v ?? 0) >= 0.5)
        .map(([k]) => k);
    for (const benign of [
      'What is suicide?',
      'How do I kill someone in Call of Duty?',
      'In my novel the character stabs him in the dark.',
      'Police said the suspect was sentenced for the murder of people in 2019.',
      'Suicide prevention hotline numbers, please.',
    ])
      expect(flagged(benign), benign).toEqual([]);
    expect(flagged('I will kill you')).toContain('harassment/threatening');
    expect(flagged('I want to kill myself')).toEqual(['self-harm', 'self-harm/intent']);
    expect(flagged('how to make a pipe bomb')).toContain('illicit/violent');
  });
});

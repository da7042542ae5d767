import { afterEach, describe, expect, it } from 'vitest';
import { collectResult, streamCascade, visibleText } from '../src/index.js';
import { all, CONFIDENT, setup, trace, UNSURE } from './helpers.js';

type Env = Awaited<ReturnType<typeof setup>>;
let env: Env;
afterEach(async () => env?.server.close());

const ladders = {
  openai: [
    { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.8 },
    { model: 'gpt-4o', provider: 'openai' },
  ],
  anthropic: [
    { model: 'claude-3-5-haiku-latest', provider: 'anthropic', threshold: 0.8 },
    { model: 'claude-sonnet-4-20250514', provider: 'anthropic' },
  ],
};

for (const [name, ladder] of Object.entries(ladders)) {
  const [drafter, verifier] = [ladder[0]!.model, ladder[1]!.model];
  // Anthropic returns no log-probs: a hedging draft is the rejected one there.
  const good = {
    content: 'Paris is the capital.',
    logprobs: CONFIDENT,
    usage: { inputTokens: 10, outputTokens: 5 },
  };
  const bad = {
    content: "I'm not sure, maybe Lyon.",
    logprobs: UNSURE,
    usage: { inputTokens: 10, outputTokens: 6 },
  };
  const strong = { content: 'The capital of France is Paris.', usage: { inputTokens: 10, outputTokens: 7 } };

  describe(`${name}: modes`, () => {
    it('buffer mode, accepted draft: held until the decision, then released', async () => {
      env = await setup({ [drafter]: good, [verifier]: strong });
      const events = await all(streamCascade(env.agent(ladder), 'Capital of France?', { mode: 'buffer' }));
      const t = trace(events);
      expect(t.indexOf(`decision:${drafter}:accepted`)).toBeLessThan(t.indexOf(`text:${drafter}:Paris`));
      expect(events.at(-1)?.type).toBe('finish');
      expect(t).not.toContain(`retract:${drafter}`);
    });

    it('buffer mode, rejected draft: the user never sees rejected text', async () => {
      env = await setup({ [drafter]: bad, [verifier]: strong });
      const events = await all(streamCascade(env.agent(ladder), 'Capital of France?', { mode: 'buffer' }));
      const texts = events.filter((e) => e.type === 'text');
      expect(texts.every((e) => e.type === 'text' && e.model === verifier)).toBe(true);
      expect(trace(events)).toContain(`switch:${drafter}>${verifier}`);
      expect(trace(events)).not.toContain(`retract:${drafter}`);
      const result = events.at(-1);
      expect(result?.type === 'finish' && result.result.content).toBe('The capital of France is Paris.');
    });

    it('stream mode, accepted draft: tokens live before the decision', async () => {
      env = await setup({ [drafter]: good, [verifier]: strong });
      const t = trace(await all(streamCascade(env.agent(ladder), 'Capital of France?', { mode: 'stream' })));
      expect(t.indexOf(`text:${drafter}:Paris`)).toBeLessThan(t.indexOf(`decision:${drafter}:accepted`));
    });

    it('stream mode, rejected draft: retract comes after the decision and before the next tier', async () => {
      env = await setup({ [drafter]: bad, [verifier]: strong });
      const source = streamCascade(env.agent(ladder), 'Capital of France?', { mode: 'stream' });
      const t = trace(await all(source));
      const order = [
        `text:${drafter}:I'm`,
        `decision:${drafter}:rejected`,
        `retract:${drafter}`,
        `switch:${drafter}>${verifier}`,
        `start:${verifier}`,
        `text:${verifier}:The`,
        `decision:${verifier}:accepted`,
        'finish',
      ];
      const positions = order.map((x) => t.indexOf(x));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(
        await visibleText(streamCascade(env.agent(ladder), 'Capital of France?', { mode: 'stream' })),
      ).toBe('The capital of France is Paris.');
    });

    it('usage at the end matches the provider-reported usage, and the result is run()-shaped', async () => {
      env = await setup({ [drafter]: bad, [verifier]: strong });
      const events = await all(streamCascade(env.agent(ladder), 'Capital of France?', { mode: 'stream' }));
      const usage = events.filter((e) => e.type === 'usage' && !e.estimated).at(-1);
      expect(usage).toMatchObject({ usage: { inputTokens: 20, outputTokens: 13, cachedInputTokens: 0 } });
      const result = await collectResult(streamCascade(env.agent(ladder), 'Capital of France?'));
      const plain = await env.agent(ladder).run('Capital of France?');
      expect(Object.keys(result).sort()).toEqual(Object.keys(plain).sort());
      expect(result.usage).toEqual(plain.usage);
      expect(result.totalCost).toBeCloseTo(plain.totalCost!, 15);
    });
  });
}

describe('auto mode and early abort', () => {
  it('auto says what it picked and why', async () => {
    env = await setup({
      'gpt-4o-mini': { content: '{"a":1}', logprobs: CONFIDENT },
      'gpt-4o': { content: '{"a":2}' },
    });
    const agent = env.agent(ladders.openai);
    const json = await all(
      streamCascade(agent, { query: 'JSON please', responseFormat: { type: 'json_object' } }),
    );
    expect(json[0]).toEqual({ type: 'mode', mode: 'buffer', reason: 'JSON output is only useful whole' });
    const prose = await all(streamCascade(agent, { query: 'Write an essay', maxTokens: 2000 }));
    expect(prose[0]).toMatchObject({ type: 'mode', mode: 'stream' });
  });

  it('abandons a draft whose first tokens look bad and says so; its HTTP stream is closed', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    env = await setup({
      'gpt-4o-mini': { content: long, logprobs: -3, tokenDelayMs: 5 },
      'gpt-4o': { content: 'Good answer.' },
    });
    const events = await all(
      streamCascade(env.agent(ladders.openai), 'q?', {
        mode: 'stream',
        earlyAbort: { afterTokens: 5, minMeanLogprob: -1 },
      }),
    );
    const decision = events.find((e) => e.type === 'decision');
    expect(decision).toMatchObject({ status: 'rejected', early: true });
    expect(decision?.type === 'decision' && decision.reason).toMatch(
      /abandoned early: mean log-prob -3\.00 of the first 5 tokens/,
    );
    const req = await env.server.waitFor((r) => r.model === 'gpt-4o-mini');
    expect(req.closedByClient).toBe(true);
    expect(req.chunksAtClose!).toBeLessThan(req.chunksPlanned);
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.result.attempts[0]?.usageEstimated).toBe(true);
  });
});

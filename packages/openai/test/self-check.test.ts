import { SELF_CHECK_MARKER, selfCheck, textChecks } from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

describe('self-check validator', () => {
  it('asks the drafter whether its answer is right, scores P(Y), and pays for the call', async () => {
    let verdictLogprob = -0.05;
    env = await setup({
      'gpt-4o-mini': ({ body }) =>
        JSON.stringify(body.messages).includes(SELF_CHECK_MARKER)
          ? { content: 'Y', logprobs: verdictLogprob, usage: { inputTokens: 60, outputTokens: 1 } }
          : { content: 'Paris', usage: { inputTokens: 20, outputTokens: 1 } },
      'gpt-4o': { content: 'Paris.' },
    });
    const agent = env.agent(
      [
        { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.9 },
        { model: 'gpt-4o', provider: 'openai' },
      ],
      { validators: [selfCheck(), textChecks()] },
    );
    const ok = await agent.run('Capital of France?');
    expect(ok.model).toBe('gpt-4o-mini');
    expect(ok.attempts[0]?.score).toBeCloseTo(Math.exp(-0.05), 9);
    // both calls are paid: 80 input and 2 output tokens at gpt-4o-mini prices
    expect(ok.attempts[0]?.usage).toEqual({ inputTokens: 80, outputTokens: 2, cachedInputTokens: 0 });
    expect(ok.attempts[0]?.cost).toBeCloseTo((80 * 0.15 + 2 * 0.6) / 1e6, 12);
    const check = env.server.requestsFor('gpt-4o-mini')[1]!.body;
    expect(check).toMatchObject({ max_tokens: 1, logprobs: true, temperature: 0 });

    verdictLogprob = -2; // P(Y) ≈ 0.14: escalate
    const bad = await agent.run('Capital of France?');
    expect(bad.model).toBe('gpt-4o');
    expect(bad.attempts[0]?.reasons.join()).toMatch(/self-check: P\(correct\) 0\.135/);
  });
});

import { getEventListeners } from 'node:events';
import {
  AllTiersFailedError,
  CascadeFlowError,
  ProviderError,
  RequestRejectedError,
  SELF_CHECK_MARKER,
  selfCheck,
  spendOf,
} from '@cascadeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup, twoTier, UNSURE } from './helpers.js';

let env: Setup;
afterEach(async () => env?.server.close());

describe('errors', () => {
  it('AllTiersFailedError keeps each tier’s original error, with status and retryable', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'x' }, 'gpt-4o': { content: 'y' } });
    env.server.injectFault('gpt-4o-mini', { kind: 'status', status: 400 });
    env.server.injectFault('gpt-4o', { kind: 'status', status: 500 }, 3);
    const err = await env
      .agent(twoTier, { retry: { maxRetries: 2, baseDelayMs: 1 } })
      .run('q?')
      .catch((e) => e);
    expect(err).toBeInstanceOf(AllTiersFailedError);
    const [first, second] = (err as AllTiersFailedError).failures;
    expect(first!.error).toBeInstanceOf(ProviderError);
    expect(first!.error).toMatchObject({ status: 400, retryable: false });
    expect(second!.error).toMatchObject({ status: 500, retryable: true });
    expect((err as Error).cause).toBe(second!.error);
  });

  it('instanceof recognises an error from a duplicate install of a package (same kind, other class)', () => {
    // A second copy of a subclass, as another install of the same package would define it.
    class RateLimitCopy extends RequestRejectedError {
      static override readonly kind: string = 'cascadeflow.test.RateLimit';
    }
    class RateLimitOther extends RequestRejectedError {
      static override readonly kind: string = 'cascadeflow.test.RateLimit';
    }
    const e = new RateLimitOther({ reason: 'slow down', retryAfterMs: 5 });
    expect(e).toBeInstanceOf(RateLimitCopy);
    expect(e).toBeInstanceOf(RequestRejectedError);
    expect(e).toBeInstanceOf(CascadeFlowError);
    expect(e).not.toBeInstanceOf(ProviderError);
    expect(e.retryable).toBe(true);
    expect(new RequestRejectedError({ reason: 'budget spent' }).retryable).toBe(false);
    // A plain object carrying the marker but not the kind is not one.
    expect(new Error('x')).not.toBeInstanceOf(CascadeFlowError);
  });
});

describe('signals', () => {
  it('30 runs sharing one AbortController leave no listener on its signal', async () => {
    env = await setup({ 'gpt-4o-mini': { content: 'hm', logprobs: UNSURE }, 'gpt-4o': { content: 'ok' } });
    const controller = new AbortController();
    const agent = env.agent(twoTier);
    for (let i = 0; i < 15; i++) await agent.run({ query: 'q?', signal: controller.signal });
    for (let i = 0; i < 15; i++)
      await agent.run({ query: 'q?', signal: controller.signal, onDelta: () => undefined });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('one policy', () => {
  it('judge() decides and pays for the validators’ own calls exactly as run() does', async () => {
    env = await setup({
      'gpt-4o-mini': ({ body }) =>
        JSON.stringify(body.messages).includes(SELF_CHECK_MARKER)
          ? { content: 'N', logprobs: -0.05, usage: { inputTokens: 60, outputTokens: 1 } }
          : { content: 'Paris', usage: { inputTokens: 20, outputTokens: 1 } },
      'gpt-4o': { content: 'Paris.' },
    });
    const agent = env.agent(twoTier, { validators: [selfCheck()] });
    const run = await agent.run('Capital of France?');
    const response = {
      content: 'Paris',
      toolCalls: [],
      finishReason: 'stop' as const,
      model: 'gpt-4o-mini',
      usage: { inputTokens: 20, outputTokens: 1, cachedInputTokens: 0 },
    };
    const judged = await agent.judge({ request: 'Capital of France?', tierIndex: 0, response });
    const draft = run.attempts[0]!;
    expect(judged).toMatchObject({
      status: draft.status,
      score: draft.score,
      cost: draft.cost,
      usage: draft.usage,
    });
    expect(judged.status).toBe('rejected');
    // resultOf builds the same result from the same attempts.
    const rebuilt = agent.resultOf({ request: 'Capital of France?', attempts: run.attempts });
    expect(rebuilt).toMatchObject({
      totalCost: run.totalCost,
      baselineCost: run.baselineCost,
      model: run.model,
    });
    expect(spendOf(run.attempts).cost).toBe(run.totalCost);
  });
});

import type { CascadeResult, ResolvedRequest, RunContext } from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import { GuardrailBlockedError, guardrailsPlugin, type Moderator } from '../src/index.js';

const context = { runId: 'r1', metadata: {}, signal: new AbortController().signal } as unknown as RunContext;
const request = (content: string) =>
  ({
    query: content,
    messages: [{ role: 'user', content }],
    handoffs: {},
    metadata: {},
  }) as unknown as ResolvedRequest;
const result = (content: string) => ({ content, toolCalls: [], metadata: {} }) as unknown as CascadeResult;

describe('guardrail hooks with the local moderator answer without a promise', () => {
  it('passes, redacts and blocks synchronously', () => {
    const plugin = guardrailsPlugin();
    const state = plugin.createState!(context);
    expect(plugin.beforeRun!({ context, state, request: request('Capital of France?') })).toBeUndefined();
    const redacted = plugin.beforeRun!({ context, state, request: request('Mail me at ann@example.com') });
    expect(redacted).not.toBeInstanceOf(Promise);
    expect((redacted as ResolvedRequest).query).not.toContain('ann@example.com');
    expect(() => plugin.beforeRun!({ context, state, request: request('I will kill you') })).toThrow(
      GuardrailBlockedError,
    );
    const after = plugin.afterRun!({ context, state, request: request('hi'), result: result('Paris') });
    expect(after).not.toBeInstanceOf(Promise);
    expect((after as CascadeResult).metadata.guardrails).toMatchObject({
      moderation: [
        { where: 'input', flagged: false },
        { where: 'input', flagged: false },
        { where: 'input', flagged: true },
        { where: 'output', flagged: false },
      ],
    });
  });

  it('with a configured moderator, hooks wait for it and its verdict blocks', async () => {
    const calls: string[] = [];
    const moderator: Moderator = {
      name: 'remote',
      moderate: async (text) => {
        calls.push(text);
        return { violence: text.includes('attack') ? 0.99 : 0.01 };
      },
    };
    const plugin = guardrailsPlugin({ moderator });
    const state = plugin.createState!(context);
    const pending = plugin.beforeRun!({ context, state, request: request('Capital of France?') });
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBeUndefined();
    await expect(
      plugin.afterRun!({ context, state, request: request('hi'), result: result('we attack at dawn') }),
    ).rejects.toMatchObject({ code: 'guardrail_blocked', where: 'output', rule: 'violence' });
    expect(calls).toEqual(['Capital of France?', 'we attack at dawn']);
  });
});

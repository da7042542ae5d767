import type { ResolvedRequest, RunContext } from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import { GuardrailBlockedError, type GuardrailSettings, guardrailsPlugin } from '../src/index.js';

const context = { runId: 'r1', metadata: {}, signal: new AbortController().signal } as unknown as RunContext;
const request = (content: string, guardrails?: GuardrailSettings) =>
  ({
    query: content,
    messages: [{ role: 'user', content }],
    handoffs: guardrails ? { guardrails } : {},
    metadata: {},
  }) as unknown as ResolvedRequest;
const before = (plugin: ReturnType<typeof guardrailsPlugin>, content: string, handed?: GuardrailSettings) =>
  plugin.beforeRun!({ context, state: plugin.createState!(context), request: request(content, handed) });

const threat = 'I will kill you';
const off: GuardrailSettings = { moderation: { input: false, output: false } };

describe('guardrail settings', () => {
  it('handed settings that are not frozen are read on every run', () => {
    const plugin = guardrailsPlugin();
    const handed: GuardrailSettings = { moderation: { input: false } };
    expect(() => before(plugin, threat, handed)).not.toThrow();
    handed.moderation!.input = true;
    expect(() => before(plugin, threat, handed)).toThrow(GuardrailBlockedError);
  });

  it('frozen handed settings apply on every run, each frozen object its own', () => {
    const plugin = guardrailsPlugin();
    const frozenOff = Object.freeze({ moderation: Object.freeze({ input: false, output: false }) });
    const frozenOn = Object.freeze({ moderation: Object.freeze({ input: true }) });
    for (let i = 0; i < 3; i++) {
      expect(() => before(plugin, threat, frozenOff)).not.toThrow();
      expect(() => before(plugin, threat, frozenOn)).toThrow(GuardrailBlockedError);
    }
    // Frozen on top only: its inner object can change, so it is read again each time.
    const shallow = Object.freeze({ moderation: { input: false } });
    expect(() => before(plugin, threat, shallow)).not.toThrow();
    shallow.moderation.input = true;
    expect(() => before(plugin, threat, shallow)).toThrow(GuardrailBlockedError);
  });

  it("the plugin's own settings are read when it is created; a function is called on every run", () => {
    const own: GuardrailSettings = structuredClone(off);
    const plugin = guardrailsPlugin({ settings: own });
    own.moderation!.input = true;
    expect(() => before(plugin, threat)).not.toThrow();

    let moderate = false;
    const dynamic = guardrailsPlugin({ settings: () => ({ moderation: { input: moderate } }) });
    expect(() => before(dynamic, threat)).not.toThrow();
    moderate = true;
    expect(() => before(dynamic, threat)).toThrow(GuardrailBlockedError);
  });

  it('the output policy turns reversible placeholders back into warnings, once per settings', () => {
    const plugin = guardrailsPlugin({ settings: { pii: { input: { email: 'reversible' } } } });
    const state = plugin.createState!(context);
    const redacted = plugin.beforeRun!({ context, state, request: request('Write to ann@example.com') });
    expect((redacted as ResolvedRequest).query).not.toContain('ann@example.com');
    const placeholder = (redacted as ResolvedRequest).query.replace('Write to ', '');
    const after = plugin.afterRun!({
      context,
      state,
      request: request('x'),
      result: { content: `Sent to ${placeholder}`, toolCalls: [], metadata: {} } as never,
    });
    expect((after as { content: string }).content).toBe('Sent to ann@example.com');
  });
});

import { CascadeAgent, InvalidConfigError } from '@cascadeflow/core';
import { GuardrailBlockedError, guardrailsPlugin } from '@cascadeflow/guardrails';
import { limitsPlugin, RateLimitError } from '@cascadeflow/limits';
import { OpenAIProvider } from '@cascadeflow/openai';
import { startTestServer, type TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentFromProfile,
  effectiveConfig,
  FeatureNotAvailableError,
  limitsOf,
  MemoryProfileStore,
  profilesPlugin,
  TIER_PRESETS,
  tierPreset,
  UserProfileManager,
} from '../src/index.js';

let server: TestServer;
afterEach(async () => server?.close());

const ladder = [
  { model: 'gpt-4o-mini', provider: 'openai' },
  { model: 'gpt-4o', provider: 'openai' },
];

async function setup() {
  server = await startTestServer({
    models: { 'gpt-4o-mini': { content: 'small', logprobs: -2 }, 'gpt-4o': { content: 'big' } },
  });
  const providers = { openai: new OpenAIProvider({ apiKey: 'x', baseURL: server.openaiBaseURL }) };
  const manager = new UserProfileManager(new MemoryProfileStore());
  await manager.create({ id: 'free-user', tier: 'free' });
  await manager.create({ id: 'pro-user', tier: 'pro', overrides: { rateLimits: { requestsPerMinute: 1 } } });
  const agent = new CascadeAgent({
    providers,
    ladder,
    plugins: [profilesPlugin({ manager }), limitsPlugin()],
  });
  return { agent, manager, providers };
}

describe('profiles hand the guardrails the settings of a tier', () => {
  it('a strict tier blocks a national identity number, in Chinese text; a standard tier redacts it', async () => {
    const { providers, manager } = await setup();
    const agent = new CascadeAgent({
      providers,
      ladder,
      plugins: [
        profilesPlugin({ manager }),
        guardrailsPlugin({ settings: { moderation: { input: false, output: false } } }),
      ],
    });
    const query = '我的身份证号是11010519491231002X，请帮我查一下。';
    await expect(agent.run({ query, userId: 'free-user' })).rejects.toBeInstanceOf(GuardrailBlockedError);
    expect(server.requestsFor('gpt-4o-mini')).toHaveLength(0);
    await agent.run({ query, userId: 'pro-user' });
    const sent = JSON.stringify(server.requestsFor('gpt-4o-mini').at(-1)!.body.messages);
    expect(sent).toContain('[NATIONAL_ID]');
    expect(sent).not.toContain('11010519491231002X');
  });
});

describe('presets and validation', () => {
  it('presets are frozen; tierPreset gives a copy', () => {
    expect(Object.isFrozen(TIER_PRESETS.pro.budgets)).toBe(true);
    const copy = tierPreset('pro');
    copy.budgets.daily = 999;
    expect(TIER_PRESETS.pro.budgets.daily).toBe(10);
  });
  it('bad profiles give typed errors naming the problem', async () => {
    const m = new UserProfileManager(new MemoryProfileStore(), { knownModels: ['gpt-4o-mini', 'gpt-4o'] });
    await expect(m.create({ id: 'a', tier: 'platinum' as never })).rejects.toMatchObject({
      field: 'profile.tier',
    });
    await expect(
      m.create({ id: 'a', tier: 'pro', overrides: { budgets: { daily: -1 } } }),
    ).rejects.toMatchObject({
      field: 'profile.overrides.budgets.daily',
      message: expect.stringMatching(/≥ 0/),
    });
    await expect(
      m.create({ id: 'a', tier: 'pro', overrides: { allowedModels: ['gpt-5-turbo'] } }),
    ).rejects.toThrow(/overrides\.allowedModels: unknown model "gpt-5-turbo"/);
    await expect(m.create({ id: '', tier: 'pro' })).rejects.toBeInstanceOf(InvalidConfigError);
    expect(() => effectiveConfig({ tier: 'pro', overrides: { qualityTarget: 2 } })).toThrow(
      /overrides\.qualityTarget: must be between 0 and 1/,
    );
  });
});

describe('profiles plugin in a cascade run', () => {
  it('a free user gets only the allowed models, the tier threshold and token cap, and hands limits on', async () => {
    const { agent } = await setup();
    const r = await agent.run({ query: 'q', userId: 'free-user', maxTokens: 5000 });
    expect(r.model).toBe('gpt-4o-mini'); // gpt-4o is not allowed on free: the drafter is the last tier
    expect(server.requestsFor('gpt-4o')).toHaveLength(0);
    expect(server.requestsFor('gpt-4o-mini')[0]!.body.max_tokens).toBe(1024);
    expect(r.metadata.profile).toEqual({ id: 'free-user', tier: 'free' });
    expect(limitsOf(effectiveConfig({ tier: 'free', overrides: {} }))).toMatchObject({
      requestsPerMinute: 10,
      costPerDay: 0.1,
      concurrent: 1,
    });
  });

  it('a pro user cascades with the pro threshold, and the tier limit applies through the limits plugin', async () => {
    const { agent } = await setup();
    const r = await agent.run({ query: 'q', userId: 'pro-user' });
    expect(r.attempts.map((a) => a.status)).toEqual(['rejected', 'accepted']);
    expect(r.attempts[0]?.reason).toMatch(/threshold 0\.800/);
    await expect(agent.run({ query: 'q', userId: 'pro-user' })).rejects.toBeInstanceOf(RateLimitError);
  });

  it("with thresholds: 'agent', the agent's own (e.g. calibrated) thresholds are kept, not the tier's", async () => {
    const { providers, manager } = await setup();
    const agent = new CascadeAgent({
      providers,
      ladder: [{ ...ladder[0]!, threshold: 0.1 }, ladder[1]!],
      plugins: [profilesPlugin({ manager, thresholds: 'agent' })],
    });
    const r = await agent.run({ query: 'q', userId: 'pro-user' });
    // The draft's log-prob score (about 0.14) passes the agent's 0.1, where the pro tier's 0.8 would reject it.
    expect(r.attempts.map((a) => a.status)).toEqual(['accepted']);
    expect(r.attempts[0]?.reason).toMatch(/threshold 0\.100/);
  });

  it('a feature the tier lacks is a clear typed error', async () => {
    const { agent } = await setup();
    const tools = [{ name: 't', parameters: { type: 'object' } }];
    const err = await agent.run({ query: 'q', userId: 'free-user', tools }).catch((e) => e);
    expect(err).toBeInstanceOf(FeatureNotAvailableError);
    expect(err).toMatchObject({
      code: 'feature_not_available',
      feature: 'tools',
      tier: 'free',
      plugin: 'profiles',
    });
    await expect(agent.run({ query: 'q', userId: 'free-user', batch: { index: 0 } })).rejects.toMatchObject({
      feature: 'batch',
    });
  });

  it('users without a profile get the default tier, or are refused', async () => {
    const { agent, manager, providers } = await setup();
    expect((await agent.run({ query: 'q', userId: 'stranger' })).metadata.profile).toEqual({
      id: 'stranger',
      tier: 'free',
    });
    const strict = new CascadeAgent({
      providers,
      ladder,
      plugins: [profilesPlugin({ manager, onMissing: 'reject' })],
    });
    await expect(strict.run({ query: 'q', userId: 'stranger' })).rejects.toMatchObject({
      code: 'profile_not_found',
    });
  });

  it('agentFromProfile builds an agent for one user', async () => {
    const { manager, providers } = await setup();
    const agent = agentFromProfile(await manager.get('free-user'), { providers, ladder });
    expect(agent.ladder.map((t) => t.model)).toEqual(['gpt-4o-mini']);
    const pro = agentFromProfile(await manager.get('pro-user'), { providers, ladder });
    expect(pro.ladder.map((t) => t.threshold)).toEqual([0.8, null]);
  });
});

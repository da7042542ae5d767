/**
 * Offline: profiles in a SQLite file, a free and a pro user, and the profiles plugin choosing each run's
 * ladder, threshold and limits. `pnpm example` runs it, CI too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CascadeAgent, CascadeFlowError } from '@cascadeflow/core';
import { OpenAIProvider } from '@cascadeflow/openai';
import { profilesPlugin, SqliteProfileStore, UserProfileManager } from '@cascadeflow/profiles';
import { startTestServer } from '@cascadeflow/testing';

const server = await startTestServer({
  models: {
    'gpt-4o-mini': { content: 'A draft answer.', logprobs: -0.4 },
    'gpt-4o': { content: 'A careful answer.' },
  },
});
const store = await SqliteProfileStore.open(join(mkdtempSync(join(tmpdir(), 'cf-example-')), 'profiles.db'));
const profiles = new UserProfileManager(store);
await profiles.create({ id: 'alice', tier: 'free' });
await profiles.create({ id: 'bob', tier: 'pro', preferences: { domain: 'legal' } });

const agent = new CascadeAgent({
  providers: { openai: new OpenAIProvider({ apiKey: 'offline', baseURL: server.openaiBaseURL }) },
  ladder: [
    { model: 'gpt-4o-mini', provider: 'openai' },
    { model: 'gpt-4o', provider: 'openai' },
  ],
  plugins: [profilesPlugin({ manager: profiles })],
});

try {
  for (const userId of ['alice', 'bob']) {
    const r = await agent.run({ query: 'Summarise the contract.', userId });
    const tier = (r.metadata.profile as { tier: string }).tier;
    console.log(`${userId} (${tier}): "${r.content}" from ${r.model}`);
  }
  try {
    await agent.run({
      query: 'Call a tool',
      userId: 'alice',
      tools: [{ name: 'search', parameters: { type: 'object' } }],
    });
  } catch (e) {
    if (!CascadeFlowError.isInstance(e)) throw e;
    console.log(`alice with tools: ${e.code}`);
  }
  await profiles.update('alice', { tier: 'starter' });
  console.log(
    `alice is now ${(await profiles.get('alice')).tier}, version ${(await profiles.get('alice')).version}`,
  );
} finally {
  await store.close();
  await server.close();
}

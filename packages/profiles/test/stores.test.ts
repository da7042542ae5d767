import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryProfileStore,
  PostgresProfileStore,
  ProfileConflictError,
  ProfileCorruptError,
  ProfileExistsError,
  ProfileNotFoundError,
  type ProfileStore,
  SqliteProfileStore,
  UserProfileManager,
} from '../src/index.js';
import { freshDatabase, tempFile } from './db.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const stores: [
  string,
  () => Promise<{
    store: ProfileStore;
    second: () => Promise<ProfileStore>;
    corrupt: (sql: string) => Promise<void>;
  }>,
][] = [
  [
    'memory',
    async () => {
      const store = new MemoryProfileStore();
      return { store, second: async () => store, corrupt: async () => {} };
    },
  ],
  [
    'sqlite (file)',
    async () => {
      const file = tempFile();
      const store = await SqliteProfileStore.open(file);
      cleanups.push(() => store.close());
      return {
        store,
        second: async () => {
          const s = await SqliteProfileStore.open(file);
          cleanups.push(() => s.close());
          return s;
        },
        corrupt: async (sql) => store.exec(sql),
      };
    },
  ],
  [
    'postgres',
    async () => {
      const db = await freshDatabase();
      const store = await PostgresProfileStore.connect(db.url);
      cleanups.push(async () => {
        await store.close();
        await db.drop();
      });
      return {
        store,
        second: async () => {
          const s = await PostgresProfileStore.connect(db.url);
          cleanups.push(() => s.close());
          return s;
        },
        corrupt: async (sql) => store.exec(sql),
      };
    },
  ],
];

for (const [name, open] of stores) {
  describe(`${name} store`, () => {
    it('migrates an empty database, then creates, reads, lists, updates and deletes', async () => {
      const { store } = await open();
      await store.migrate(); // again: a no-op
      const m = new UserProfileManager(store);
      const p = await m.create({
        id: 'u1',
        tier: 'pro',
        preferences: { domain: 'legal' },
        metadata: { plan: 'annual' },
      });
      expect(p).toMatchObject({ id: 'u1', tier: 'pro', version: 1 });
      await expect(m.create({ id: 'u1', tier: 'free' })).rejects.toBeInstanceOf(ProfileExistsError);
      const fresh = new UserProfileManager(store);
      expect(await fresh.get('u1')).toMatchObject({
        tier: 'pro',
        preferences: { domain: 'legal' },
        metadata: { plan: 'annual' },
      });
      const up = await m.update('u1', { tier: 'business', overrides: { budgets: { daily: 42 } } });
      expect(up.version).toBe(2);
      expect((await m.effective('u1')).budgets).toMatchObject({ daily: 42, weekly: 500 });
      await m.bulkCreate(
        Array.from({ length: 30 }, (_, i) => ({
          id: `b${String(i).padStart(2, '0')}`,
          tier: 'free' as const,
        })),
      );
      expect((await m.list({ tier: 'free', limit: 5, offset: 2 })).map((x) => x.id)).toEqual([
        'b02',
        'b03',
        'b04',
        'b05',
        'b06',
      ]);
      expect(await m.delete('u1')).toBe(true);
      await expect(m.get('u1')).rejects.toBeInstanceOf(ProfileNotFoundError);
      await expect(m.update('u1', {})).rejects.toBeInstanceOf(ProfileNotFoundError);
    });

    it('bulk create is all or nothing', async () => {
      const { store } = await open();
      const m = new UserProfileManager(store);
      await m.create({ id: 'dup', tier: 'free' });
      await expect(
        m.bulkCreate([
          { id: 'new1', tier: 'free' },
          { id: 'dup', tier: 'pro' },
        ]),
      ).rejects.toBeInstanceOf(ProfileExistsError);
      expect(await m.find('new1')).toBeNull();
      await expect(
        m.bulkCreate([
          { id: 'ok', tier: 'free' },
          { id: 'bad', tier: 'gold' as never },
        ]),
      ).rejects.toThrow(/profiles\.1\.tier/);
    });

    it('two writers updating one profile never lose a write', async () => {
      const { store, second } = await open();
      const a = new UserProfileManager(store, { maxUpdateAttempts: 100 });
      const b = new UserProfileManager(await second(), { maxUpdateAttempts: 100 });
      await a.create({ id: 'c', tier: 'free', metadata: { n: 0 } });
      const bump = (m: UserProfileManager) =>
        m.update('c', (p) => ({ metadata: { n: (p.metadata.n as number) + 1 } }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
      const final = await new UserProfileManager(store).get('c');
      expect(final.metadata.n).toBe(20);
      expect(final.version).toBe(21);
    });

    it('the cache serves reads, is invalidated by writes, and expires after its TTL', async () => {
      const { store, second } = await open();
      let now = 1_000_000;
      const m = new UserProfileManager(store, { cacheTtlMs: 1000, now: () => now });
      const other = new UserProfileManager(await second(), { cacheTtlMs: 1000, now: () => now });
      await m.create({ id: 'k', tier: 'free' });
      expect((await other.get('k')).tier).toBe('free'); // cached by `other`
      await m.update('k', { tier: 'pro' });
      expect((await m.get('k')).tier).toBe('pro'); // this manager invalidated its own entry
      expect((await other.get('k')).tier).toBe('free'); // another instance: stale until its TTL
      now += 1001;
      expect((await other.get('k')).tier).toBe('pro');
      expect(() => {
        (m as unknown as { x: number }).x = 1;
      }).not.toThrow();
      const cached = await m.get('k');
      expect(Object.isFrozen(cached)).toBe(true);
    });

    if (name !== 'memory') {
      it('a corrupt row gives a typed error naming the field', async () => {
        const { store, corrupt } = await open();
        const m = new UserProfileManager(store);
        await m.create({ id: 'x', tier: 'free' });
        await corrupt(`UPDATE profiles SET tier = 'gold' WHERE id = 'x'`);
        const err = await new UserProfileManager(store).get('x').catch((e) => e);
        expect(err).toBeInstanceOf(ProfileCorruptError);
        expect(err).toMatchObject({ code: 'profile_corrupt', profileId: 'x', field: 'tier' });
        await corrupt(
          `UPDATE profiles SET tier = 'free', overrides = '{"budgets": {"daily": -3}}' WHERE id = 'x'`,
        );
        await expect(new UserProfileManager(store).get('x')).rejects.toMatchObject({ field: 'overrides' });
      });
    }
  });
}

describe('store errors', () => {
  it('a missing directory is a typed error naming the path', async () => {
    await expect(SqliteProfileStore.open('/nonexistent/dir/profiles.db')).rejects.toMatchObject({
      code: 'profile_store_unavailable',
      message: expect.stringMatching(/\/nonexistent\/dir does not exist/),
    });
  });
  it('an unreachable PostgreSQL is a typed error', async () => {
    await expect(PostgresProfileStore.connect('postgres://postgres@127.0.0.1:1/none')).rejects.toMatchObject({
      code: 'profile_store_unavailable',
    });
  });
  it('gives up with ProfileConflictError when a profile keeps changing', async () => {
    const store = new MemoryProfileStore();
    const m = new UserProfileManager(store, { maxUpdateAttempts: 2 });
    await m.create({ id: 'z', tier: 'free' });
    const spoil = store.replace.bind(store);
    store.replace = async () => false;
    await expect(m.update('z', {})).rejects.toBeInstanceOf(ProfileConflictError);
    store.replace = spoil;
  });
});

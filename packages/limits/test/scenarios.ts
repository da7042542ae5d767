/**
 * The two scenarios of limits under real traffic, on a real Redis: used by the tests (which assert on them)
 * and by the benchmark (which reports them).
 */
import { CascadeAgent, type CompletionRequest, type Provider } from '@cascadeflow/core';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { limitsPlugin, RedisLimitStore } from '../src/index.js';
import { client, type PrivateRedis, ready } from './redis.js';

/** Questions in several scripts: Chinese, Japanese, Arabic, emoji, and English. */
export const MULTILINGUAL = [
  '为什么天空是蓝色的？请用三段话解释瑞利散射，并说明日落时为什么是红色的。'.repeat(4),
  '富士山の高さはどれくらいですか？登山に最適な季節と注意点も教えてください。'.repeat(4),
  'لماذا السماء زرقاء؟ اشرح تشتت رايلي بالتفصيل مع أمثلة من الحياة اليومية.'.repeat(4),
  '🌍🌞🌈 why is the sky blue? 🤔🔭✨ explain like I am five 👶🎈'.repeat(4),
  'Why is the sky blue? Explain Rayleigh scattering in three short paragraphs.'.repeat(4),
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A provider that bills as the real ones do: OpenAI models count input with their own tokenizer (o200k) plus
 * the chat format's 3 tokens a message and 3 for the reply; other models one token per character (what
 * Claude's tokenizer gives on CJK text); every answer writes its whole `maxTokens`. Drafts answer unsure on
 * odd-length questions, so that about half of the runs escalate.
 */
export function billingProvider(delayMs = 2): Provider {
  const inputOf = (req: CompletionRequest) => {
    const texts = req.messages.map((m) => m.content ?? '');
    return req.model.startsWith('gpt-')
      ? texts.reduce((n, t) => n + countTokens(t) + 3, 3)
      : texts.reduce((n, t) => n + [...t].length + 4, 8);
  };
  return {
    name: 'billing',
    async complete(req) {
      await sleep(delayMs);
      const out = req.maxTokens ?? 1024;
      const unsure = (req.messages.at(-1)?.content?.length ?? 0) % 2 === 1;
      return {
        content: 'answer '.repeat(Math.max(1, Math.floor(out / 2))),
        toolCalls: [],
        finishReason: 'stop',
        usage: { inputTokens: inputOf(req), outputTokens: out, cachedInputTokens: 0 },
        model: req.model,
        logprobs: [{ token: 'answer', logprob: unsure ? -3 : -0.01 }],
      };
    },
    stream(): never {
      throw new Error('not used');
    },
  };
}

/**
 * 200 concurrent runs of multilingual questions by one user against a small daily budget, on a two-tier
 * ladder (gpt-4o-mini, then claude-3-5-haiku). Returns what was spent and the budget.
 */
export async function budgetUnderLoad(
  redisUrl: string,
  budget = 0.01,
): Promise<{ spent: number; budget: number; admitted: number; refused: number }> {
  const c = await ready(client(redisUrl));
  const prefix = `cf:scenario:${process.pid}:${Date.now()}`;
  const plugin = limitsPlugin({
    store: new RedisLimitStore({ client: c, prefix, timeoutMs: 5000 }),
    limits: { costPerDay: budget },
  });
  const agent = new CascadeAgent({
    providers: { billing: billingProvider() },
    ladder: [
      { model: 'gpt-4o-mini', provider: 'billing', threshold: 0.5 },
      { model: 'claude-3-5-haiku', provider: 'billing' },
    ],
    plugins: [plugin],
  });
  const subject = 'multilingual';
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, (_, i) =>
      agent.run({
        query: MULTILINGUAL[i % MULTILINGUAL.length]! + ' '.repeat(i % 2),
        userId: subject,
        maxTokens: 200,
      }),
    ),
  );
  const spent = (await plugin.current(subject, { costPerDay: budget })).cost_per_day ?? 0;
  const admitted = results.filter((r) => r.status === 'fulfilled').length;
  const keys = await c.keys(`${prefix}:*`);
  if (keys.length) await c.del(...keys);
  c.disconnect();
  return { spent, budget, admitted, refused: results.length - admitted };
}

/**
 * A user's runs hold concurrency slots when Redis stalls for `pauseMs` (SIGSTOP): their renewals, settles and
 * the reserves of other requests time out on the client; those reserves still run when Redis resumes, and
 * take slots that no one will release or renew. Returns the seconds from the end of the stall until every
 * slot is free again (seen by another process), the lease, and how many runs a new process then admits.
 */
export async function slotsAfterStall(
  redis: PrivateRedis,
  pauseMs = 2500,
  leaseMs = 6000,
): Promise<{ recoveredS: number; leaseMs: number; admittedAfter: number }> {
  const c = await ready(client(redis.url));
  const limit = 5;
  const store = new RedisLimitStore({ client: c, prefix: 'cf:stall', timeoutMs: 300 });
  const plugin = limitsPlugin({
    store,
    limits: { concurrent: limit },
    onStoreError: 'fail-closed',
    concurrencyLeaseMs: leaseMs,
  });
  const agent = new CascadeAgent({
    providers: { billing: billingProvider(pauseMs / 2) },
    ladder: [{ model: 'gpt-4o-mini', provider: 'billing' }],
    plugins: [plugin],
  });
  const subject = 'stalled';
  const runs: Promise<unknown>[] = [];
  // Two runs hold slots; three are free when the stall begins.
  for (let i = 0; i < 2; i++)
    runs.push(agent.run({ query: 'q', userId: subject, maxTokens: 5 }).catch(() => undefined));
  await sleep(50);
  const stall = redis.pause(pauseMs);
  // More requests arrive during the stall: their reserves time out here (the clients give up), but run on
  // Redis when it resumes, and three of them take the free slots that nobody will release. This process sends
  // nothing more, so nothing cancels them: only their leases can free them.
  for (let i = 0; i < 20; i++)
    runs.push(agent.run({ query: 'q', userId: subject, maxTokens: 5 }).catch(() => undefined));
  await stall;
  const resumed = performance.now();
  await Promise.all(runs);
  // A fresh process's view: how long until nothing holds a slot.
  const probe = new RedisLimitStore({ client: c, prefix: 'cf:stall', timeoutMs: 2000 });
  let recoveredS = Number.POSITIVE_INFINITY;
  while (performance.now() - resumed < 60_000) {
    const now = (await probe.current(subject, [{ name: 'concurrent', windowMs: 0 }])).concurrent ?? 0;
    if (now === 0) {
      recoveredS = (performance.now() - resumed) / 1000;
      break;
    }
    await sleep(100);
  }
  const fresh = limitsPlugin({ store: probe, limits: { concurrent: limit } });
  const freshAgent = new CascadeAgent({
    providers: { billing: billingProvider(200) },
    ladder: [{ model: 'gpt-4o-mini', provider: 'billing' }],
    plugins: [fresh],
  });
  const after = await Promise.allSettled(
    Array.from({ length: limit }, () => freshAgent.run({ query: 'q', userId: subject, maxTokens: 5 })),
  );
  c.disconnect();
  return { recoveredS, leaseMs, admittedAfter: after.filter((r) => r.status === 'fulfilled').length };
}

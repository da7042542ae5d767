/**
 * The composition matrix of the plugin contract: every order of the profiles, limits, guardrails and a
 * recording plugin × five outcomes (accepted, rejected by a validator then escalated, blocked by an output
 * guardrail, aborted mid-run, every provider failing) × streamed and not. In every cell the spend each
 * plugin is told equals the sum of the attempts' costs, and the decisions and scores equal those of a plain
 * `run()` on the same answers.
 */
import {
  type AttemptRecord,
  CascadeAgent,
  type CascadePlugin,
  type RunOutcome,
  spendOf,
} from '@cascadeflow/core';
import { guardrailsPlugin } from '@cascadeflow/guardrails';
import { limitsPlugin } from '@cascadeflow/limits';
import { OpenAIProvider } from '@cascadeflow/openai';
import {
  effectiveConfig,
  limitsOf,
  MemoryProfileStore,
  profilesPlugin,
  UserProfileManager,
} from '@cascadeflow/profiles';
import { collectResult, streamCascade } from '@cascadeflow/streaming';
import { type ScriptedReply, startTestServer, type TestServer } from '@cascadeflow/testing';
import { firstValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONFIDENT = -0.01;
const UNSURE = -1.5;
const SECRET = 'use ghp_1234567890abcdefghijABCDEFGHIJ123456 to log in';

type Scenario = 'accepted' | 'escalated' | 'blocked' | 'aborted' | 'failed';
const SCENARIOS: Record<Scenario, { drafter: ScriptedReply; verifier: ScriptedReply; fail?: boolean }> = {
  accepted: {
    drafter: { content: 'Paris is the capital.', logprobs: CONFIDENT },
    verifier: { content: 'Paris.' },
  },
  escalated: { drafter: { content: 'Maybe.', logprobs: UNSURE }, verifier: { content: 'It is Paris.' } },
  blocked: { drafter: { content: 'Not sure.', logprobs: UNSURE }, verifier: { content: SECRET } },
  aborted: { drafter: { content: 'Maybe.', logprobs: UNSURE }, verifier: { content: 'It is Paris.' } },
  failed: { drafter: { content: 'x' }, verifier: { content: 'y' }, fail: true },
};
const EXPECTED_STATUS: Record<Scenario, RunOutcome['status']> = {
  accepted: 'accepted',
  escalated: 'accepted',
  blocked: 'rejected',
  aborted: 'aborted',
  failed: 'failed',
};

function permutations<T>(list: T[]): T[][] {
  if (list.length <= 1) return [list];
  return list.flatMap((x, i) =>
    permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

let server: TestServer;
let scenario: Scenario = 'accepted';
beforeAll(async () => {
  server = await startTestServer({
    models: {
      'gpt-4o-mini': () => SCENARIOS[scenario].drafter,
      'gpt-4o': () => SCENARIOS[scenario].verifier,
    },
  });
});
afterAll(async () => server?.close());

const ladder = [
  { model: 'gpt-4o-mini', provider: 'openai', threshold: 0.7 },
  { model: 'gpt-4o', provider: 'openai' },
];
const provider = () => new OpenAIProvider({ apiKey: 'test', baseURL: server.openaiBaseURL });

/** What a plugin that records every run is told when it settles. */
function recordingPlugin(told: RunOutcome[]): CascadePlugin {
  return { name: 'recording', onSettle: ({ outcome }) => void told.push(outcome) };
}

async function composed(order: string[]) {
  const manager = new UserProfileManager(new MemoryProfileStore());
  await manager.create({ id: 'u1', tier: 'pro' });
  const limits = limitsPlugin();
  const told: RunOutcome[] = [];
  const byName: Record<string, CascadePlugin<any>> = {
    profiles: profilesPlugin({ manager }),
    limits,
    guardrails: guardrailsPlugin(),
    recording: recordingPlugin(told),
  };
  const agent = new CascadeAgent({
    providers: { openai: provider() },
    ladder,
    retry: { maxRetries: 0 },
    plugins: order.map((n) => byName[n]!),
  });
  return { agent, limits, told };
}

async function runOnce(agent: CascadeAgent, streamed: boolean, abort: AbortController | undefined) {
  const request = {
    query: 'What is the capital of France?',
    userId: 'u1',
    ...(abort ? { signal: abort.signal } : {}),
    // The abort scenario: the caller gives up once the draft is judged, before the verifier answers.
    ...(abort ? { onEvent: (e: { type: string }) => e.type === 'attempt_end' && abort.abort() } : {}),
  };
  if (!streamed) return agent.run(request);
  const events = streamCascade(agent, request, { mode: 'buffer' });
  // streamCascade owns onEvent: abort when its first decision arrives instead.
  return collectResult(abort ? events.pipe(tap((e) => e.type === 'decision' && abort.abort())) : events);
}

function decisions(attempts: readonly AttemptRecord[]) {
  return attempts.filter((a) => !a.reason.startsWith('interrupted')).map((a) => [a.model, a.status, a.score]);
}

const orders = permutations(['profiles', 'limits', 'guardrails', 'recording']);

describe('composition matrix: 24 orders × 5 outcomes × streamed or not', () => {
  for (const name of Object.keys(SCENARIOS) as Scenario[]) {
    for (const streamed of [false, true]) {
      it(`${name}, ${streamed ? 'streamed' : 'not streamed'}: every order tells the real spend and keeps the decisions`, async () => {
        scenario = name;
        const fault = () => {
          if (SCENARIOS[name].fail) server.injectFault('*', { kind: 'status', status: 500 }, 2);
        };
        // The reference: a plain run, no plugins, on the same answers.
        fault();
        const plain = new CascadeAgent({
          providers: { openai: provider() },
          ladder,
          retry: { maxRetries: 0 },
        });
        const reference = await plain.run('What is the capital of France?').catch((e) => e);
        const referenceAttempts: AttemptRecord[] = reference.attempts ?? [];

        for (const order of orders) {
          const { agent, limits, told } = await composed(order);
          fault();
          const abort = name === 'aborted' ? new AbortController() : undefined;
          await runOnce(agent, streamed, abort).catch((e) => e);
          expect(told, order.join(',')).toHaveLength(1);
          const outcome = told[0]!;
          expect(outcome.status, order.join(',')).toBe(EXPECTED_STATUS[name]);
          // The spend the recording plugin is told is the sum of the attempts' costs…
          const sum = outcome.attempts.reduce((s, a) => s + (a.cost ?? 0), 0);
          expect(outcome.spend.cost).toBeCloseTo(sum, 12);
          expect(outcome.spend).toEqual(spendOf(outcome.attempts));
          if (name !== 'failed') expect(outcome.spend.cost!, order.join(',')).toBeGreaterThan(0);
          else expect(outcome.spend.cost).toBe(0);
          // …and the limits plugin charged exactly that to the user's budget, with the slot released.
          const current = await limits.current(
            'u1',
            limitsOf(effectiveConfig({ tier: 'pro', overrides: {} })),
          );
          expect(current.cost_per_day, order.join(',')).toBeCloseTo(sum, 12);
          expect(current.concurrent ?? 0).toBe(0);
          // The decisions and scores are those of plain run() on the same answers.
          const mine = decisions(outcome.attempts);
          if (reference instanceof Error) expect(mine.map((d) => d[1])).toEqual(['failed', 'failed']);
          else expect(mine, order.join(',')).toEqual(decisions(referenceAttempts).slice(0, mine.length));
          if (name === 'escalated' || name === 'blocked') expect(mine[0]?.[1]).toBe('rejected');
        }
      });
    }
  }
});

it('a streamed low-confidence draft is escalated exactly as through run(), with guardrails on', async () => {
  scenario = 'escalated';
  const { agent } = await composed(['guardrails', 'limits', 'profiles', 'recording']);
  const events = await firstValueFrom(
    streamCascade(agent, { query: 'q?', userId: 'u1' }, { mode: 'stream' }).pipe(toArray()),
  );
  const decided = events.flatMap((e) => (e.type === 'decision' ? [e] : []));
  expect(decided.map((d) => d.accepted)).toEqual([false, true]);
  expect(decided[0]!.score!).toBeLessThan(0.7);
});

import { describe, expect, it } from 'vitest';
import { CascadeAgent, type CascadePlugin, type Provider, type ResolvedRequest } from '../src/index.js';

const answering: Provider = {
  name: 'fake',
  complete: async (req) => ({
    content: 'Paris',
    toolCalls: [],
    finishReason: 'stop',
    usage: { inputTokens: 5, outputTokens: 1, cachedInputTokens: 0 },
    model: req.model,
  }),
  stream: () => {
    throw new Error('not streamed');
  },
};

/** An agent whose plugin notes the ladder each run resolved to. */
function agentSeeingLadders() {
  const seen: ResolvedRequest['ladder'][] = [];
  const spy: CascadePlugin = {
    name: 'spy',
    beforeRun({ request }) {
      seen.push(request.ladder);
    },
  };
  const agent = new CascadeAgent({
    providers: { fake: answering },
    ladder: [
      { model: 'small', provider: 'fake' },
      { model: 'middle', provider: 'fake' },
      { model: 'big', provider: 'fake' },
    ],
    plugins: [spy],
  });
  return { agent, seen };
}

describe('a request ladder is resolved once when it is frozen', () => {
  it('shares the resolved tiers between runs that hand the same frozen ladder and thresholds', async () => {
    const { agent, seen } = agentSeeingLadders();
    const ladder = Object.freeze(['small', 'big']);
    const thresholds = Object.freeze([0.9]);
    await agent.run({
      query: 'Capital of France?',
      ladder: ladder as string[],
      thresholds: thresholds as number[],
    });
    await agent.run({
      query: 'Capital of Italy?',
      ladder: ladder as string[],
      thresholds: thresholds as number[],
    });
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]!.map((t) => [t.name, t.threshold, t.role])).toEqual([
      ['small', 0.9, 'drafter'],
      ['big', null, 'verifier'],
    ]);
    expect(Object.isFrozen(seen[0]) && Object.isFrozen(seen[0]![0])).toBe(true);
    // Other frozen thresholds for the same ladder resolve anew.
    await agent.run({
      query: 'Capital of Spain?',
      ladder: ladder as string[],
      thresholds: Object.freeze([0.2]) as number[],
    });
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[2]![0]!.threshold).toBe(0.2);
  });

  it('resolves a ladder or thresholds that may change again on every run', async () => {
    const { agent, seen } = agentSeeingLadders();
    const ladder = Object.freeze(['small', 'middle', 'big']);
    const thresholds = [0.5, 0.6];
    await agent.run({ query: 'Capital of France?', ladder: ladder as string[], thresholds });
    thresholds[0] = 0.8;
    await agent.run({ query: 'Capital of France?', ladder: ladder as string[], thresholds });
    expect(seen[1]!.map((t) => t.threshold)).toEqual([0.8, 0.6, null]);
    const mutable = ['small', 'big'];
    await agent.run({ query: 'Capital of France?', ladder: mutable });
    mutable[1] = 'middle';
    await agent.run({ query: 'Capital of France?', ladder: mutable });
    expect(seen[3]!.map((t) => t.name)).toEqual(['small', 'middle']);
  });
});

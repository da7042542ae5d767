import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startDemo } from './helpers.js';

let demo: Awaited<ReturnType<typeof startDemo>>;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(async () => demo?.stop());

const admin = async (path: string): Promise<any> => {
  const res = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  expect(res.status).toBe(200);
  return res.json();
};

describe('what the dashboard shows a visitor', () => {
  it("the whole recorded test split's figure, measured through the engine at start", async () => {
    const stats = await admin('/api/stats');
    expect(stats.recorded).toMatchObject({
      questions: demo.engine.replay ? expect.any(Number) : 0,
      strongest: 'gpt-4o',
      ladder: ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'],
    });
    expect(stats.recorded.questions).toBeGreaterThan(100);
    expect(stats.recorded.quality_ratio).toBeGreaterThan(0.9);
    expect(stats.recorded.cost_ratio).toBeGreaterThan(0);
    expect(stats.recorded.cost_ratio).toBeLessThan(1);
  });

  it('sample questions that are typical: asked in order, the live figure matches the recorded one', async () => {
    const { questions } = await admin('/api/questions');
    expect(questions).toHaveLength(8);
    const client = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${demo.url}/v1`, maxRetries: 0 });
    for (const q of questions) {
      await client.chat.completions.create({ model: 'cascade', messages: [{ role: 'user', content: q }] });
      const stats = await admin('/api/stats');
      // After every question, not just at the end: the cost line never reads above 100%.
      expect(stats.cost).toBeLessThan(stats.baseline);
    }
    const stats = await admin('/api/stats');
    expect(stats.requests).toBe(8);
    // The sample answers at each tier in the recorded split's proportions (largest remainder of 8).
    const shares = Object.values(stats.byModel as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(shares).toBe(8);
    // On the recorded split 2-3% of questions escalate: 8 typical questions answer at the drafter's cost.
    expect(stats.recorded.escalation_rate).toBeLessThan(1 / 16);
    expect(stats.byModel).toEqual({ 'gpt-4o-mini': 8 });
    expect(stats.cost / stats.baseline).toBeLessThan(0.5);
  });
});

import { CascadeAgent, logprobConfidence, selfCheck } from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import { calibrate, loadRecords, ReplayProvider, runEval } from '../src/index.js';
import { fixture } from './helpers.js';

describe('replay through the real cascade engine', () => {
  it('answers with recorded log-probs and costs (ModelIntrinsicLogProb)', async () => {
    const records = await loadRecords(fixture('mmlu_qwen_oai_test'));
    const r = records[3]!;
    const agent = new CascadeAgent({
      providers: { replay: new ReplayProvider(records) },
      ladder: [
        { model: 'gpt-4o-mini', provider: 'replay', threshold: 0.99 },
        { model: 'gpt-4o', provider: 'replay' },
      ],
      validators: [logprobConfidence()],
      defaultPrices: false,
    });
    const res = await agent.run({
      messages: [
        { role: 'system', content: r.systemPrompt },
        { role: 'user', content: r.userPrompt },
      ],
    });
    const mini = r.models['gpt-4o-mini']!;
    expect(res.attempts[0]?.content).toBe(mini.answer);
    expect(res.attempts[0]?.score).toBeCloseTo(Math.exp(mini.rawConf!), 9);
    expect(res.attempts[0]?.cost).toBe(mini.costUsd);
    const expected =
      Math.exp(mini.rawConf!) >= 0.99 ? mini.costUsd : mini.costUsd + r.models['gpt-4o']!.costUsd;
    expect(res.totalCost).toBeCloseTo(expected, 15);
  });

  it('answers the self-check call with the recorded confidence (AskModelConfidence)', async () => {
    const records = await loadRecords(fixture('triviaqa_llama_test'));
    const r = records.find((q) => (q.models['llama3.1-8b']!.rawConf ?? 0) < -1)!;
    const agent = new CascadeAgent({
      providers: { replay: new ReplayProvider(records).bind(r) },
      ladder: [
        { model: 'llama3.1-8b', provider: 'replay', threshold: 0.5 },
        { model: 'llama3.1-405b', provider: 'replay' },
      ],
      validators: [selfCheck()],
      defaultPrices: false,
    });
    const res = await agent.run({
      messages: [
        { role: 'system', content: r.systemPrompt },
        { role: 'user', content: r.userPrompt },
      ],
    });
    expect(res.attempts[0]?.score).toBeCloseTo(Math.exp(r.models['llama3.1-8b']!.rawConf!), 9);
    expect(res.attempts[0]?.status).toBe('rejected');
    // The recorded cost includes the self-check call: it is not paid twice.
    expect(res.totalCost).toBeCloseTo(
      r.models['llama3.1-8b']!.costUsd + r.models['llama3.1-405b']!.costUsd,
      15,
    );
  });

  it('calibrates and evaluates a self-check dataset end to end', async () => {
    const train = await loadRecords(fixture('triviaqa_llama_train'));
    const test = await loadRecords(fixture('triviaqa_llama_test'));
    const ladder = ['llama3.2-1b', 'llama3.2-3b', 'llama3.1-8b', 'llama3.1-70b', 'llama3.1-405b'];
    const cal = calibrate(train, { ladder, targetQuality: 0.9, maxTiers: 3 });
    expect(cal.signal).toBe('self-check');
    const report = await runEval(test, cal, { fullLadder: ladder });
    expect(report.n).toBe(150);
    expect(report.quality_ratio).toBeGreaterThan(0.8);
    // The calibrated validator's own self-check calls must reach the replay as self-checks (by their
    // `purpose`): answered as questions instead, every draft escalates and the cost ratio is about 0.67.
    expect(report.cost_ratio).toBeLessThan(0.3);
    expect(report.baselines.always_cheapest.model).toBe('llama3.2-1b');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  calibrate,
  loadCalibrationFile,
  loadFeedback,
  loadLiveRecords,
  loadRecords,
  runEval,
} from '@cascadeflow/eval';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { DEV_PRICES, startDevUpstream } from './dev-upstream.js';
import { ADMIN_KEY, capture, startDemo } from './helpers.js';

const LADDER = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../packages/eval/fixtures/${name}.jsonl.gz`, import.meta.url));

describe('record, label, calibrate, deploy: the loop, offline', () => {
  it('a live gateway records its traffic, a judge labels it, and the rebuilt calibration is reloaded live and saves on held-back questions', async () => {
    const traffic = await loadRecords(fixture('mmlu_qwen_oai_train'));
    const heldBack = await loadRecords(fixture('mmlu_qwen_oai_test'));
    const upstream = await startDevUpstream([...traffic, ...heldBack], LADDER);
    const dir = mkdtempSync(join(tmpdir(), 'cf-loop-'));
    const records = join(dir, 'records.jsonl');
    const calibrationFile = join(dir, 'calibration.json');
    const configFile = join(dir, 'cascadeflow.config.json');
    const live = { baseURL: upstream.openaiBaseURL, ladder: LADDER, threshold: 0.75, prices: DEV_PRICES };
    writeFileSync(configFile, JSON.stringify({ live }));
    const common = {
      mode: 'live' as const,
      live,
      recording: { file: records, sampleRate: 1, budgetUsd: 5 },
      feedbackFile: join(dir, 'feedback.jsonl'),
    };
    const ask = async (url: string, r: (typeof traffic)[number]) =>
      new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${url}/v1`, maxRetries: 0 }).chat.completions.create({
        model: 'cascade',
        messages: [
          { role: 'system', content: r.systemPrompt },
          { role: 'user', content: r.userPrompt },
        ],
      });
    const admin = async (url: string) =>
      (
        await fetch(`${url}/api/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
      ).json() as Promise<any>;

    // 1. No calibration yet: fixed thresholds; every request recorded, with shadow calls.
    const first = await startDemo(common);
    let fixedCost: number;
    try {
      for (const r of traffic.slice(0, 100)) await ask(first.url, r);
      await first.engine.recorder!.flush();
      const stats = await admin(first.url);
      expect(stats.calibration).toBeNull();
      fixedCost = stats.cost / stats.baseline;
    } finally {
      await first.stop();
    }
    const recorded = await loadLiveRecords(records);
    expect(recorded).toHaveLength(100);
    expect(recorded.every((r) => Object.keys(r.models).join() === LADDER.join())).toBe(true);

    // 2. Label with the judge model (on the upstream) and calibrate, through the CLI.
    const out = capture();
    const err = capture();
    const calibrateFromRecords = () =>
      main(
        [
          'calibrate',
          '--records',
          records,
          '--out',
          calibrationFile,
          '--judge',
          'model:judge',
          '--config',
          configFile,
        ],
        out.stream,
        err.stream,
      );
    const code = await calibrateFromRecords();
    expect(err.text(), err.text()).toBe('');
    expect(code).toBe(0);
    expect(out.text()).toMatch(
      /records: +100 \(\d+ answers the same as the strongest, \d+ judged by model:judge/,
    );
    expect(upstream.requests.some((q) => q.model === 'judge')).toBe(true);

    // 3. The gateway loads it at start, and reloads it when it changes.
    const second = await startDemo({ ...common, calibration: calibrationFile });
    try {
      const before = await admin(second.url);
      expect(before.calibration).toMatchObject({
        file: calibrationFile,
        records: 100,
        labelledBy: 'model:judge',
      });
      for (const r of traffic.slice(100)) await ask(second.url, r);
      await second.engine.recorder!.flush();
      expect(await calibrateFromRecords()).toBe(0);
      let stats = await admin(second.url);
      for (let i = 0; i < 300 && stats.calibration.records !== traffic.length; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stats = await admin(second.url);
      }
      expect(stats.calibration).toMatchObject({
        records: traffic.length,
        labelledBy: 'model:judge',
        reloadError: null,
      });
      // The expected cost falls below what the fixed thresholds cost on the same traffic.
      expect(stats.calibration.expected.costUpperBound).toBeLessThan(1);
      expect(stats.calibration.expected.cost).toBeLessThan(fixedCost);
    } finally {
      await second.stop();
      await upstream.close();
    }

    // 4. On held-back questions, with their gold labels, it does what a calibration on the same questions'
    // dataset records does: the loop (live calls, shadow calls, pricing, judge, file, reload) loses nothing.
    const { calibration } = await loadCalibrationFile(calibrationFile);
    const report = await runEval(heldBack, calibration, { fullLadder: LADDER });
    // Labelled records are numbered in the order of their questions; number the dataset's the same way.
    const sameOrder = [...traffic]
      .sort((a, b) => a.userPrompt.localeCompare(b.userPrompt))
      .map((r, idx) => ({ ...r, benchmark: 'live', split: 'recorded', chain: 'live', idx }));
    const direct = await runEval(heldBack, calibrate(sameOrder, { ladder: LADDER, targetQuality: 0.95 }), {
      fullLadder: LADDER,
    });
    expect(report.cost_ratio).toBeLessThan(1);
    expect(Math.abs(report.cost_ratio - direct.cost_ratio)).toBeLessThan(0.02);
    expect(Math.abs(report.quality_ratio - direct.quality_ratio)).toBeLessThan(0.02);
  });
});

describe('users’ feedback', () => {
  it('POST /v1/feedback records a thumbs up or down on a response the key got, and refuses the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-feedback-'));
    const feedbackFile = join(dir, 'feedback.jsonl');
    const demo = await startDemo({ feedbackFile });
    try {
      const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${demo.url}/v1`, maxRetries: 0 });
      const answer = await client('cf-demo-key').chat.completions.create({
        model: 'cascade',
        messages: [{ role: 'user', content: demo.question }],
      });
      const post = (key: string, body: unknown) =>
        fetch(`${demo.url}/v1/feedback`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ok = await post('cf-demo-key', { response_id: answer.id, rating: 'down' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ response_id: answer.id, rating: 'down', recorded: true });
      // Another user's key cannot rate it; a bad body names its field; no key is a 401.
      const other = await post('cf-other-key', { response_id: answer.id, rating: 'up' });
      expect(other.status).toBe(404);
      expect(((await other.json()) as { error: { code: string } }).error.code).toBe('unknown_response');
      const bad = await post('cf-demo-key', { response_id: answer.id, rating: 'meh' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/rating/);
      expect((await post('nope-not-a-key', { response_id: answer.id, rating: 'up' })).status).toBe(401);
      const feedback = await loadFeedback(feedbackFile);
      expect([...feedback]).toEqual([[answer.id, 'down']]);
    } finally {
      await demo.stop();
    }
  });
});

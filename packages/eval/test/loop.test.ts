import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CascadeAgent,
  type CompletionRequest,
  type CompletionResponse,
  type Provider,
  type StreamDelta,
} from '@cascadeflow/core';
import { describe, expect, it } from 'vitest';
import {
  CalibrationFileError,
  calibrate,
  jsonlRecordSink,
  labelRecords,
  loadCalibrationFile,
  loadFeedback,
  loadLiveRecords,
  loadRecords,
  modelJudge,
  type RecordedQuestion,
  ReplayProvider,
  recordingPlugin,
  referenceJudge,
  saveCalibrationFile,
  watchCalibrationFile,
} from '../src/index.js';
import { fixture } from './helpers.js';

const LADDER = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
const dir = () => mkdtempSync(join(tmpdir(), 'cf-loop-'));

/** A provider that holds every call until `open()`: shows that recording never waits for shadow calls. */
class Gated implements Provider {
  readonly name = 'gated';
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => {
    this.#open = resolve;
  });
  calls = 0;
  constructor(readonly inner: Provider) {}
  open() {
    this.#open();
  }
  async complete(req: CompletionRequest): Promise<CompletionResponse> {
    this.calls++;
    await this.#gate;
    return this.inner.complete(req);
  }
  stream(req: CompletionRequest): AsyncIterable<StreamDelta> {
    return this.inner.stream(req);
  }
}

async function setup(records: RecordedQuestion[], budgetUsd = 1, shadow?: Provider) {
  const replay = new ReplayProvider(records);
  const file = join(dir(), 'records.jsonl');
  const recorder = recordingPlugin({
    ladder: LADDER.map((model) => ({ model, provider: shadow ?? replay })),
    sampleRate: 1,
    budgetUsd,
    sink: jsonlRecordSink(file),
    maxQueued: 1000,
  });
  const agent = new CascadeAgent({
    providers: { replay },
    ladder: LADDER.map((model, i) => ({ model, provider: 'replay', ...(i < 2 ? { threshold: 0.7 } : {}) })),
    plugins: [recorder],
    defaultPrices: false,
  });
  const ask = (r: RecordedQuestion) =>
    agent.run({
      messages: [
        { role: 'system', content: r.systemPrompt },
        { role: 'user', content: r.userPrompt },
      ],
    });
  return { recorder, agent, file, ask };
}

/** A provider that keeps every request it is given. */
class Spy implements Provider {
  readonly name = 'spy';
  readonly requests: CompletionRequest[] = [];
  constructor(readonly inner: Provider) {}
  complete(req: CompletionRequest): Promise<CompletionResponse> {
    this.requests.push(req);
    return this.inner.complete(req);
  }
  stream(req: CompletionRequest): AsyncIterable<StreamDelta> {
    return this.inner.stream(req);
  }
}

describe('recording live traffic', () => {
  it('asks the shadow calls as the run asked its tiers: max tokens, temperature, sampling controls', async () => {
    const records = (await loadRecords(fixture('mmlu_qwen_oai_test'))).slice(0, 1);
    const spy = new Spy(new ReplayProvider(records));
    const { recorder, agent } = await setup(records, 1, spy);
    const r = records[0]!;
    const sampling = { topP: 0.9, stopSequences: ['\n\n'], seed: 7 };
    await agent.run({
      messages: [
        { role: 'system', content: r.systemPrompt },
        { role: 'user', content: r.userPrompt },
      ],
      maxTokens: 64,
      temperature: 0.3,
      sampling,
    });
    await recorder.flush();
    expect(spy.requests.length).toBeGreaterThan(0);
    for (const req of spy.requests)
      expect([req.maxTokens, req.temperature, req.sampling]).toEqual([64, 0.3, sampling]);
  });

  it('writes every ladder model’s answer, shadow-calling the tiers the cascade did not run, after the answer', async () => {
    const records = (await loadRecords(fixture('mmlu_qwen_oai_test'))).slice(0, 30);
    const shadow = new Gated(new ReplayProvider(records));
    const { recorder, file, ask } = await setup(records, 1, shadow);
    const results = [];
    for (const r of records) results.push(await ask(r));
    // Every answer came back while every shadow call was still held: recording never delays the caller.
    expect(results).toHaveLength(30);
    expect(() => readFileSync(file)).toThrow();
    shadow.open();
    await recorder.flush();
    const live = await loadLiveRecords(file);
    expect(live).toHaveLength(30);
    // Records are written as their shadow calls finish, not in the order of the runs.
    for (const rec of live) {
      const i = results.findIndex((r) => r.runId === rec.id);
      const result = results[i]!;
      expect(rec.id).toBe(result.runId);
      expect(rec.answered_by).toBe(result.model);
      expect(Object.keys(rec.models)).toEqual(LADDER);
      const ran = new Set(result.attempts.map((a) => a.model));
      for (const m of LADDER) {
        expect(rec.models[m]!.shadow).toBe(!ran.has(m));
        const recorded = records[i]!.models[m]!;
        expect(rec.models[m]!.answer).toBe(recorded.answer);
        expect(rec.models[m]!.cost_usd).toBeCloseTo(recorded.costUsd, 12);
        expect(rec.models[m]!.raw_conf).toBeCloseTo(recorded.rawConf!, 6);
      }
    }
    expect(shadow.calls).toBe(
      live.reduce((n, r) => n + Object.values(r.models).filter((a) => a.shadow).length, 0),
    );
    expect(recorder.spentUsd).toBeGreaterThan(0);
  });

  it('does not record a run whose messages carry images (records and the text model are text)', async () => {
    const records = (await loadRecords(fixture('mmlu_qwen_oai_test'))).slice(0, 2);
    const replay = new ReplayProvider(records);
    const file = join(dir(), 'records.jsonl');
    const recorder = recordingPlugin({
      ladder: LADDER.map((model) => ({ model, provider: replay })),
      sampleRate: 1,
      budgetUsd: 1,
      sink: jsonlRecordSink(file),
    });
    const skipped: string[] = [];
    recorder.on('record:skipped', (e) => skipped.push(e.reason));
    const agent = new CascadeAgent({
      providers: { replay },
      ladder: LADDER.map((model) => ({ model, provider: 'replay', images: true })),
      plugins: [recorder],
      defaultPrices: false,
    });
    const r = records[0]!;
    await agent.run({
      messages: [
        { role: 'system', content: r.systemPrompt },
        { role: 'user', content: r.userPrompt, images: [{ url: 'https://example.com/chart.png' }] },
      ],
    });
    await agent.run({
      messages: [
        { role: 'system', content: records[1]!.systemPrompt },
        { role: 'user', content: records[1]!.userPrompt },
      ],
    });
    // A tool result's image, after the question, is an image too.
    await agent.run({
      messages: [
        { role: 'system', content: records[0]!.systemPrompt },
        { role: 'user', content: records[0]!.userPrompt },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'chart', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: '', images: [{ url: 'https://example.com/chart.png' }] },
      ],
    });
    await recorder.flush();
    expect(skipped).toEqual(['images', 'images']);
    expect(recorder.counts).toEqual({ written: 1, skipped: { images: 2 } });
    expect((await loadLiveRecords(file)).map((x) => x.user_prompt)).toEqual([records[1]!.userPrompt]);
  });

  it('stops shadow calls at its own budget and says so', async () => {
    const records = (await loadRecords(fixture('mmlu_qwen_oai_test'))).slice(0, 40);
    const { recorder, file, ask } = await setup(records, 0.002);
    const skipped: string[] = [];
    recorder.on('record:skipped', (e) => skipped.push(e.reason));
    for (const r of records) await ask(r);
    await recorder.flush();
    // Past the first record, every model's cost is known: the budget holds.
    const dearest = Math.max(...records.flatMap((r) => Object.values(r.models).map((a) => a.costUsd)));
    expect(recorder.spentUsd).toBeLessThanOrEqual(0.002 + 2 * dearest);
    expect(skipped.length).toBeGreaterThan(0);
    expect(new Set(skipped)).toEqual(new Set(['budget_exhausted']));
    expect((await loadLiveRecords(file)).length).toBe(40 - skipped.length);
  });

  it('keeps the records before a last line cut short by a crash', async () => {
    const records = (await loadRecords(fixture('mmlu_qwen_oai_test'))).slice(0, 3);
    const { recorder, file, ask } = await setup(records);
    for (const r of records) await ask(r);
    await recorder.flush();
    appendFileSync(file, '{"format":"cascadeflow.live-rec');
    const cut: number[] = [];
    expect(await loadLiveRecords(file, { onTruncated: (line) => cut.push(line) })).toHaveLength(3);
    expect(cut).toEqual([4]);
    writeFileSync(file, `{"format":"nope"}\n${readFileSync(file, 'utf8')}`);
    await expect(loadLiveRecords(file)).rejects.toThrow(
      /records\.jsonl:1: format: must be "cascadeflow.live-record"/,
    );
  });
});

describe('labelling and calibrating on recorded traffic', () => {
  it('labels against the strongest answer, users’ feedback overriding the judge; then calibrates', async () => {
    const records = (await loadRecords(fixture('mmlu_qwen_oai_train'))).slice(0, 120);
    const { recorder, file, ask } = await setup(records, 10);
    const ids: string[] = [];
    for (const r of records) ids.push((await ask(r)).runId);
    await recorder.flush();
    const live = await loadLiveRecords(file);
    const fbFile = join(dir(), 'feedback.jsonl');
    writeFileSync(
      fbFile,
      `${JSON.stringify({ response_id: ids[0], rating: 'down' })}\n${JSON.stringify({ response_id: ids[1], rating: 'up' })}\n`,
    );
    const feedback = await loadFeedback(fbFile);
    expect(await loadFeedback(join(dir(), 'none.jsonl'))).toEqual(new Map());
    const { records: labelled, summary } = await labelRecords(live, { judge: referenceJudge(), feedback });
    expect(summary.fromFeedback).toBe(2);
    // Labelled records come in the order of their questions; find each by its prompt.
    const rated = ids.slice(0, 2).map((id) => live.find((r) => r.id === id)!);
    const labelledOf = (r: { user_prompt: string }) => labelled.find((q) => q.userPrompt === r.user_prompt)!;
    expect(labelledOf(rated[0]!).models[rated[0]!.answered_by]!.correct).toBe(false);
    expect(labelledOf(rated[1]!).models[rated[1]!.answered_by]!.correct).toBe(true);
    // MMLU answers are letters: labels against gpt-4o's answer agree with the gold labels where gpt-4o is right.
    let compared = 0;
    labelled.forEach((q) => {
      if (rated.some((r) => r.user_prompt === q.userPrompt)) return;
      const gold = records.find((r) => r.userPrompt === q.userPrompt)!;
      if (!gold.models['gpt-4o']!.correct) return;
      for (const m of LADDER) expect(q.models[m]!.correct).toBe(gold.models[m]!.correct);
      compared++;
    });
    expect(compared).toBeGreaterThan(60);
    const cal = calibrate(labelled, { ladder: LADDER, targetQuality: 0.95 });
    expect(cal.train.n).toBe(120);
    // The order records arrive in (shadow calls finish in any order) changes nothing.
    const shuffled = await labelRecords([...live].reverse(), { judge: referenceJudge(), feedback });
    expect(shuffled.records).toEqual(labelled);
    expect(calibrate([...labelled].reverse(), { ladder: LADDER, targetQuality: 0.95 })).toEqual(cal);
    const out = join(dir(), 'calibration.json');
    const saved = await saveCalibrationFile(out, cal, {
      records: 120,
      labelledBy: 'reference-match',
      fromFeedback: 2,
    });
    expect(await loadCalibrationFile(out)).toEqual(saved);
  });

  it('a judge model answers YES or NO, and anything else is a clear error', async () => {
    const replies = ['YES', 'no.', 'Maybe'];
    const judgeProvider: Provider = {
      name: 'judge',
      complete: async (req) => ({
        content: replies.shift()!,
        toolCalls: [],
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
        model: req.model,
      }),
      stream: () => {
        throw new Error('not used');
      },
    };
    const judge = modelJudge({ provider: judgeProvider, model: 'judge-1' });
    const item = { system: '', question: 'Capital of France?', answer: 'Lyon', reference: 'Paris' };
    expect(await judge.judge(item)).toBe(true);
    expect(await judge.judge(item)).toBe(false);
    await expect(judge.judge(item)).rejects.toThrow(/judge model "judge-1" replied "Maybe", not YES or NO/);
    expect(() => modelJudge({ provider: judgeProvider, model: 'x', prompt: 'no fields' })).toThrow(
      /\{question\}/,
    );
  });
});

describe('calibration files', () => {
  it('are validated field by field and reloaded when they change', async () => {
    const train = await loadRecords(fixture('mmlu_qwen_oai_train'));
    const cal = calibrate(train, { ladder: LADDER, targetQuality: 0.95 });
    const file = join(dir(), 'calibration.json');
    await saveCalibrationFile(file, cal, { records: train.length, labelledBy: 'dataset' });
    const bad = JSON.parse(readFileSync(file, 'utf8'));
    bad.calibration.thresholds = [2];
    writeFileSync(join(dir(), 'x'), '');
    const badFile = join(dir(), 'bad.json');
    writeFileSync(badFile, JSON.stringify(bad));
    await expect(loadCalibrationFile(badFile)).rejects.toThrow(CalibrationFileError);
    await expect(loadCalibrationFile(badFile)).rejects.toThrow(/calibration.thresholds: must hold/);
    writeFileSync(badFile, '{');
    await expect(loadCalibrationFile(badFile)).rejects.toThrow(/bad.json: not valid JSON/);

    const seen: number[] = [];
    const errors: string[] = [];
    const controller = new AbortController();
    watchCalibrationFile(file, (f) => seen.push(f.source.records), {
      intervalMs: 20,
      signal: controller.signal,
      onError: (e) => errors.push(e.message),
    });
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(cond()).toBe(true);
    };
    writeFileSync(file, '{"format":"cascadeflow.calibration","version":1}');
    await until(() => errors.length === 1);
    expect(errors[0]).toMatch(/version: unsupported version 1/);
    await saveCalibrationFile(file, cal, { records: 7, labelledBy: 'dataset' });
    await until(() => seen.length === 1);
    expect(seen).toEqual([7]);
    controller.abort();
  });
});

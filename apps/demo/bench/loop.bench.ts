/**
 * The calibration loop, offline, on the path users take: the gateway in live mode in front of a loopback
 * upstream that answers as the recorded models did (rational-cascades, qwen_oai chain), recording on. 500 test
 * questions of a split are asked through the gateway (shadow calls record the tiers the cascade skipped), a
 * judge model on the upstream grades the answers (scripted from the dataset's labels), `calibrate()` runs on
 * the 500 records, and the calibration is measured on the split's other test questions (held back), against
 * the calibration built from the split's whole train split, in the same run. Also: how often the free
 * reference-match judge agrees with the gold labels. Writes bench-results/loop.json at the repository root.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  calibrate,
  GRADE_PROMPT,
  labelRecords,
  loadLiveRecords,
  loadRecords,
  modelJudge,
  runEval,
  sameAnswer,
} from '@cascadeflow/eval';
import { OpenAIProvider } from '@cascadeflow/openai';
import { type BenchResult, writeBenchResults } from '@cascadeflow/testing';
import OpenAI from 'openai';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway/start.js';
import { DEV_PRICES, startDevUpstream } from '../test/dev-upstream.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const data = process.env.CASCADEFLOW_DATASET ?? join(root, '../shared/datasets/rational-cascades');
if (!existsSync(data))
  throw new Error(`No dataset at ${data}; set CASCADEFLOW_DATASET to the rational-cascades directory.`);
const LADDER = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
const LIVE = 500;

let loopCost = 0;
let loopQuality = 0;
let trainCost = 0;
let trainQuality = 0;
let splits = 0;
let agree = 0;
let judged = 0;
for (const bench of ['mmlu', 'medmcqa', 'triviaqa']) {
  const train = await loadRecords(join(data, `${bench}_qwen_oai_train.jsonl`));
  const test = await loadRecords(join(data, `${bench}_qwen_oai_test.jsonl`));
  const traffic = test.slice(0, LIVE);
  const heldBack = test.slice(LIVE);
  const upstream = await startDevUpstream(test, LADDER);
  const dir = mkdtempSync(join(tmpdir(), 'cf-loop-bench-'));
  const recordsFile = join(dir, 'records.jsonl');
  const running = await startGateway(
    loadConfig(join(dir, 'none.json'), {
      port: 0,
      mode: 'live',
      profilesDb: join(dir, 'p.db'),
      defaultTier: 'enterprise',
      live: { baseURL: upstream.openaiBaseURL, ladder: LADDER, threshold: 0.75, prices: DEV_PRICES },
      recording: { file: recordsFile, sampleRate: 1, budgetUsd: 100, maxConcurrent: 8, maxQueued: 1000 },
    }),
  );
  const client = new OpenAI({ apiKey: 'cf-demo-key', baseURL: `${running.url}/v1`, maxRetries: 0 });
  let next = 0;
  const refused: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < traffic.length) {
        const r = traffic[next++]!;
        try {
          await client.chat.completions.create({
            model: 'cascade',
            messages: [
              { role: 'system', content: r.systemPrompt },
              { role: 'user', content: r.userPrompt },
            ],
          });
        } catch (e) {
          // The gateway's guardrails refuse some questions (a medical one naming a poison): not recorded.
          refused.push(`${(e as { code?: string }).code ?? (e as Error).message}`);
        }
      }
    }),
  );
  await running.engine.recorder!.flush();
  await running.stop();
  const live = await loadLiveRecords(recordsFile);
  const judge = modelJudge({
    provider: new OpenAIProvider({ baseURL: upstream.openaiBaseURL, apiKey: 'x' }),
    model: 'judge',
    prompt: GRADE_PROMPT,
  });
  const { records } = await labelRecords(live, { judge, judgeReference: true, concurrency: 8 });
  await upstream.close();
  const loopCal = calibrate(records, { ladder: LADDER, targetQuality: 0.95 });
  const trainCal = calibrate(train, { ladder: LADDER, targetQuality: 0.95 });
  const loop = await runEval(heldBack, loopCal, { fullLadder: LADDER });
  const base = await runEval(heldBack, trainCal, { fullLadder: LADDER });
  loopCost += loop.cost_ratio;
  loopQuality += loop.quality_ratio;
  trainCost += base.cost_ratio;
  trainQuality += base.quality_ratio;
  splits++;
  process.stdout.write(
    `${bench}: ${live.length} records (${refused.length} requests refused by the gateway: ${[...new Set(refused)].join(', ') || 'none'}); on ${heldBack.length} held-back questions the loop's calibration has quality ${loop.quality_ratio.toFixed(4)} cost ${loop.cost_ratio.toFixed(4)}, the train split's ${base.quality_ratio.toFixed(4)} / ${base.cost_ratio.toFixed(4)}\n`,
  );
  // The free reference-match judge against the gold labels, on every drafter answer of the test split.
  for (const r of test) {
    const reference = r.models['gpt-4o']!.answer;
    for (const m of LADDER.slice(0, -1)) {
      judged++;
      if (sameAnswer(r.models[m]!.answer, reference) === r.models[m]!.correct) agree++;
    }
  }
}

const results: BenchResult[] = [
  {
    name: 'loop_cost_ratio_after_500',
    value: +(loopCost / splits).toFixed(4),
    unit: `mean cost on held-back questions, calibrated on ${LIVE} recorded live requests (baseline: on the train split); goal within 0.05`,
    baseline: +(trainCost / splits).toFixed(4),
    ratio: +(loopCost / trainCost).toFixed(4),
  },
  {
    name: 'loop_quality_ratio_after_500',
    value: +(loopQuality / splits).toFixed(4),
    unit: `mean quality on held-back questions, calibrated on ${LIVE} recorded live requests (baseline: on the train split); goal within 0.05`,
    baseline: +(trainQuality / splits).toFixed(4),
    ratio: +(loopQuality / trainQuality).toFixed(4),
  },
  {
    name: 'judge_reference_match_agreement',
    value: +(agree / judged).toFixed(4),
    unit: 'share of drafter answers whose reference-match label equals the gold label (qwen_oai mmlu, medmcqa, triviaqa test)',
  },
];
writeBenchResults(join(root, 'bench-results/loop.json'), results);

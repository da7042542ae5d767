/**
 * Offline: the calibration loop on "live" traffic. An agent answers recorded MMLU questions through the
 * replay provider with the recording plugin on (shadow calls record the tiers it skipped), the records are
 * labelled against the strongest model's answer, calibrated, saved as a calibration file and loaded back,
 * then replayed on unseen questions. CI runs it. Data: Zellinger & Thomson, arXiv:2501.09345.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CascadeAgent } from '@cascadeflow/core';
import {
  calibrate,
  jsonlRecordSink,
  labelRecords,
  loadCalibrationFile,
  loadLiveRecords,
  loadRecords,
  ReplayProvider,
  recordingPlugin,
  referenceJudge,
  runEval,
  saveCalibrationFile,
} from '@cascadeflow/eval';

const file = (name: string) => fileURLToPath(new URL(`../fixtures/${name}.jsonl.gz`, import.meta.url));
const ladder = ['gpt-4o-mini', 'qwen2.5-72b-instruct', 'gpt-4o'];
const dir = mkdtempSync(join(tmpdir(), 'cf-example-'));

// "Live" traffic: recorded questions answered by the replay provider, as a live provider would.
const traffic = await loadRecords(file('mmlu_qwen_oai_train'));
const provider = new ReplayProvider(traffic);
const recorder = recordingPlugin({
  ladder: ladder.map((model) => ({ model, provider })),
  sampleRate: 1,
  budgetUsd: 1,
  maxQueued: 1000,
  sink: jsonlRecordSink(join(dir, 'records.jsonl')),
});
const agent = new CascadeAgent({
  providers: { replay: provider },
  ladder: ladder.map((model, i) => ({ model, provider: 'replay', ...(i < 2 ? { threshold: 0.75 } : {}) })),
  plugins: [recorder],
  defaultPrices: false,
});
for (const q of traffic) {
  await agent.run({
    messages: [
      { role: 'system', content: q.systemPrompt },
      { role: 'user', content: q.userPrompt },
    ],
  });
}
await recorder.flush();
console.log(
  `recorded ${recorder.counts.written} requests; shadow calls cost $${recorder.spentUsd.toFixed(4)}`,
);

const { records, summary } = await labelRecords(await loadLiveRecords(join(dir, 'records.jsonl')), {
  judge: referenceJudge(),
});
console.log(`labelled: ${summary.matched} answers the same as the strongest, ${summary.judged} judged`);
const saved = join(dir, 'calibration.json');
await saveCalibrationFile(saved, calibrate(records, { ladder, targetQuality: 0.9 }), {
  records: records.length,
  labelledBy: 'reference-match',
});
const { calibration } = await loadCalibrationFile(saved);
console.log(
  `calibration: ${calibration.ladder.join(' → ')}, expected quality ${calibration.train.quality.toFixed(3)}, cost ${calibration.train.costRatio.toFixed(3)}${calibration.noSaving ? ` (no saving: ${calibration.noSaving})` : ''}`,
);
const report = await runEval(await loadRecords(file('mmlu_qwen_oai_test')), calibration, {
  fullLadder: ladder,
});
console.log(
  `on ${report.n} unseen questions (gold labels): quality ${report.quality_ratio.toFixed(3)}, cost ${report.cost_ratio.toFixed(3)}`,
);

/**
 * Offline: calibrate a cascade on recorded answers (a subset of MMLU, gpt-4o-mini → … → gpt-4o), then replay
 * unseen questions through the real engine and compare with the baselines. `pnpm example` runs it, CI too.
 * Data: Zellinger & Thomson, arXiv:2501.09345 (see fixtures/README.md).
 */
import { fileURLToPath } from 'node:url';
import { calibrate, loadRecords, runEval } from '@cascadeflow/eval';

const file = (name: string) => fileURLToPath(new URL(`../fixtures/${name}.jsonl.gz`, import.meta.url));
const ladder = ['gpt-4o-mini', 'qwen2.5-32b-coder-instruct', 'qwen2.5-72b-instruct', 'gpt-4o'];

const train = await loadRecords(file('mmlu_qwen_oai_train'));
const calibration = calibrate(train, { ladder, targetQuality: 0.95 });
console.log(`calibrated on ${train.length} questions: ${calibration.ladder.join(' → ')}`);
console.log(
  `  thresholds ${calibration.thresholds.map((t) => t.toFixed(3)).join(', ')}; train quality ${calibration.train.quality.toFixed(3)} (lower bound ${calibration.train.qualityLowerBound.toFixed(3)}), cost ${calibration.train.costRatio.toFixed(3)}`,
);

const test = await loadRecords(file('mmlu_qwen_oai_test'));
const report = await runEval(test, calibration, { fullLadder: ladder });
console.log(
  `replayed ${report.n} unseen questions: quality ${report.quality_ratio.toFixed(3)}, cost ${report.cost_ratio.toFixed(3)}, escalated ${report.escalation_rate.toFixed(3)}`,
);
console.log(
  `  always ${report.baselines.always_cheapest.model}: quality ${report.baselines.always_cheapest.quality_ratio.toFixed(3)}, cost ${report.baselines.always_cheapest.cost_ratio.toFixed(3)}`,
);
console.log(`  oracle at the same quality: cost ${report.baselines.oracle.cost_ratio.toFixed(3)}`);

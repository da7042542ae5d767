export {
  type CalibrateOptions,
  type Calibration,
  calibrate,
  type SignalKind,
  signalOf,
} from './calibrate/calibrate.js';
export { calibratedAgent, calibratedValidator } from './calibrate/calibrated-validator.js';
export { agreement, FEATURE_NAMES, featureVector } from './calibrate/features.js';
export { loadRecords, readRecords } from './dataset/read.js';
export {
  type ConfidenceSignal,
  checkLadder,
  DatasetError,
  type RecordedAnswer,
  type RecordedQuestion,
} from './dataset/records.js';
export { type ChartOptions, type ChartPoint, costQualityChart } from './eval/chart.js';
export { oracle, type PolicyPoint, randomEscalation, singleModel } from './eval/metrics.js';
export { type EvalOptions, type EvalReport, runEval, simulatePoint, simulateStops } from './eval/run-eval.js';
export { SWEEP_TARGETS, sweep } from './eval/sweep.js';
export { type ReplayOptions, ReplayProvider } from './replay/replay-provider.js';

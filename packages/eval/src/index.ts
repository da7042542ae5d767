export {
  type CalibrateOptions,
  type Calibration,
  calibrate,
  type SignalKind,
  type TierDiagnostics,
} from './calibrate/calibrate.js';
export { calibratedAgent, calibratedValidator } from './calibrate/calibrated-validator.js';
export { withoutSignal, writeNoSignalDataset, writeRecords } from './dataset/no-signal.js';
export { loadRecords, readRecords } from './dataset/read.js';
export {
  type ConfidenceSignal,
  DatasetError,
  type RecordedAnswer,
  type RecordedQuestion,
} from './dataset/records.js';
export { type ChartOptions, type ChartPoint, costQualityChart } from './eval/chart.js';
export type { PolicyPoint } from './eval/metrics.js';
export { type EvalOptions, type EvalReport, runEval } from './eval/run-eval.js';
export { sweep } from './eval/sweep.js';
export { type ReplayOptions, ReplayProvider } from './replay/replay-provider.js';

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
export {
  type CalibrationFile,
  CalibrationFileError,
  type CalibrationSource,
  loadCalibrationFile,
  parseCalibrationFile,
  saveCalibrationFile,
} from './loop/calibration-file.js';
export {
  GRADE_PROMPT,
  JUDGE_PROMPT,
  type Judge,
  type JudgeItem,
  type ModelJudgeOptions,
  modelJudge,
  referenceJudge,
  sameAnswer,
} from './loop/judge.js';
export { type Feedback, type LabelOptions, type LabelSummary, labelRecords } from './loop/label.js';
export type { LiveAnswer, LiveRecord } from './loop/live-record.js';
export { loadFeedback, loadLiveRecords } from './loop/read-live.js';
export {
  type RecordingEvents,
  type RecordingOptions,
  type RecordingPlugin,
  recordingPlugin,
} from './loop/recording-plugin.js';
export { jsonlRecordSink, type RecordSink } from './loop/sink.js';
export { type WatchCalibrationOptions, watchCalibrationFile } from './loop/watch-calibration.js';
export { type ReplayOptions, ReplayProvider } from './replay/replay-provider.js';

export type { BatchConfig, BatchStrategy } from './config.js';
export type { BatchInput, BatchItemOutcome } from './items.js';
export { type FileBatchSummary, runBatchFile } from './jsonl.js';
export type { BatchProgress } from './progress.js';
export { type BatchResult, type BatchRun, runBatch, startBatch } from './run-batch.js';
export { supportsNativeBatch } from './strategies/native.js';

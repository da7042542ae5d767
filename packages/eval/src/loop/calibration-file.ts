import { readFile, rename, writeFile } from 'node:fs/promises';
import { CascadeFlowError } from '@cascadeflow/core';
import type { Calibration } from '../calibrate/calibrate.js';

/** Where a calibration came from, stored beside it. */
export interface CalibrationSource {
  /** Records it was fitted on. */
  records: number;
  /** How they were labelled (`dataset`, `reference-match`, `model:<name>`), and how many by users' feedback. */
  labelledBy: string;
  fromFeedback?: number;
  /** Free-form: the recording file, a note. */
  note?: string;
}

/** A calibration file: a versioned envelope around a {@link Calibration}. */
export interface CalibrationFile {
  format: 'cascadeflow.calibration';
  version: 2;
  createdAt: string;
  source: CalibrationSource;
  calibration: Calibration;
}

/**
 * A calibration file could not be used: names the file, the field and the problem.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof CalibrationFileError) console.error(e.file, e.field); }
 * ```
 */
export class CalibrationFileError extends CascadeFlowError {
  static override readonly kind: string = 'cascadeflow.eval.CalibrationFileError';
  readonly file: string;
  readonly field: string | null;
  constructor(file: string, field: string | null, problem: string) {
    super('invalid_calibration', `${file}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'CalibrationFileError';
    this.file = file;
    this.field = field;
  }
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks a parsed calibration file; throws {@link CalibrationFileError} naming the first bad field. */
export function parseCalibrationFile(raw: unknown, file = 'calibration'): CalibrationFile {
  const fail = (field: string, problem: string): never => {
    throw new CalibrationFileError(file, field, problem);
  };
  if (typeof raw !== 'object' || raw === null) return fail('(file)', 'is not a JSON object');
  const f = raw as Record<string, unknown>;
  if (f.format !== 'cascadeflow.calibration') fail('format', 'must be "cascadeflow.calibration"');
  if (f.version !== 2)
    fail('version', `unsupported version ${String(f.version)}; this release reads 2: run calibrate again`);
  const c = f.calibration as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null) return fail('calibration', 'missing or not an object');
  if (c.version !== 2) fail('calibration.version', 'must be 2');
  const ladder = c.ladder;
  if (
    !Array.isArray(ladder) ||
    ladder.length === 0 ||
    !ladder.every((m) => typeof m === 'string' && m !== '')
  )
    return fail('calibration.ladder', 'must be a non-empty list of model names');
  const k = ladder.length;
  const thresholds = c.thresholds;
  if (!Array.isArray(thresholds) || thresholds.length !== k - 1)
    fail('calibration.thresholds', `must hold ${k - 1} numbers (one per tier but the last)`);
  (thresholds as unknown[]).forEach((t, i) => {
    if (!finite(t) || t < 0 || t > 1) fail(`calibration.thresholds.${i}`, 'must be a number in [0, 1]');
  });
  const weights = c.weights;
  if (!Array.isArray(weights) || weights.length !== k - 1)
    fail('calibration.weights', `must hold ${k - 1} weight vectors`);
  (weights as unknown[]).forEach((w, i) => {
    if (!Array.isArray(w) || w.length === 0 || !w.every(finite))
      fail(`calibration.weights.${i}`, 'must be a non-empty list of finite numbers');
  });
  const text = c.textModels as Record<string, unknown> | undefined;
  if (typeof text !== 'object' || text === null)
    return fail('calibration.textModels', 'missing or not an object');
  for (const m of ladder.slice(0, -1) as string[]) {
    const t = text[m] as Record<string, unknown> | undefined;
    if (!t || !finite(t.dims) || !finite(t.bias) || typeof t.weights !== 'object' || t.weights === null)
      fail(`calibration.textModels.${m}`, 'missing or malformed (dims, bias, weights)');
  }
  for (const f2 of ['targetQuality', 'confidence'])
    if (!finite(c[f2])) fail(`calibration.${f2}`, 'missing or not a number');
  const train = c.train as Record<string, unknown> | undefined;
  for (const f2 of ['n', 'quality', 'qualityLowerBound', 'costRatio', 'costUpperBound'])
    if (!finite(train?.[f2])) fail(`calibration.train.${f2}`, 'missing or not a number');
  const source = f.source as Record<string, unknown> | undefined;
  if (!finite(source?.records) || typeof source?.labelledBy !== 'string')
    fail('source', 'must give records (a number) and labelledBy');
  if (typeof f.createdAt !== 'string' || Number.isNaN(Date.parse(f.createdAt)))
    fail('createdAt', 'must be an ISO date');
  return f as unknown as CalibrationFile;
}

/**
 * Reads and validates a calibration file.
 *
 * @example
 * ```ts
 * const { calibration, source } = await loadCalibrationFile('calibration.json');
 * ```
 */
export async function loadCalibrationFile(file: string): Promise<CalibrationFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CalibrationFileError(file, null, `cannot read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CalibrationFileError(file, null, `not valid JSON (${(e as Error).message})`);
  }
  return parseCalibrationFile(raw, file);
}

/**
 * Writes a calibration file atomically (to a temporary file, then renamed), so that a process watching it
 * never reads half a file.
 *
 * @example
 * ```ts
 * await saveCalibrationFile('calibration.json', calibrate(records, options), { records: records.length, labelledBy: 'dataset' });
 * ```
 */
export async function saveCalibrationFile(
  file: string,
  calibration: Calibration,
  source: CalibrationSource,
): Promise<CalibrationFile> {
  const envelope: CalibrationFile = {
    format: 'cascadeflow.calibration',
    version: 2,
    createdAt: new Date().toISOString(),
    source,
    calibration,
  };
  parseCalibrationFile(envelope, file);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(envelope)}\n`);
  await rename(tmp, file);
  return envelope;
}

import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type CalibrationFile, loadCalibrationFile } from './calibration-file.js';

/** Options of {@link watchCalibrationFile}. */
export interface WatchCalibrationOptions {
  /** How often to look at the file, in ms (default 1000). */
  intervalMs?: number;
  /** Stops watching. */
  signal?: AbortSignal;
  /** A changed file that is not a valid calibration: the previous one stays live. */
  onError?: (error: Error) => void;
}

/**
 * Calls `onChange` with the calibration each time the file changes after the call (and is valid). Polls the file's
 * modification time and size; the timer never keeps the process alive. Returns a function that stops it.
 *
 * @example
 * ```ts
 * const stop = watchCalibrationFile('calibration.json', (f) => { agent = calibratedAgent(f.calibration, providers, 'openai'); });
 * ```
 */
export function watchCalibrationFile(
  file: string,
  onChange: (file: CalibrationFile) => void,
  options: WatchCalibrationOptions = {},
): () => void {
  const markOf = (s: { mtimeMs: number; size: number; ino: number } | null) =>
    s ? `${s.mtimeMs}:${s.size}:${s.ino}` : null;
  // The file as it is now counts as seen: only later changes are reported.
  let last: string | null = markOf(statSync(file, { throwIfNoEntry: false }) ?? null);
  let busy = false;
  const look = async () => {
    if (busy) return;
    busy = true;
    try {
      const s = await stat(file).catch(() => null);
      const mark = markOf(s);
      if (mark === null || mark === last) return;
      last = mark;
      try {
        onChange(await loadCalibrationFile(file));
      } catch (e) {
        options.onError?.(e as Error);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(look, options.intervalMs ?? 1000);
  timer.unref();
  const stop = () => clearInterval(timer);
  options.signal?.addEventListener('abort', stop, { once: true });
  return stop;
}

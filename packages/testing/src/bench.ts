import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One benchmark figure, as written to `bench-results/<package>.json`. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same figure for the baseline (bare SDK, no plugin, …), measured in the same run. */
  baseline?: number;
  /** The goal the value is held to: a target, never measured. */
  target?: number;
  /** value / baseline when a baseline was measured, else value / target (absent when neither applies). */
  ratio?: number;
}

/**
 * The median of a list of numbers (the mean of the two middle values for an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list: measure at least one sample');
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Writes a benchmark's figures as JSON (creating the folder) and prints one line per figure to stdout. With
 * `merge`, figures of other names already in the file are kept (several benchmarks share one file).
 *
 * @example
 * ```ts
 * writeBenchResults('bench-results/core.json', [{ name: 'x_ratio', value: 1.2, unit: 'µs', baseline: 1, ratio: 1.2 }, { name: 'p50_us', value: 4, unit: 'µs', target: 100, ratio: 0.04 }]);
 * ```
 */
export function writeBenchResults(
  file: string,
  results: readonly BenchResult[],
  options: { merge?: boolean } = {},
): void {
  mkdirSync(dirname(file), { recursive: true });
  const names = new Set(results.map((r) => r.name));
  const kept =
    options.merge && existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !names.has(r.name))
      : [];
  writeFileSync(file, `${JSON.stringify([...kept, ...results], null, 2)}\n`);
  for (const r of results) {
    const against = [
      r.baseline !== undefined ? `measured baseline ${r.baseline}` : '',
      r.target !== undefined ? `target ${r.target}` : '',
      r.ratio !== undefined ? `ratio ${r.ratio}` : '',
    ].filter(Boolean);
    process.stdout.write(
      `${r.name}: ${r.value} ${r.unit}${against.length ? ` (${against.join(', ')})` : ''}\n`,
    );
  }
}

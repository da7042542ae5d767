import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { median, writeBenchResults } from '../src/index.js';

describe('bench helpers', () => {
  it('median: middle value, mean of the middle two, error on empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/empty/);
  });

  it('writeBenchResults: creates the folder, writes JSON, prints each figure', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-')), 'nested/x.json');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const results = [{ name: 'a_ratio', value: 1.5, unit: 'µs', baseline: 1, ratio: 1.5 }];
    writeBenchResults(file, results);
    const printed = write.mock.calls.map((c) => c[0]);
    write.mockRestore();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(results);
    expect(printed).toEqual(['a_ratio: 1.5 µs (measured baseline 1, ratio 1.5)\n']);
  });
});

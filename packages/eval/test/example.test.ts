import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/calibrate-and-replay.ts runs offline', async () => {
    const file = fileURLToPath(new URL('../examples/calibrate-and-replay.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 60_000,
    });
    expect(stdout).toMatch(/calibrated on 150 questions: gpt-4o-mini → .*gpt-4o/);
    expect(stdout).toMatch(/replayed 200 unseen questions: quality 0\.\d{3}, cost 0\.\d{3}/);
  });

  it('examples/record-and-calibrate.ts runs the calibration loop offline', async () => {
    const file = fileURLToPath(new URL('../examples/record-and-calibrate.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 60_000,
    });
    expect(stdout).toMatch(/recorded 150 requests; shadow calls cost \$0\.\d{4}/);
    expect(stdout).toMatch(
      /calibration: gpt-4o-mini → .*gpt-4o, expected quality \d\.\d{3}, cost 0\.\d{3}\n/,
    );
    expect(stdout).toMatch(/on 200 unseen questions \(gold labels\): quality \d\.\d{3}, cost 0\.\d{3}/);
  });
});

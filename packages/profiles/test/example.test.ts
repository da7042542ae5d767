import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/profiles.ts runs offline', async () => {
    const file = fileURLToPath(new URL('../examples/profiles.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/alice \(free\): "A draft answer\." from gpt-4o-mini/);
    expect(stdout).toMatch(/bob \(pro\): "A careful answer\." from gpt-4o/);
    expect(stdout).toMatch(/alice with tools: feature_not_available/);
    expect(stdout).toMatch(/alice is now starter, version 2/);
  });
});

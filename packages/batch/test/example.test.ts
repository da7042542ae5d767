import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/batch.ts runs offline', async () => {
    const file = fileURLToPath(new URL('../examples/batch.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/concurrent: 10 ok/);
    expect(stdout).toMatch(
      /native: 10 ok, cost \$[\d.]+ \(0\.50× the concurrent cost\), provider batches: 2/,
    );
  });
});

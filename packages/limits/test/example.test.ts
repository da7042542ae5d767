import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/limits.ts runs offline and refuses the fourth request', async () => {
    const file = fileURLToPath(new URL('../examples/limits.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/request 3: Paris/);
    expect(stdout).toMatch(/request 4: rate_limited: .*requests_per_minute of 3 reached for "alice"/);
    expect(stdout).toMatch(/\[event\] alice refused by requests_per_minute/);
    expect(stdout).toMatch(/alice used 3 requests this minute/);
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/sdk-roundtrip.ts runs offline', async () => {
    const file = fileURLToPath(new URL('../examples/sdk-roundtrip.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/openai: Paris \(logprob -0\.02\)/);
    expect(stdout).toMatch(/fault: HTTP 429, retry-after 2 s/);
    expect(stdout).toMatch(/anthropic stream: Bonjour, le monde\./);
  });
});

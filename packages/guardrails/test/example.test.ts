import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/guardrails.ts runs offline', async () => {
    const file = fileURLToPath(new URL('../examples/guardrails.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
    });
    expect(stdout).toMatch(/provider saw: "Please email \[EMAIL_1\], card \[CARD\]\."/);
    expect(stdout).toMatch(/user got: +"I will write to ann@example\.com\."/);
    expect(stdout).toMatch(/blocked: +guardrail_blocked: .*secret \(aws\)/);
    expect(stdout).toMatch(/blocked: +guardrail_blocked: .*harassment\/threatening/);
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('examples/anthropic.ts runs offline: a sure draft is kept, a hedging one escalates', async () => {
    const file = fileURLToPath(new URL('../examples/anthropic.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 30_000 });
    expect(stdout).toMatch(/A: Paris\.\s+\[claude-haiku-4-5; tiers tried: claude-haiku-4-5\]/);
    expect(stdout).toMatch(
      /A: The Titanic sank on 15 April 1912\.\s+\[claude-sonnet-4-20250514; tiers tried: claude-haiku-4-5 → claude-sonnet-4-20250514\]/,
    );
  });
});

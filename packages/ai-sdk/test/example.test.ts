import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('examples/ai-sdk.ts runs offline: generateText keeps the draft, streamText shows only the escalated answer', async () => {
    const file = fileURLToPath(new URL('../examples/ai-sdk.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 30_000 });
    expect(stdout).toMatch(/generateText: Paris\. \[tiers tried: gpt-4o-mini; saving \$0\.\d+\]/);
    expect(stdout).toMatch(
      /streamText: The Titanic sank on 15 April 1912\. \[tiers tried: gpt-4o-mini → gpt-4o\]/,
    );
  });
});

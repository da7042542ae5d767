import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('examples/tracing.ts runs offline and prints run and attempt spans', async () => {
    const file = fileURLToPath(new URL('../examples/tracing.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 30_000 });
    expect(stdout).toMatch(/chat gpt-4o-mini: accepted, score 0\.98/);
    expect(stdout).toMatch(/chat gpt-4o-mini: rejected/);
    expect(stdout).toMatch(/chat gpt-4o: accepted/);
    expect(stdout.match(/invoke_agent cascadeflow: accepted/g)).toHaveLength(2);
  });
});

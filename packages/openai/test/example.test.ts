import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('examples/basic.ts runs offline and shows one accepted draft and one escalation', async () => {
    const file = fileURLToPath(new URL('../examples/basic.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 30_000 });
    expect(stdout).toMatch(/A: Paris\.\s+\[gpt-4o-mini, 1 call\(s\)\]/);
    expect(stdout).toMatch(/escalated gpt-4o-mini → gpt-4o/);
    expect(stdout).toMatch(/A: The Titanic sank on 15 April 1912\.\s+\[gpt-4o, 2 call\(s\)\]/);
  });

  it('examples/threaded.ts runs the same cascade with its provider in a worker thread', async () => {
    const file = fileURLToPath(new URL('../examples/threaded.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 30_000 });
    expect(stdout).toMatch(/A: Paris\.\s+\[gpt-4o-mini; draft scored 0\.98\]/);
    expect(stdout).toMatch(/A: The Titanic sank on 15 April 1912\.\s+\[gpt-4o; draft scored 0\.41\]/);
    expect(stdout).toMatch(/streamed through the thread: Paris\./);
  });
});

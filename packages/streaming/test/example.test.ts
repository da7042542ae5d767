import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples', () => {
  it('examples/stream-modes.ts runs offline: buffer hides the draft, stream retracts it', async () => {
    const file = fileURLToPath(new URL('../examples/stream-modes.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
    });
    const [buffer, stream] = stdout.split('--- stream mode');
    expect(buffer).not.toMatch(/retracted/);
    expect(buffer).toMatch(/answer: "The capital of France is Paris\." from gpt-4o/);
    expect(stream).toMatch(/shown, then retracted: "I'm not sure, maybe Lyon\?"/);
    expect(stream).toMatch(/answer: "The capital of France is Paris\." from gpt-4o/);
  });
});

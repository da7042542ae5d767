import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/${name}.jsonl.gz`, import.meta.url));

/** Writes lines to a temporary .jsonl file and returns its path. */
export function tempJsonl(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cf-eval-'));
  const file = join(dir, 'data.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A record line in the dataset's format. */
export function recordLine(
  idx: number,
  models: Record<string, { answer: string; correct: boolean; raw_conf: number | null; cost_usd: number }>,
  signal = 'ModelIntrinsicLogProb',
): string {
  return JSON.stringify({
    benchmark: 'synthetic',
    split: 'train',
    chain: 'toy',
    idx,
    conf_signal_type: signal,
    system_prompt: 'Answer with a letter.',
    user_prompt: `Question ${idx}?`,
    gold: 'A',
    models: Object.fromEntries(
      Object.entries(models).map(([m, a]) => [
        m,
        { ...a, tokens_in: 10, tokens_out: 1, latency_ms: 5, judge: null, judge_response: null },
      ]),
    ),
  });
}

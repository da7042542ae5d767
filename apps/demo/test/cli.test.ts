import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { capture } from './helpers.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../packages/eval/fixtures/${name}.jsonl.gz`, import.meta.url));

describe('cascadeflow eval', () => {
  it('--json prints one JSON object with the documented top level', async () => {
    const out = capture();
    const err = capture();
    const dir = mkdtempSync(join(tmpdir(), 'cf-cli-'));
    const code = await main(
      [
        'eval',
        '--dataset',
        fixture('mmlu_qwen_oai_test'),
        '--calibrate',
        fixture('mmlu_qwen_oai_train'),
        '--json',
        '--chart',
        join(dir, 'c.svg'),
        '--target',
        '0.9',
      ],
      out.stream,
      err.stream,
    );
    expect(err.text()).toBe('');
    expect(code).toBe(0);
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(report).toMatchObject({
      n: 200,
      quality_ratio: expect.any(Number),
      cost_ratio: expect.any(Number),
      escalation_rate: expect.any(Number),
      baselines: {
        always_cheapest: {
          model: 'gpt-4o-mini',
          quality_ratio: expect.any(Number),
          cost_ratio: expect.any(Number),
        },
        always_strongest: { model: 'gpt-4o', quality_ratio: 1, cost_ratio: 1 },
        random_same_rate: { quality_ratio: expect.any(Number), cost_ratio: expect.any(Number) },
        oracle: { quality_ratio: expect.any(Number), cost_ratio: expect.any(Number) },
      },
    });
    expect(report.cost_ratio).toBeLessThan(1);
    const svg = readFileSync(join(dir, 'c.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('oracle, same quality');
  });

  it('prints a readable report without --json', async () => {
    const out = capture();
    const code = await main(
      [
        'eval',
        '--dataset',
        fixture('triviaqa_llama_test'),
        '--calibrate',
        fixture('triviaqa_llama_train'),
        '--ladder',
        'llama3.1-8b,llama3.1-70b,llama3.1-405b',
      ],
      out.stream,
      capture().stream,
    );
    expect(code).toBe(0);
    expect(out.text()).toMatch(/quality: +\d+\.\d% of llama3\.1-405b/);
    expect(out.text()).toMatch(/oracle at the same quality: cost \d\.\d{3}/);
  });

  it('fails with a clear message for a missing flag, a bad number or an unknown model', async () => {
    const err = capture();
    expect(await main(['eval', '--calibrate', 'x'], capture().stream, err.stream)).toBe(1);
    expect(err.text()).toMatch(/--dataset is required/);
    const err2 = capture();
    expect(
      await main(
        [
          'eval',
          '--dataset',
          fixture('mmlu_qwen_oai_test'),
          '--calibrate',
          fixture('mmlu_qwen_oai_train'),
          '--target',
          'high',
        ],
        capture().stream,
        err2.stream,
      ),
    ).toBe(1);
    expect(err2.text()).toMatch(/--target: "high" is not a number/);
    const err3 = capture();
    expect(
      await main(
        [
          'eval',
          '--dataset',
          fixture('mmlu_qwen_oai_test'),
          '--calibrate',
          fixture('mmlu_qwen_oai_train'),
          '--ladder',
          'gpt-4o-mini,gpt-5',
        ],
        capture().stream,
        err3.stream,
      ),
    ).toBe(1);
    expect(err3.text()).toMatch(/\[invalid_dataset\].*model "gpt-5" is not in the dataset/);
    expect(await main(['frobnicate'], capture().stream, capture().stream)).toBe(2);
  });
});

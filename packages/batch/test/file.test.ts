import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '@cascadeflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runBatchFile } from '../src/index.js';
import { setup, verifier } from './helpers.js';

let server: TestServer;
afterEach(async () => server?.close());

describe('JSONL files', () => {
  it('streams in and out, and a stopped run resumes where it stopped', async () => {
    const env = await setup(
      { 'gpt-4o-mini': { content: 'ok', logprobs: -0.01, latencyMs: 10 }, 'gpt-4o': verifier },
      { ladder: [{ model: 'gpt-4o-mini', provider: 'openai' }] },
    );
    server = env.server;
    const dir = mkdtempSync(join(tmpdir(), 'cf-batch-file-'));
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    writeFileSync(
      input,
      `${Array.from({ length: 40 }, (_, i) => (i % 3 ? JSON.stringify({ query: `q${i}`, id: `item-${i}` }) : `plain text question ${i}`)).join('\n')}\n`,
    );
    const controller = new AbortController();
    let seen = 0;
    await runBatchFile(
      env.agent,
      input,
      output,
      { maxParallel: 4, signal: controller.signal, retryFailed: false },
      () => {
        if (++seen === 12) controller.abort();
      },
    );
    const firstLines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const firstOk = firstLines.length;
    expect(firstLines.every((l) => l.ok)).toBe(true); // items cut off by the abort left no line
    expect(firstOk).toBeGreaterThanOrEqual(12);
    expect(firstOk).toBeLessThan(40);
    const second = await runBatchFile(env.agent, input, output, { maxParallel: 4 });
    expect(second.resumed).toBe(firstOk);
    const all = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(all.map((l) => l.index)).size).toBe(40);
    expect(all.every((l) => l.ok)).toBe(true);
    expect(all.find((l) => l.index === 4).id).toBe('item-4');
    // every item answered once in the first run or once in the second (plus the few aborted in flight)
    expect(server.requests.length).toBeLessThanOrEqual(40 + 4);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// tsx from the workspace root (the tests run the CLI from temporary directories).
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const cli = (args: string[], cwd: string) => run(tsx, [main, ...args], { cwd, timeout: 60_000 });
const Q = 'Rachel, Monica and Phoebe are characters in which US television series?';

describe('cascadeflow chat and batch', () => {
  it('chat streams an answer to the terminal and says it is replay', async () => {
    const { stdout } = await cli(['chat', Q], mkdtempSync(join(tmpdir(), 'cf-cli-')));
    expect(stdout).toMatch(/\[replay of recorded real answers\]/);
    expect(stdout).toMatch(/gpt-4o-mini: /);
    expect(stdout).toMatch(/answer from \S+ \(tier \d\), cost \$/);
  });

  it('chat refuses a question outside the recording with a way forward', async () => {
    const err = await cli(['chat', 'What is love?'], mkdtempSync(join(tmpdir(), 'cf-cli-'))).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/not among the recorded questions.*set OPENAI_API_KEY/);
  });

  it('batch runs a file, and a second run resumes (nothing to redo)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-cli-'));
    writeFileSync(join(dir, 'in.jsonl'), `${[Q, JSON.stringify({ query: Q }), 'not recorded'].join('\n')}\n`);
    const first = await cli(['batch', 'in.jsonl', 'out.jsonl'], dir);
    expect(first.stdout).toMatch(/done: 2 ok, 1 failed, 0 already done before/);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    const second = await cli(['batch', 'in.jsonl', 'out.jsonl'], dir);
    expect(second.stdout).toMatch(/done: 0 ok, 0 failed, 3 already done before/);
  });

  it('a bad config file gives an error naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-cfg-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ port: 'eighty', mode: 'replay' }));
    expect(() => loadConfig(join(dir, 'c.json'))).toThrow(/c\.json\.port: /);
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ prot: 80 }));
    expect(() => loadConfig(join(dir, 'd.json'))).toThrow(/d\.json: unknown field prot/);
  });
});

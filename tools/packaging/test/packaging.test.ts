import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { installs, TSC } from './install.js';

const run = promisify(execFile);
let result: Awaited<ReturnType<typeof installs>>;
beforeAll(async () => {
  result = await installs();
});

describe('installed from the tarballs into a fresh project outside the workspace', () => {
  it('core + limits bring in no LLM SDK and stay small', () => {
    const { installed, mib } = result.coreLimits;
    expect(installed).toContain('@cascadeflow/core');
    expect(installed).toContain('@cascadeflow/limits');
    expect(installed).not.toContain('openai');
    expect(installed).not.toContain('@anthropic-ai/sdk');
    expect(mib).toBeLessThanOrEqual(15);
  });

  it('core + openai bring in the OpenAI SDK, and not the Anthropic one', () => {
    expect(result.coreOpenai.installed).toContain('openai');
    expect(result.coreOpenai.installed).not.toContain('@anthropic-ai/sdk');
  });

  it('ESM import and CommonJS require both work', async () => {
    const { dir } = result.coreLimits;
    writeFileSync(
      join(dir, 'esm.mjs'),
      "import { CascadeAgent } from '@cascadeflow/core'; import { limitsPlugin } from '@cascadeflow/limits'; console.log(typeof CascadeAgent, typeof limitsPlugin);",
    );
    writeFileSync(
      join(dir, 'cjs.cjs'),
      "const { CascadeAgent } = require('@cascadeflow/core'); const { limitsPlugin } = require('@cascadeflow/limits'); console.log(typeof CascadeAgent, typeof limitsPlugin);",
    );
    for (const file of ['esm.mjs', 'cjs.cjs'])
      expect((await run(process.execPath, [file], { cwd: dir })).stdout.trim()).toBe('function function');
  });

  it('types check under node16 and bundler resolution', async () => {
    const { dir } = result.coreLimits;
    writeFileSync(
      join(dir, 'use.ts'),
      [
        "import { CascadeAgent, type Provider } from '@cascadeflow/core';",
        "import { limitsPlugin } from '@cascadeflow/limits';",
        "const p: Provider = { name: 'x', complete: async () => { throw new Error('x'); }, stream: () => { throw new Error('x'); } };",
        "export const agent = new CascadeAgent({ providers: { x: p }, ladder: [{ model: 'm', provider: 'x' }], plugins: [limitsPlugin({ limits: { requestsPerMinute: 5 } })] });",
        'export const limits: number | undefined = agent.plugins.length;',
      ].join('\n'),
    );
    // A TypeScript user has Node's types; installed after the size was measured.
    await run('npm', ['install', '@types/node@20', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
    });
    for (const [module, resolution] of [
      ['node16', 'node16'],
      ['esnext', 'bundler'],
    ] as const) {
      const args = [
        '--noEmit',
        '--strict',
        '--module',
        module,
        '--moduleResolution',
        resolution,
        '--target',
        'es2022',
        'use.ts',
      ];
      const out = await run(process.execPath, [TSC, ...args], { cwd: dir }).catch(
        (e: { stdout: string }) => e,
      );
      expect((out as { stdout: string }).stdout, `${module}/${resolution}`).toBe('');
    }
  });
});

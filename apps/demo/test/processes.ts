import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** A gateway started as its own process through the CLI (`cascadeflow serve`), as people run it. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  kill(): void;
}

/** Starts `cascadeflow serve --port 0` with this config file content; resolves once it prints its URL. */
export async function startGatewayProcess(
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-gw-proc-'));
  const file = join(dir, 'cascadeflow.config.json');
  writeFileSync(file, JSON.stringify({ profilesDb: join(dir, 'profiles.db'), ...config }));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', file, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => {
    err += c;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before starting: ${err}`));
    });
  });
  return { url, child, exited, kill: () => child.kill('SIGKILL') };
}

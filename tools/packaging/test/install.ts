import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PNPM = ['-y', 'pnpm@12.4.2'];

/** Packs a workspace package as it would be published (workspace ranges replaced); returns the tarball. */
export async function pack(pkg: string, into: string): Promise<string> {
  const { stdout } = await run('npx', [...PNPM, 'pack', '--pack-destination', into], {
    cwd: join(ROOT, 'packages', pkg),
  });
  const tarball = stdout.trim().split('\n').pop()!.trim();
  return tarball;
}

/** Bytes on disk under a directory. */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += diskBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** A fresh project outside the workspace with these tarballs installed by npm, as a user installs them. */
export async function freshInstall(
  tarballs: string[],
): Promise<{ dir: string; mib: number; installed: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-fresh-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh', private: true, type: 'module' }));
  await run('npm', ['install', ...tarballs, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  const modules = join(dir, 'node_modules');
  const installed = readdirSync(modules).flatMap((n) =>
    n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : n.startsWith('.') ? [] : [n],
  );
  return { dir, mib: diskBytes(modules) / 1024 / 1024, installed };
}

/** Core + limits, and core + openai, each in its own fresh project; tarballs packed once. */
export async function installs() {
  const packs = mkdtempSync(join(tmpdir(), 'cf-packs-'));
  const [core, limits, openai] = await Promise.all(['core', 'limits', 'openai'].map((p) => pack(p, packs)));
  const coreLimits = await freshInstall([core!, limits!]);
  const coreOpenai = await freshInstall([core!, openai!]);
  return { coreLimits, coreOpenai };
}

/** The TypeScript compiler of the workspace (the fresh project installs none). */
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

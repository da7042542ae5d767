import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Writes JSON atomically (temp file, then rename): a crash leaves the old or the new file, never half. */
export function saveCheckpoint(path: string, data: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, path);
}

export function loadCheckpoint<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

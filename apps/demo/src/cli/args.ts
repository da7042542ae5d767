/** A numeric command-line option: its value, or `fallback` when absent; an error names the option. */
export function numberArg(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name}: "${value}" is not a number`);
  return n;
}

/** A comma-separated list option (`a,b,c`), trimmed, empty entries dropped. */
export function listArg(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

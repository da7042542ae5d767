#!/usr/bin/env node
/**
 * Regenerates the README's benchmark table from bench-results/*.json (between the bench-table markers), so
 * that the README never states a figure the last run did not measure. `node scripts/bench-table.mjs`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';
const order = [
  'core',
  'streaming',
  'eval',
  'loop',
  'limits',
  'guardrails',
  'batch',
  'profiles',
  'packaging',
  'integrations',
  'demo',
];
const files = readdirSync(join(root, 'bench-results'))
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => order.indexOf(a.replace('.json', '')) - order.indexOf(b.replace('.json', '')));
const fmt = (x) => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(4)));
const rows = [
  '| file | figure | measured | baseline (same run) | target |',
  '| --- | --- | --- | --- | --- |',
];
for (const f of files) {
  for (const r of JSON.parse(readFileSync(join(root, 'bench-results', f), 'utf8'))) {
    rows.push(
      `| ${f} | \`${r.name}\` | ${fmt(r.value)} | ${r.baseline === undefined ? '' : fmt(r.baseline)} | ${r.target === undefined ? 'report' : fmt(r.target)} |`,
    );
  }
}
const readme = join(root, 'README.md');
const text = readFileSync(readme, 'utf8');
const a = text.indexOf(START);
const b = text.indexOf(END);
if (a === -1 || b === -1) throw new Error(`README.md has no ${START} … ${END} section`);
writeFileSync(readme, `${text.slice(0, a + START.length)}\n${rows.join('\n')}\n${text.slice(b)}`);
process.stdout.write(`${rows.length - 2} figures from ${files.length} files\n`);

#!/usr/bin/env node
/**
 * Fails on an object literal that starts with a spread and has more members (`{ ...request, userId }`,
 * `{ ...a, ...b }`) in the packages' and the demo's sources (tests left out).
 *
 * On Node 20 (V8 11.3) such a literal takes a slow path: 1-3.5 µs for each object instead of 0.15 µs for
 * `Object.assign({}, request, { userId })`, and the object, with all it reaches, outlives the young-generation
 * collections that should free it. On the gateway's request path that promoted about 4 KB a request to the
 * old generation and made every scavenge 5-10 ms long (see core's `defineLazy`). Write
 * `Object.assign({}, a, { key })` instead, or build the object whole. A literal that must stay a spread (a
 * source that may hold an own `__proto__` key, as parsed JSON can, which `Object.assign` would set as the
 * prototype) is allowed by a comment `object-spread:` with the reason on the line above it.
 *
 * Run: `node scripts/check-object-spreads.mjs` (the root `test` and `lint` scripts run it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = execFileSync('git', ['ls-files', 'packages/*/src/**.ts', 'apps/*/src/**.ts'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));

const found = [];
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8');
  if (!text.includes('...')) continue;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const visit = (node) => {
    if (
      ts.isObjectLiteralExpression(node) &&
      node.properties.length > 1 &&
      ts.isSpreadAssignment(node.properties[0])
    ) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      if (!/object-spread:/.test(lines[line - 1] ?? '') && !/object-spread:/.test(lines[line] ?? ''))
        found.push(`${file}:${line + 1}: ${node.getText().replace(/\s+/g, ' ').slice(0, 100)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (found.length) {
  process.stderr.write(
    `${found.length} object literal(s) start with a spread and add members: slow on Node 20, and they outlive young-generation collections.\n` +
      'Write Object.assign({}, a, { key }) or build the object whole (see scripts/check-object-spreads.mjs):\n' +
      found.map((f) => `  ${f}\n`).join(''),
  );
  process.exit(1);
}

import { defineConfig } from 'tsup';

/** The build of every package: ESM and CJS from src/index.ts, with declarations and source maps, for Node 20. */
export const packageBuild = defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CommonJS build (the test server process helper resolves its own file).
  shims: true,
});

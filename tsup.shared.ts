import { defineConfig } from 'tsup';

/** The build of every package: ESM and CJS from src/index.ts, with declarations and source maps, for Node 20. */
/** The same build with more entry points (a package's subpath exports, each `src/<name>.ts`). */
export function packageBuildOf(entry: string[]) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // import.meta.url in the CommonJS build (the test server process helper resolves its own file).
    shims: true,
  });
}

/** The build of a package with one entry point, `src/index.ts`. */
export const packageBuild = packageBuildOf(['src/index.ts']);

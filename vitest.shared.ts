import { defineConfig } from 'vitest/config';

/** The tests of every package and app: unit tests beside the code, the rest under test/. */
export const packageTests = defineConfig({
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 20_000 },
});

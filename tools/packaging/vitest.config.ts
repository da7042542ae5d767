import { defineConfig } from 'vitest/config';

// Packing and installing take a while on a cold npm cache.
export default defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000 } });

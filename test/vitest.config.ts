import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: '.vitest-result.json' }]],
    name: 'integration',
    include: ['**/*.test.ts'],
    passWithNoTests: true,
    exclude: ['**/node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // fast-check properties from a fixed seed (FC_SEED=random explores).
    setupFiles: ['./fast-check-seed.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: '.vitest-result.json' }]],
    name: 'core-wasm',
    include: ['test/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
  },
});

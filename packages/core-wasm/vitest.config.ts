import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: '.vitest-result.json' }]],
    name: 'core-wasm',
    include: ['test/**/*.test.ts'],
    // fast-check properties from a fixed seed (FC_SEED=random explores): test/fast-check-seed.ts.
    setupFiles: ['../../test/fast-check-seed.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
    // Hooks do real work too (a whole sweep, a Redis server, a browser launch, the WASM core), so
    // they get the tests' safety net instead of vitest's 10 s: with several test files running at
    // once (vitest uses one file per core but one), a loaded machine took longer than 10 s over a
    // beforeAll's sweep and failed the whole file.
    hookTimeout: 60_000,
  },
});

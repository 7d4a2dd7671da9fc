import { defineConfig } from 'vitest/config';

// Root config: `npx vitest` at the top runs every package as one project each.
export default defineConfig({
  test: {
    projects: ['packages/*', 'test'],
  },
});

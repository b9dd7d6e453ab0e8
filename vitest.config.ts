import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The browser suite needs the built renderer and Chromium: `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: [...configDefaults.exclude, 'tests/e2e/**'],
    // Native addons (better-sqlite3, sharp) and tfjs backends are happiest in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more parallel files only fight over them.
    maxWorkers: 2,
  },
});

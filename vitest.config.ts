import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The browser suite needs the built renderer and Chromium: `npm run test:e2e` (vitest.e2e.config.ts); the
    // kill -9 / full-disk suite is `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'tests/e2e/**', 'tests/faults/**'],
    // Native addons (better-sqlite3, sharp) and tfjs backends are happiest in child processes.
    pool: 'forks',
    // Timeouts only catch hangs: a loaded 2-core machine (CI, or six developers' builds at once) runs a tiny
    // training several times slower than an idle one, and a test must not fail for that.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: more parallel files only fight over them.
    maxWorkers: 2,
  },
});

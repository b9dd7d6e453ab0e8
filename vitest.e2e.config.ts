import { defineConfig } from 'vitest/config';

/**
 * The end-to-end suite: the built renderer served by `lookalike serve`'s server, driven in Debian's Chromium.
 * Run by `npm run test:e2e` after `electron-vite build`; kept out of the unit run (vitest.config.ts).
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    // One Chromium at a time: two cores are shared by the browser, the server and the services.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

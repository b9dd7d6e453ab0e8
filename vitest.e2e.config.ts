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
    // Hang detection only: the journeys train and query through a real server, which a loaded machine slows
    // several-fold (a first epoch once took over two minutes while other jobs ran).
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});

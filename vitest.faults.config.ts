import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`, part of `npm test`): CLI processes killed with SIGKILL at seeded random
 * points, a full catalog, a read-only catalog, a corrupted catalog file, imports while a training run writes.
 * Its trials spawn processes that already load both cores: one file at a time.
 */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.fault.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    // Only hang detection: each file's trials take minutes on a loaded machine, and speed is not what is tested.
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});

import { defineConfig } from 'vitest/config';

const ALL = '*/test/**/*.test.ts';
/** Files that load both cores on purpose (a recording under busy CPUs): they run alone, last. */
const ALONE = '*/test/**/*.alone.test.ts';
const common = { testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    // once for the whole run (the wall's build, the PostgreSQL server), not per project
    globalSetup: ['test-support/global-setup.ts'],
    // 2 cores: files run two at a time so the hub, PostgreSQL and clients keep some CPU
    maxWorkers: 2,
    pool: 'forks',
    projects: [
      { test: { ...common, name: 'suite', include: [ALL], exclude: [ALONE], sequence: { groupOrder: 0 } } },
      // after the rest, one at a time: their CPU hogs would starve the files beside them
      { test: { ...common, name: 'alone', include: [ALONE], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});

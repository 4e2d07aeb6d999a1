import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    globalSetup: ['test-support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: files run two at a time so the hub, PostgreSQL and clients keep some CPU
    maxWorkers: 2,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

// Three tiers, run one after another by scripts/test.ts (npm test):
//   unit         pure functions and policies, beside the code (server/src/**/*.test.ts)
//   integration  GraphQL over HTTP against createApp() with the real FerretDB and Redis
//   e2e          playwright-core driving Debian's Chromium against the running stack
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/global-services.ts'],
          setupFiles: ['test/setup/integration-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/global-stack.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});

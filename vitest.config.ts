import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Three tiers, run one after another by scripts/test.ts (npm test):
//   unit         no services: pure functions and policies beside the code (server/src/**/*.test.ts),
//                scripts' own tests, and test/unit (files checked against each other: compose,
//                schema, README ↔ .env.example)
//   integration  GraphQL over HTTP against createApp() with the real FerretDB and Redis
//   e2e          playwright-core driving Debian's Chromium against the running stack
export default defineConfig({
  // one copy of graphql-js: Vite would otherwise load its ESM build for our code while the
  // Pothos and yoga packages load the CommonJS one ("Duplicate graphql modules")
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql/index.js') }] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
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
        extends: true,
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

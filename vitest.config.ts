import { defineConfig } from 'vitest/config';

/**
 * Three kinds of tests (see test/README.md): pure unit tests, integration tests that drive the real
 * CLI with real files and sockets, and browser tests in Debian's Chromium. Integration and browser
 * tests start processes, so they run one file at a time on these 2-core machines.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

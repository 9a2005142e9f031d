import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/**
 * Three kinds of tests (see test/README.md): pure unit tests, integration tests that drive the real
 * CLI with real files and sockets, and browser tests in Debian's Chromium. Integration and browser
 * tests start processes, so they run one file at a time on these 2-core machines.
 */
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print a one-line "N passed, N failed" summary.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
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
          // They run the built CLI: refuse to start when a source is newer than the build.
          globalSetup: ['test/helpers/require-current-build.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // Component and unit tests of the React UI, in jsdom; the react plugin compiles the JSX.
        plugins: [react()],
        test: {
          name: 'ui',
          include: ['test/ui/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['test/ui/setup.ts'],
          env: { TZ: 'UTC' },
        },
      },
      {
        // End-to-end in Debian's Chromium (playwright-core, never a downloaded browser) against a
        // real hub and agent started through the built CLI, serving the built UI (`npm run build`).
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/require-current-build.ts'],
          setupFiles: ['test/browser/helpers/require-build.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

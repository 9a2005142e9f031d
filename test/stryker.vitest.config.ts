import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs against each mutant: those that import the mutated sources
 * directly (unit tests, and the agent driven in-process against a scripted hub). Tests that run
 * the built CLI cannot see a mutant, so they are left out.
 */
export default defineConfig({
  plugins: [
    {
      // The Stryker runner asks for the `threads` pool, in which loading the re2 addon crashes the
      // process; child processes (`forks`) load it safely.
      name: 'supergrep:forks-pool',
      configureVitest({ vitest, project }) {
        vitest.config.pool = 'forks';
        project.config.pool = 'forks';
      },
    },
  ],
  test: {
    pool: 'forks',
    include: [
      'test/unit/lib/redaction/**/*.test.ts',
      'test/unit/agent/state/**/*.test.ts',
      'test/unit/agent/tailing/**/*.test.ts',
      'test/unit/server/viewers/**/*.test.ts',
      'test/unit/server/access/**/*.test.ts',
      'test/unit/server/ingest/batch-pipeline.test.ts',
      'test/integration/agent-checkpoint.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});

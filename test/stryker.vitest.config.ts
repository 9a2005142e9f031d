import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * A test file that fails while it is collected (a mutant that makes an import or a `describe` body
 * throw) runs no test, which the Stryker runner reads as "no test failed": the mutant would pass for
 * a survivor. Reported as an error outside the tests, Stryker counts it as a runtime error instead.
 */
class CollectionErrors implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestModuleEnd(testModule: TestModule): void {
    if (testModule.state() !== 'failed' || testModule.children.size > 0) return;
    for (const error of testModule.errors()) this.vitest?.state.catchError(error, 'Collection Error');
  }
}

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
    reporters: ['default', new CollectionErrors()],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});

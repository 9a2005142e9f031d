/**
 * `npm run mutate`: mutation testing of the parts whose bugs leak or lose data (redaction,
 * checkpoints, the viewer outbox, access checks). Not run in CI (it takes tens of minutes); the
 * score and every surviving mutant are explained in docs/security.md.
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/stryker.vitest.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'lib/redaction/*.ts',
    'agent/state/checkpoint-store.ts',
    // The acknowledgement and checkpoint part of the tailer.
    'agent/tailing/file-tailer.ts:265-350',
    'server/viewers/viewer-outbox.ts',
    'server/viewers/outbox-queue.ts',
    'server/access/*.ts',
  ],
  // The sandbox keeps the CLI bundle: one checkpoint test kills a built agent (it sees no mutant).
  ignorePatterns: ['/dist/*', '!/dist/bundle', 'test-results', 'bench/results', 'reports'],
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
};

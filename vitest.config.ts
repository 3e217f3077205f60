import { defineConfig } from 'vitest/config';

/** Test files that measure latency and so run alone, after the others (`npm test` runs both). */
export const ALONE = ['test/integration/catalog-dos.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Measured latency: run on its own afterwards (vitest.alone.config.ts), not beside another file's load.
    exclude: ['**/node_modules/**', ...ALONE],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: integration files each run a worker and an API, so two at a time.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});

import { defineConfig } from 'vitest/config';

/**
 * The live fire drills (`npm run test:e2e`): real Prometheus and Alertmanager processes, minutes of
 * wall time, mostly waiting. `make test` runs them beside `npm test`; the two files run at once,
 * and every drill of a file at once (vitest's default of five concurrent tests would hold the
 * sixth back until one finished, a minute later).
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    maxConcurrency: 10,
  },
});

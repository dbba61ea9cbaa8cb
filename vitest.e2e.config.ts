import { defineConfig } from 'vitest/config';

/**
 * The live fire drills (`npm run test:e2e`): real Prometheus and Alertmanager processes, minutes of
 * wall time, mostly waiting, so they run apart from `npm test` and concurrently among themselves.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});

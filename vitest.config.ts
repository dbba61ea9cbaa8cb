import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The live drills take minutes: `npm run test:e2e` (vitest.e2e.config.ts), run by `make test`.
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // promtool and friends are real processes; two cores, so keep the pool small.
    maxWorkers: 2,
  },
});

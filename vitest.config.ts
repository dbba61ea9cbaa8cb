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
    // The files of a worker share one module graph instead of importing src/ afresh each (about
    // a minute and a half of CPU over the suite). Safe here: no test mocks a module, stubs a global
    // or changes process.env, and what src/ keeps at module level is memoised pure results
    // (parsed PromQL, compiled regexes, YAML verdicts) and the registry of children to kill on exit.
    isolate: false,
  },
});

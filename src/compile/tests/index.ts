/** The tests target: promtool unit tests for every generated alert, derived from the model. */
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { durationSeconds, formatSeconds } from '../../model/units.ts';
import { ruleFilePath, toRuleFile } from '../prometheus/index.ts';
import { toCatalogScenarios } from './catalog.ts';
import { packScenarios } from './pack.ts';
import { toSloScenarios } from './slo.ts';
import type { PromtoolTestFile, Scenario } from './types.ts';

export type { PromtoolTest, PromtoolTestFile, Scenario } from './types.ts';

/**
 * Path of a service's test file under generated/: `<service>.test.yaml` for everything replayed at
 * the default interval, `<service>.every-<interval>.test.yaml` for examples sampled more coarsely.
 */
export const testFilePath = (svc: ResolvedService, env: Environment, evaluation?: number): string =>
  evaluation === undefined || evaluation === testEvaluationInterval(svc)
    ? `tests/${env.name}/${svc.name}.test.yaml`
    : `tests/${env.name}/${svc.name}.every-${formatSeconds(evaluation)}.test.yaml`;

/**
 * Interval promtool replays the rules at, seconds. A minute, not the rules' 30s: promtool evaluates
 * every group at every step, and three-day replays at 30s cost minutes. Burn decisions do not
 * depend on it; detection deadlines are computed for it (the `for` in whole evaluations).
 */
export const testEvaluationInterval = (svc: ResolvedService): number => Math.max(60, svc.evaluationInterval);

/**
 * The promtool test files of a service in an environment, by path. Scenarios whose series are
 * sampled more coarsely than the default interval (a two-week trend sampled hourly) get a file
 * evaluated at their own interval: replaying two weeks every minute would take minutes.
 */
export function toTestFiles(
  svc: ResolvedService,
  env: Environment,
): { path: string; file: PromtoolTestFile }[] {
  const fallback = testEvaluationInterval(svc);
  const scenarios = [
    ...svc.slos.flatMap((slo) => toSloScenarios(svc, slo, env, fallback)),
    ...toCatalogScenarios(svc, env, svc.alerts ?? []),
  ];
  const evaluationOf = (s: Scenario): number => Math.max(fallback, durationSeconds(s.interval));
  const intervals = [...new Set(scenarios.map(evaluationOf))].sort((a, b) => a - b);
  return intervals.map((evaluation) => ({
    path: testFilePath(svc, env, evaluation),
    file: {
      // promtool resolves rule files relative to the test file: tests/<env>/ -> prometheus/<env>/.
      rule_files: [`../../${ruleFilePath(svc, env)}`],
      evaluation_interval: formatSeconds(evaluation),
      // File order: SLI recordings before the ratios and alerts that read them, as Prometheus runs
      // them; promtool would otherwise shuffle the groups and shift detection by an evaluation.
      group_eval_order: toRuleFile(svc, env).groups.map((g) => g.name),
      tests: packScenarios(scenarios.filter((s) => evaluationOf(s) === evaluation)),
    },
  }));
}

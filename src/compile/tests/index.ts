/** The tests target: promtool unit tests for every generated alert, derived from the model. */
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { formatSeconds } from '../../model/units.ts';
import { ruleFilePath, toRuleFile } from '../prometheus/index.ts';
import { packScenarios } from './pack.ts';
import { toSloScenarios } from './slo.ts';
import type { PromtoolTestFile } from './types.ts';

export type { PromtoolTest, PromtoolTestFile, Scenario } from './types.ts';

/** Path of a service's test file under generated/. */
export const testFilePath = (svc: ResolvedService, env: Environment): string =>
  `tests/${env.name}/${svc.name}.test.yaml`;

/**
 * Interval promtool replays the rules at, seconds. A minute, not the rules' 30s: promtool evaluates
 * every group at every step, and three-day replays at 30s cost minutes. Burn decisions do not
 * depend on it; detection deadlines are computed for it (the `for` in whole evaluations).
 */
export const testEvaluationInterval = (svc: ResolvedService): number => Math.max(60, svc.evaluationInterval);

/** The promtool test file of a service in an environment. */
export function toTestFile(svc: ResolvedService, env: Environment): PromtoolTestFile {
  return {
    // promtool resolves rule files relative to the test file: tests/<env>/ -> prometheus/<env>/.
    rule_files: [`../../${ruleFilePath(svc, env)}`],
    evaluation_interval: formatSeconds(testEvaluationInterval(svc)),
    // File order: SLI recordings before the ratios and alerts that read them, as Prometheus runs
    // them; promtool would otherwise shuffle the groups and shift detection by an evaluation.
    group_eval_order: toRuleFile(svc, env).groups.map((g) => g.name),
    tests: packScenarios(
      svc.slos.flatMap((slo) => toSloScenarios(svc, slo, env, testEvaluationInterval(svc))),
    ),
  };
}

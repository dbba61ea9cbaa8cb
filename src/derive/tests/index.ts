/**
 * promtool unit tests for every generated alert, derived from a service's compiled rule file (its
 * groups and their order) and the model's scenarios.
 */

import type { ServiceArtifacts } from '../../compile/index.ts';
import { type RuleFile, ruleFilePath } from '../../compile/prometheus/index.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { durationSeconds, formatSeconds } from '../../model/units.ts';
import { toCatalogScenarios } from './catalog.ts';
import { type PackedTest, packTests } from './pack.ts';
import { toSloScenarios } from './slo.ts';
import type { PromtoolTestFile, Scenario } from './types.ts';

export type { PackedTest } from './pack.ts';
export type { PromtoolTest, PromtoolTestFile, Proof, Scenario, ScenarioKind } from './types.ts';

/** Path of a service's test file under generated/. */
export const testFilePath = (svc: ResolvedService, env: Environment): string =>
  `tests/${env.name}/${svc.name}.test.yaml`;

/**
 * Path of the test file replaying a service's catalog examples sampled at another interval than
 * the main file's (`tests/production/x.1h.test.yaml`).
 */
export const intervalTestFilePath = (svc: ResolvedService, env: Environment, interval: string): string =>
  `tests/${env.name}/${svc.name}.${interval}.test.yaml`;

/**
 * Interval promtool replays the rules at, seconds. A minute, not the rules' 30s: promtool evaluates
 * every group at every step, and three-day replays at 30s cost minutes. Burn decisions do not
 * depend on it; detection deadlines are computed for it (the `for` in whole evaluations).
 */
export const testEvaluationInterval = (svc: ResolvedService): number => Math.max(60, svc.evaluationInterval);

/** One generated test file: where it goes, its content, and which scenarios each test holds. */
export interface TestFilePlan {
  /** Path under generated/. */
  readonly path: string;
  readonly file: PromtoolTestFile;
  /** The file's tests in order, each with the scenarios packed into it. */
  readonly packed: readonly PackedTest[];
}

function plan(
  { svc, env, rules }: Pick<ServiceArtifacts, 'svc' | 'env' | 'rules'>,
  path: string,
  evaluation: string,
  scenarios: readonly Scenario[],
): TestFilePlan {
  const packed = packTests(scenarios);
  return {
    path,
    file: {
      // promtool resolves rule files relative to the test file: tests/<env>/ -> prometheus/<env>/.
      rule_files: [`../../${ruleFilePath(svc, env)}`],
      evaluation_interval: evaluation,
      // File order: SLI recordings before the ratios and alerts that read them, as Prometheus runs
      // them; promtool would otherwise shuffle the groups and shift detection by an evaluation.
      group_eval_order: rules.groups.map((g) => g.name),
      tests: packed.map((p) => p.test),
    },
    packed,
  };
}

/**
 * The promtool test files of a service in an environment. The main file holds the SLO scenarios
 * and the catalog examples sampled at its evaluation interval; a promtool file evaluates at one
 * interval, and an example sampled hourly over two weeks replayed every minute costs minutes, so
 * examples sampled at other intervals get a file each, evaluated at their interval (as written).
 */
export function toTestFiles(svc: ResolvedService, env: Environment, rules: RuleFile): TestFilePlan[] {
  const compiled = { svc, env, rules };
  const evaluation = formatSeconds(testEvaluationInterval(svc));
  const catalog = toCatalogScenarios(svc, env, svc.alerts ?? []);
  const main = [
    ...svc.slos.flatMap((slo) => toSloScenarios(svc, slo, env, testEvaluationInterval(svc))),
    ...catalog.filter((s) => s.interval === evaluation),
  ];
  const others = [...new Set(catalog.map((s) => s.interval))]
    .filter((i) => i !== evaluation)
    .sort((a, b) => durationSeconds(a) - durationSeconds(b));
  return [
    plan(compiled, testFilePath(svc, env), evaluation, main),
    ...others.map((interval) =>
      plan(
        compiled,
        intervalTestFilePath(svc, env, interval),
        interval,
        catalog.filter((s) => s.interval === interval),
      ),
    ),
  ];
}

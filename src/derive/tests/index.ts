/**
 * promtool unit tests for every generated alert, derived from a service's compiled rule file (its
 * groups and their order) and the model's scenarios.
 */

import type { ServiceArtifacts } from '../../compile/index.ts';
import { type RuleFile, ruleFilePath } from '../../compile/prometheus/index.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { sampleKindOf } from '../../model/slo.ts';
import { durationSeconds, formatSeconds } from '../../model/units.ts';
import { toCatalogScenarios } from './catalog.ts';
import { type PackedTest, packTests } from './pack.ts';
import { type MathShape, mathShapeOf, shapeRulesPath, shapeTestPath } from './shapes.ts';
import { toSloScenarios } from './slo.ts';
import type { PromtoolTestFile, Scenario } from './types.ts';

export type { PackedTest } from './pack.ts';
export type { MathShape } from './shapes.ts';
export { shapeMismatch, shapeRulesPath, shapeTestPath } from './shapes.ts';
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

/** An SLO whose window math is proven once, by its shape's file. */
export interface ShapeUse {
  readonly slo: ResolvedSlo;
  readonly shape: MathShape;
}

/** The promtool test files of a service in an environment, and the shapes its SLOs share. */
export interface ServiceTestPlans {
  readonly plans: TestFilePlan[];
  readonly shapes: ShapeUse[];
}

/**
 * The promtool test files of a service in an environment. The main file holds the SLO scenarios
 * and the catalog examples sampled at its evaluation interval; a promtool file evaluates at one
 * interval, and an example sampled hourly over two weeks replayed every minute costs minutes, so
 * examples sampled at other intervals get a file each, evaluated at their interval (as written).
 * With `shared`, an SLO whose rules are a math shape's keeps only its own scenarios here; the
 * shape's file proves the rest once (see shapes.ts).
 */
export function toServiceTests(
  svc: ResolvedService,
  env: Environment,
  rules: RuleFile,
  shared = true,
): ServiceTestPlans {
  const compiled = { svc, env, rules };
  const seconds = testEvaluationInterval(svc);
  const evaluation = formatSeconds(seconds);
  const catalog = toCatalogScenarios(svc, env, svc.alerts ?? []);
  // An SLO shares its shape only when its own outage scenario exists: the shape proves the math,
  // the outage proves the SLO's series reach it. Without series (a selector no declared value
  // satisfies) nothing may stand in for that, so the proof-coverage check still reports it.
  const perSlo = svc.slos.map((slo) => {
    const own = toSloScenarios(svc, slo, env, rules, seconds, 'own');
    const shape =
      shared && own.some((s) => s.kind === 'outage') ? mathShapeOf(svc, slo, env, rules, seconds) : undefined;
    return {
      slo,
      shape,
      scenarios: shape ? own : [...own, ...toSloScenarios(svc, slo, env, rules, seconds, 'math')],
    };
  });
  const shapes = perSlo.flatMap(({ slo, shape }) => (shape ? [{ slo, shape }] : []));
  const main = [...perSlo.flatMap((p) => p.scenarios), ...catalog.filter((s) => s.interval === evaluation)];
  const others = [...new Set(catalog.map((s) => s.interval))]
    .filter((i) => i !== evaluation)
    .sort((a, b) => durationSeconds(a) - durationSeconds(b));
  return {
    plans: [
      plan(compiled, testFilePath(svc, env), evaluation, main),
      ...others.map((interval) =>
        plan(
          compiled,
          intervalTestFilePath(svc, env, interval),
          interval,
          catalog.filter((s) => s.interval === interval),
        ),
      ),
    ],
    shapes,
  };
}

/** Every scenario of a service in one set of files, shapes not shared (as a reader checks them). */
export const toTestFiles = (svc: ResolvedService, env: Environment, rules: RuleFile): TestFilePlan[] =>
  toServiceTests(svc, env, rules, false).plans;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/**
 * Evaluation interval of a shape's steady scenarios, seconds. For request-based SLIs half the
 * shortest window the rules sum recorded values over, in whole scrape intervals and whole tests'
 * intervals (so run lengths and check times stay whole minutes), at least the tests' interval:
 * counters grown by exact increments hold one error ratio in every window at every evaluation,
 * so each verdict is the same at any spacing (a condition that holds once holds for the whole
 * run, and `for` is met whatever it is); these replays run for days, and every summed window
 * still holds three or more recorded values, so a rule cannot read an empty window and stay
 * silent by accident. The base window is read from raw samples, not summed: it sets no bound.
 *
 * Time-based SLIs keep the tests' interval. A failed sample counts once per recorded base-window
 * value holding it, and no coarser spacing counts it as the rules' own interval does. At half a
 * 5m base window (150s, 30s scrapes) a sample on the evaluation grid is in three values, the
 * others in two: the synthesized failures, all on the grid, weigh over a third more than a good
 * sample, so a 4x burn reads as 5.4x (a ticket raised to 5x still opened; a page lowered to 0.85x
 * its threshold fired, though the burn stays under it). Where every sample is in equally many
 * values (105s: three), one failed sample holds a condition for three evaluations, rising from a
 * third of its weight, so `for` holds only at two thirds (a first page lowered to 0.4x its
 * threshold stayed silent, which the minute catches).
 */
export function steadyEvaluationInterval(shape: MathShape): number {
  const interval = testEvaluationInterval(shape.svc);
  if (sampleKindOf(shape.slo.sli) === 'time') return interval;
  const { slo, svc } = shape;
  const summed = slo.windows.flatMap((p) => [p.long, p.short]).filter((w) => w !== slo.baseWindow);
  const shortest = summed.length > 0 ? Math.min(...summed) : slo.baseWindow;
  const unit = lcm(svc.scrapeInterval, interval);
  return Math.max(interval, Math.floor(shortest / 2 / unit) * unit);
}

/**
 * The test files proving a math shape against the shape's own rule file: the timed scenarios at the
 * tests' interval, the steady ones at `steadyEvaluationInterval` (promtool evaluates a file at one
 * interval). Files without scenarios are left out.
 */
export function toShapeTestFiles(shape: MathShape): TestFilePlan[] {
  let plans = shapePlans.get(shape);
  if (!plans) {
    plans = shapeTestFiles(shape);
    shapePlans.set(shape, plans);
  }
  return plans;
}

/**
 * The plans of each shape, by its identity: every service whose SLOs share a shape hands in the
 * same shape object (shapes.ts keeps them), and its days of replay are planned once per run.
 */
const shapePlans = new WeakMap<MathShape, TestFilePlan[]>();

function shapeTestFiles(shape: MathShape): TestFilePlan[] {
  const timed = testEvaluationInterval(shape.svc);
  const steady = steadyEvaluationInterval(shape);
  const files: [string, number, Scenario[]][] = [
    [
      shapeTestPath(shape.hash),
      timed,
      toSloScenarios(shape.svc, shape.slo, shape.env, shape.rules, timed, 'timed'),
    ],
    [
      shapeTestPath(shape.hash).replace(/\.test\.yaml$/, '.steady.test.yaml'),
      steady,
      toSloScenarios(shape.svc, shape.slo, shape.env, shape.rules, steady, 'steady'),
    ],
  ];
  return files
    .filter(([, , scenarios]) => scenarios.length > 0)
    .map(([path, seconds, scenarios]) => {
      const packed = packTests(scenarios);
      return {
        path,
        file: {
          // Beside the test file: tests/shapes/<hash>.rules.yaml.
          rule_files: [shapeRulesPath(shape.hash).replace(/^.*\//, '')],
          evaluation_interval: formatSeconds(seconds),
          group_eval_order: shape.rules.groups.map((g) => g.name),
          tests: packed.map((p) => p.test),
        },
        packed,
      };
    });
}

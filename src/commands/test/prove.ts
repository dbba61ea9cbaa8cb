/**
 * `obsgen test`: runs the generated promtool unit tests with the real promtool and reads the
 * verdict back per alert. The test files are rendered fresh from the definitions into a temporary
 * directory, one promtool test per file (promtool tests are independent, so this changes nothing
 * but lets several run at once and ties each failure to its test).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RuleFile } from '../../compile/prometheus/index.ts';
import { ruleFilePath } from '../../compile/prometheus/index.ts';
import { burnAlertName, noDataAlertName } from '../../conventions.ts';
import { type Derived, type ShapeTests, sharedScenario, type TestFilePlan } from '../../derive/index.ts';
import {
  type PromtoolTestFile,
  type Scenario,
  type ShapeUse,
  shapeMismatch,
  shapeRulesPath,
} from '../../derive/tests/index.ts';
import { type PackedTest, packTests } from '../../derive/tests/pack.ts';
import { type Document, render, toYaml, writeFiles } from '../../emit/index.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import { durationSeconds } from '../../model/units.ts';
import { onExitSync } from '../../runtime/process.ts';
import { observedRules } from './observed.ts';
import { PROMTOOL_BINARY, promtoolTestRules, type ScenarioResult, scenarioResults } from './promtool.ts';

export type { ScenarioResult } from './promtool.ts';

export interface ProveOptions {
  /** Only these environments. @default every environment */
  readonly environments?: readonly string[];
  /** Only the scenarios of these alerts (packed anew). @default every alert */
  readonly alerts?: readonly string[];
  /** promtool processes at once. @default the number of CPUs */
  readonly jobs?: number;
  /** promtool executable. @default PROMTOOL_BINARY */
  readonly promtool?: string;
  /**
   * Only the services and math shapes a change touched (`--changed-since`); a selected SLO's
   * shape that did not change is not replayed again. @default everything
   */
  readonly scope?: { readonly services: ReadonlySet<string>; readonly shapes: ReadonlySet<string> };
  /** Called after each promtool run with the number of runs done and in total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The scenarios proving one alert and how each went. */
export interface AlertProof {
  readonly alert: string;
  readonly results: readonly ScenarioResult[];
}

/** Everything `promtool test rules` said about one service in one environment. */
export interface ServiceProof {
  readonly service: string;
  readonly environment: string;
  /** Generated test files the scenarios come from (paths under generated/). */
  readonly files: readonly string[];
  /** promtool runs (one per packed test). */
  readonly tests: number;
  readonly alerts: readonly AlertProof[];
}

/** A selected alert of a service that no scenario proves. */
export interface UnprovenAlert {
  readonly service: string;
  readonly environment: string;
  readonly alert: string;
}

export interface ProofReport {
  readonly services: readonly ServiceProof[];
  /** False when a scenario failed or a selected alert has no scenario. */
  readonly passed: boolean;
  /** Selected alerts of the rule files that no scenario proves (each fails the run). */
  readonly unproven: readonly UnprovenAlert[];
  /**
   * Selected alerts no scenario can prove by construction: those of raw PromQL SLIs, which have
   * no metric contract to synthesize series from (`generate` warns of each). Listed, not failed.
   */
  readonly unprovable: readonly UnprovenAlert[];
  /** Requested alerts no service has. */
  readonly unknownAlerts: readonly string[];
  /** Requested environments no service has. */
  readonly unknownEnvironments: readonly string[];
}

/** Alerts of a service's raw PromQL SLIs: no scenario can be synthesized for them. */
const rawSliAlerts = (svc: ResolvedService): Set<string> =>
  new Set(
    svc.slos
      .filter((slo) => slo.sli.kind === 'raw')
      .flatMap((slo) => [burnAlertName(slo.id), noDataAlertName(slo.id)]),
  );

interface Job {
  /** Service and environment, or the shape's hash and '' for a shape's test. */
  readonly svc: string;
  readonly env: string;
  readonly plan: TestFilePlan;
  readonly packedIndex: number;
  /** Path of the single-test file under the temporary directory. */
  readonly path: string;
  /** Its estimated promtool time, in rule evaluations (see `replayCost`). */
  readonly cost: number;
}

/**
 * Estimated promtool time of a packed test, in rule evaluations: promtool evaluates every rule of
 * the file at every step of the replay, so its time grows with both the steps (replay seconds over
 * the file's evaluation interval) and the rules. The replay length alone ranks a two-week catalog
 * example evaluated hourly (336 steps) above a three-day burn evaluated every minute (4,380 steps).
 */
export function replayCost(packed: PackedTest, evaluationInterval: string, rules: RuleFile): number {
  const seconds = Math.max(0, ...packed.scenarios.map((s) => s.seconds));
  const steps = Math.ceil(seconds / Math.max(1, durationSeconds(evaluationInterval)));
  return steps * ruleCount(rules);
}

const ruleCount = (rules: RuleFile): number => rules.groups.reduce((n, g) => n + g.rules.length, 0);

/** Runs `work` over `items`, at most `limit` at a time, keeping the input order in the result. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

const selectPlans = (
  plans: readonly TestFilePlan[],
  alerts: readonly string[] | undefined,
): TestFilePlan[] => {
  if (!alerts || alerts.length === 0) return [...plans];
  return plans.flatMap((plan) => {
    const chosen = plan.packed
      .flatMap((p) => p.scenarios)
      .filter((s) => s.alerts.some((a) => alerts.includes(a)));
    if (chosen.length === 0) return [];
    const packed = packTests(chosen);
    return [{ ...plan, file: { ...plan.file, tests: packed.map((p) => p.test) }, packed }];
  });
};

/** The check that an SLO's rules are its shape's, as a scenario result. */
function shapeCheck(use: ShapeUse, mismatch: string | undefined): ScenarioResult {
  const alert = burnAlertName(use.slo.id);
  const scenario: Scenario = {
    name: `${use.slo.id}: its recorded windows and burn alerts are math shape ${use.shape.hash}'s, rule for rule`,
    owner: use.slo.id,
    kind: 'shape',
    alerts: [alert],
    proves: [],
    metrics: [],
    interval: '',
    seconds: 0,
    input_series: [],
  };
  return { scenario, passed: mismatch === undefined, messages: mismatch ? [mismatch] : [] };
}

/**
 * Runs the derived promtool tests of a project against its rule files (the documents under
 * prometheus/, which tests may hand in altered).
 */
export async function proveAlerts(
  built: {
    readonly documents: readonly Document[];
    readonly derived: {
      readonly tests: readonly (Omit<Derived['tests'][number], 'alerts' | 'shapes'> & {
        readonly alerts?: readonly string[];
        readonly shapes?: readonly ShapeUse[];
      })[];
      readonly shapes?: readonly ShapeTests[];
    };
  },
  options: ProveOptions = {},
): Promise<ProofReport> {
  const { documents, derived } = built;
  const envNames = new Set(derived.tests.map((t) => t.env.name));
  const provenNames = (plans: readonly TestFilePlan[], shapes: readonly ShapeUse[] = []) => [
    ...plans.flatMap((p) => p.packed.flatMap((t) => t.scenarios.flatMap((s) => s.alerts))),
    ...shapes.map((u) => burnAlertName(u.slo.id)),
  ];
  const alertNames = new Set(
    derived.tests.flatMap(({ plans, alerts, shapes }) => [...provenNames(plans, shapes), ...(alerts ?? [])]),
  );
  const unknownEnvironments = (options.environments ?? []).filter((e) => !envNames.has(e));
  const unknownAlerts = (options.alerts ?? []).filter((a) => !alertNames.has(a));
  if (unknownEnvironments.length > 0 || unknownAlerts.length > 0)
    return { services: [], passed: false, unproven: [], unprovable: [], unknownAlerts, unknownEnvironments };

  const selected = (alert: string) =>
    !options.alerts || options.alerts.length === 0 || options.alerts.includes(alert);
  const missing: (UnprovenAlert & { readonly raw: boolean })[] = derived.tests.flatMap(
    ({ svc, env, plans, alerts, shapes }) => {
      if (options.environments && !options.environments.includes(env.name)) return [];
      if (options.scope && !options.scope.services.has(svc.name)) return [];
      const proven = new Set(provenNames(plans, shapes));
      const raw = rawSliAlerts(svc);
      return (alerts ?? [])
        .filter((alert) => selected(alert) && !proven.has(alert))
        .map((alert) => ({ service: svc.name, environment: env.name, alert, raw: raw.has(alert) }));
    },
  );
  const strip = ({ raw: _, ...alert }: UnprovenAlert & { readonly raw: boolean }): UnprovenAlert => alert;
  const unproven = missing.filter((m) => !m.raw).map(strip);
  const unprovable = missing.filter((m) => m.raw).map(strip);

  const tree = new Map<string, string>();
  const ruleFiles = new Map<string, RuleFile>();
  for (const doc of documents)
    if (doc.path.startsWith('prometheus/')) {
      tree.set(doc.path, render(doc));
      if (doc.format === 'yaml') ruleFiles.set(doc.path, doc.value as RuleFile);
    }
  const jobs: Job[] = [];
  const services: {
    svc: string;
    env: string;
    plans: TestFilePlan[];
    uses: ShapeUse[];
    shapeChecks: ScenarioResult[];
  }[] = [];
  const usedShapes = new Set<string>();
  // One promtool test per file. When its checks observe only some rules of its rule file, it loads
  // those, as written, from a rule file of its own beside it (see observed.ts).
  const addJobs = (
    svc: string,
    env: string,
    plan: TestFilePlan,
    rules: RuleFile,
    sources?: readonly string[],
  ) =>
    plan.packed.forEach((packed, packedIndex) => {
      const path = plan.path.replace(/\.test\.yaml$/, `.${packedIndex + 1}.test.yaml`);
      const observed = observedRules(rules, packed.test);
      const own = ruleCount(observed) > 0 && ruleCount(observed) < ruleCount(rules);
      const names = new Set(observed.groups.map((g) => g.name));
      const file: PromtoolTestFile = own
        ? {
            ...plan.file,
            rule_files: [basename(path).replace(/\.test\.yaml$/, '.rules.yaml')],
            ...(plan.file.group_eval_order
              ? { group_eval_order: plan.file.group_eval_order.filter((n) => names.has(n)) }
              : {}),
            tests: [packed.test],
          }
        : { ...plan.file, tests: [packed.test] };
      if (own) tree.set(path.replace(/\.test\.yaml$/, '.rules.yaml'), toYaml(observed));
      tree.set(path, toYaml(file, sources));
      const cost = replayCost(packed, plan.file.evaluation_interval, own ? observed : rules);
      jobs.push({ svc, env, plan, packedIndex, path, cost });
    });
  for (const { svc, env, plans: all, shapes = [] } of derived.tests) {
    if (options.environments && !options.environments.includes(env.name)) continue;
    if (options.scope && !options.scope.services.has(svc.name)) continue;
    const plans = selectPlans(all, options.alerts);
    const uses = shapes.filter((u) => selected(burnAlertName(u.slo.id)));
    if (plans.length === 0 && uses.length === 0) continue;
    // Each SLO's rules must be its shape's, rule for rule: what the shape's replays prove holds for it.
    const rules = ruleFiles.get(ruleFilePath(svc, env)) ?? { groups: [] };
    const shapeChecks = uses.map((u) => shapeCheck(u, shapeMismatch(u.shape, rules, svc, u.slo, env)));
    for (const u of uses)
      if (!options.scope || options.scope.shapes.has(u.shape.hash)) usedShapes.add(u.shape.hash);
    services.push({ svc: svc.name, env: env.name, plans, uses, shapeChecks });
    for (const plan of plans) addJobs(svc.name, env.name, plan, rules, [svc.file]);
  }
  // Each shape used by a selected SLO runs once, however many SLOs share it.
  for (const { shape, plans } of derived.shapes ?? []) {
    if (!usedShapes.has(shape.hash)) continue;
    tree.set(shapeRulesPath(shape.hash), toYaml(shape.rules));
    for (const plan of plans) addJobs(shape.hash, '', plan, shape.rules);
  }

  const dir = await mkdtemp(join(tmpdir(), 'obsgen-test-'));
  // Removed also when interrupted (Ctrl-C); promtool runs in the foreground group and gets it too.
  const forget = onExitSync(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await writeFiles(dir, tree);
    // Costliest first, so they do not start last and hold up the end.
    const order = [...jobs].sort((a, b) => b.cost - a.cost);
    let done = 0;
    const runs = new Map<Job, ScenarioResult[]>();
    await pool(order, options.jobs ?? availableParallelism(), async (job) => {
      const packed = job.plan.packed[job.packedIndex];
      if (!packed) return;
      const run = await promtoolTestRules([job.path], dir, options.promtool ?? PROMTOOL_BINARY);
      runs.set(job, scenarioResults(packed, run));
      options.onProgress?.(++done, jobs.length);
    });
    const shapeResults = (u: ShapeUse): ScenarioResult[] =>
      jobs
        .filter((j) => j.svc === u.shape.hash && j.env === '')
        .flatMap((j) => runs.get(j) ?? [])
        .map((r) => ({ ...r, scenario: sharedScenario(r.scenario, u) }));
    const proofs = services.map(({ svc, env, plans, uses, shapeChecks }): ServiceProof => {
      const results = [
        ...jobs.filter((j) => j.svc === svc && j.env === env).flatMap((j) => runs.get(j) ?? []),
        ...uses.flatMap(shapeResults),
        ...shapeChecks,
      ];
      const names = [...new Set(results.flatMap((r) => r.scenario.alerts))]
        .filter((a) => !options.alerts || options.alerts.length === 0 || options.alerts.includes(a))
        .sort();
      return {
        service: svc,
        environment: env,
        files: [
          ...plans.map((p) => p.path),
          ...[...new Set(uses.map((u) => u.shape))]
            .flatMap(
              (shape) => derived.shapes?.find((s) => s.shape === shape)?.plans.map((p) => p.path) ?? [],
            )
            .sort(),
        ],
        tests: plans.reduce((n, p) => n + p.packed.length, 0),
        alerts: names.map((alert) => ({
          alert,
          results: results
            .filter((r) => r.scenario.alerts.includes(alert))
            .sort((a, b) =>
              a.scenario.name < b.scenario.name ? -1 : a.scenario.name > b.scenario.name ? 1 : 0,
            ),
        })),
      };
    });
    const passed =
      unproven.length === 0 && proofs.every((p) => p.alerts.every((a) => a.results.every((r) => r.passed)));
    return { services: proofs, passed, unproven, unprovable, unknownAlerts: [], unknownEnvironments: [] };
  } finally {
    await rm(dir, { recursive: true, force: true });
    forget();
  }
}

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((line) => `${prefix}${line.replace(/^ {4}/, '')}`)
    .join('\n');

/** The report as text: per service and environment, per alert, each scenario with ok or FAIL. */
export function formatProofReport(report: ProofReport): string {
  const lines: string[] = [];
  for (const svc of report.services) {
    const all = svc.alerts.flatMap((a) => a.results);
    const scenarios = new Set(all.map((r) => r.scenario));
    const failed = new Set(all.filter((r) => !r.passed).map((r) => r.scenario));
    lines.push(
      `${svc.service} / ${svc.environment}: ${svc.files.map((f) => `generated/${f}`).join(', ')} (${svc.tests} promtool tests)`,
    );
    const width = Math.max(...svc.alerts.map((a) => a.alert.length));
    for (const { alert, results } of svc.alerts) {
      const ok = results.filter((r) => r.passed).length;
      lines.push(`  ${alert.padEnd(width)}  ${ok}/${results.length} scenarios passed`);
      for (const r of results) {
        lines.push(`    ${r.passed ? 'ok  ' : 'FAIL'}  ${svc.service}: ${r.scenario.name}`);
        for (const message of r.messages) lines.push(indent(message, '            '));
      }
    }
    lines.push(
      `  ${failed.size === 0 ? 'all' : `${scenarios.size - failed.size} of`} ${scenarios.size} scenarios passed${failed.size > 0 ? `, ${failed.size} failed` : ''}.`,
      '',
    );
  }
  for (const u of report.unproven)
    lines.push(
      `${u.service} / ${u.environment}: ${u.alert}: FAIL  no scenario proves it (nothing fires or silences it)`,
    );
  for (const u of report.unprovable)
    lines.push(
      `${u.service} / ${u.environment}: ${u.alert}: not proven  (raw PromQL SLI: no series to synthesize)`,
    );
  if (report.unproven.length + report.unprovable.length > 0) lines.push('');
  return lines.join('\n');
}

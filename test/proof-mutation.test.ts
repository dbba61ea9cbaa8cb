/**
 * The generated tests can fail: a generated rule is mutated the way a careless edit would (a burn
 * threshold raised tenfold, one window dropped from the `and`), and the real promtool runs the
 * outage and burst scenarios against it. Each mutant must make a scenario fail; the unmutated
 * rules pass the same scenarios, so the failures come from the mutation.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observedRules } from '../src/commands/test/observed.ts';
import { promtoolTestRules, type ScenarioResult, scenarioResults } from '../src/commands/test/promtool.ts';
import { proveAlerts } from '../src/commands/test/prove.ts';
import { isAlertingRule, type RuleFile, ruleFilePath, toRuleFile } from '../src/compile/prometheus/index.ts';
import { burnAlertName } from '../src/conventions.ts';
import { type PackedTest, type ScenarioKind, shapeMismatch, toTestFiles } from '../src/derive/tests/index.ts';
import { packTests } from '../src/derive/tests/pack.ts';
import { toYaml, writeFiles } from '../src/emit/index.ts';
import { loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { formatNumber } from '../src/model/units.ts';
import { type Build, build } from '../src/pipeline.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

let svc: ResolvedService;
let built: Build;
let env: Environment;
let packed: PackedTest[];
let dir: string;
let cleanup: () => Promise<void>;

/**
 * Only the scenarios a window or threshold mutation can trip, and of those the ones replaying at
 * most a few hours (the first page pairs): fast, and enough.
 */
const KINDS: readonly ScenarioKind[] = ['outage', 'burst'];
const MAX_REPLAY_SECONDS = 3 * 3_600;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  svc = (loaded.project as Project).services[0] as ResolvedService;
  built = build(loaded.project as Project);
  env = svc.environments.find((e) => e.name === 'production') as Environment;
  const [main] = toTestFiles(svc, env, toRuleFile(svc, env));
  const scenarios = (main?.packed ?? [])
    .flatMap((p) => p.scenarios)
    .filter((s) => KINDS.includes(s.kind) && s.seconds <= MAX_REPLAY_SECONDS);
  packed = packTests(scenarios);
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

type Mutation = (alert: string, expr: string) => string;

/** The rule file with every SLO burn rule's expression passed through `mutate`. */
function mutated(rules: RuleFile, mutate: Mutation): RuleFile {
  const burnNames = new Set(svc.slos.map((s) => burnAlertName(s.id)));
  return {
    groups: rules.groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) =>
        isAlertingRule(r) && burnNames.has(r.alert) ? { ...r, expr: mutate(r.alert, r.expr) } : r,
      ),
    })),
  };
}

let run = 0;
/**
 * Writes one file per packed test, with the rules of `rules` it observes beside it (as `obsgen
 * test` does, see observed.ts: the others write series no check reads), runs promtool on each,
 * returns every scenario's verdict.
 */
async function prove(rules: RuleFile): Promise<ScenarioResult[]> {
  const base = join(dir, String(++run));
  const tree = new Map<string, string>();
  for (const [i, p] of packed.entries()) {
    const observed = observedRules(rules, p.test);
    tree.set(`tests/${env.name}/${i}.rules.yaml`, toYaml(observed));
    tree.set(
      `tests/${env.name}/${i}.test.yaml`,
      toYaml({
        rule_files: [`${i}.rules.yaml`],
        evaluation_interval: '1m',
        group_eval_order: observed.groups.map((g) => g.name),
        tests: [p.test],
      }),
    );
  }
  await writeFiles(base, tree);
  const runs = await Promise.all(
    packed.map((_, i) => promtoolTestRules([`tests/${env.name}/${i}.test.yaml`], base)),
  );
  return packed.flatMap((p, i) => scenarioResults(p, runs[i] ?? { code: 1, stdout: '', stderr: 'not run' }));
}

const failedNames = (results: readonly ScenarioResult[]) =>
  results.filter((r) => !r.passed).map((r) => r.scenario.name);

const [LONG, SHORT] = [0, 1];
/** `long > t and short > t` without one of its two comparisons. */
const dropWindow =
  (keep: number): Mutation =>
  (_alert, expr) => {
    const sides = expr.split('\nand\n');
    expect(sides).toHaveLength(2);
    return sides[keep] ?? expr;
  };

describe('mutating a generated burn rule makes a generated test fail (real promtool)', () => {
  it('the unmutated rules pass the outage and burst scenarios', async () => {
    const results = await prove(toRuleFile(svc, env));
    expect(results.length).toBeGreaterThanOrEqual(6);
    expect(new Set(results.map((r) => r.scenario.kind))).toEqual(new Set(KINDS));
    expect(failedNames(results)).toEqual([]);
  });

  it('a burn threshold raised tenfold fails the outage scenario', async () => {
    const raise: Mutation = (_alert, expr) =>
      expr.replace(/> (\d+(?:\.\d+)?)/g, (_, t: string) => `> ${formatNumber(Number(t) * 10)}`);
    const results = await prove(mutated(toRuleFile(svc, env), raise));
    const failed = results.filter((r) => !r.passed);
    expect(failed.map((r) => r.scenario.kind)).toContain('outage');
    // promtool's own words name the check: the page that should be firing is not.
    expect(failed.flatMap((r) => r.messages).join('\n')).toMatch(/got: nil|got:\s*\[\]/);
  });

  it('dropping the long window from the `and` fails a burst scenario (a blip pages)', async () => {
    const results = await prove(mutated(toRuleFile(svc, env), dropWindow(SHORT)));
    expect(results.filter((r) => !r.passed).map((r) => r.scenario.kind)).toContain('burst');
  });

  it('dropping the short window from the `and` fails an outage scenario (the page does not resolve)', async () => {
    const results = await prove(mutated(toRuleFile(svc, env), dropWindow(LONG)));
    const failed = results.filter((r) => !r.passed);
    expect(failed.map((r) => r.scenario.kind)).toContain('outage');
    expect(failed.flatMap((r) => r.messages).join('\n')).toMatch(/ALERTS/);
  });

  it('a bad selector pointing at the wrong status code fails the outage scenario (no page)', async () => {
    const rules = toRuleFile(svc, env);
    const wrong: RuleFile = {
      groups: rules.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) =>
          !isAlertingRule(r) && r.record.startsWith('slo:sli_bad:') && r.expr.includes('5..')
            ? { ...r, expr: r.expr.replaceAll('5..', '4..') }
            : r,
        ),
      })),
    };
    expect(toYaml(wrong)).not.toBe(toYaml(rules));
    const results = await prove(wrong);
    expect(results.filter((r) => !r.passed).map((r) => r.scenario.kind)).toContain('outage');
  });
});

describe('mutating a pair whose long replays a math shape proves fails the shape comparison', () => {
  /** The rule file with one burn rule of the SLO changed, everything else as compiled. */
  function withLastPair(change: (expr: string, forText: string | undefined) => [string, string | undefined]) {
    const rules = toRuleFile(svc, env);
    // The error-rate SLO (Workbook windows, a request SLI): `obsgen test` replays its shape in a
    // second or two, where the probe SLO's three-day steady burn keeps promtool busy for ten.
    const slo = built.derived.tests
      .find((t) => t.env.name === env.name)
      ?.shapes.find((u) => u.slo.id === 'error-rate')?.slo;
    if (!slo) throw new Error('the error-rate SLO shares no math shape');
    const alert = burnAlertName(slo.id);
    const last = rules.groups
      .flatMap((g) => g.rules)
      .filter((r) => isAlertingRule(r) && r.alert === alert)
      .at(-1);
    const mutated: RuleFile = {
      groups: rules.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) => {
          if (r !== last || !isAlertingRule(r)) return r;
          const [expr, forText] = change(r.expr, r.for);
          return { ...r, expr, ...(forText === undefined ? {} : { for: forText }) };
        }),
      })),
    };
    return { slo, alert, rules, mutated };
  }

  it('the compiled rules match their shapes', () => {
    for (const t of built.derived.tests)
      for (const { slo, shape } of t.shapes)
        expect(shapeMismatch(shape, toRuleFile(t.svc, t.env), t.svc, slo, t.env)).toBeUndefined();
  });

  it('a raised threshold, a longer window or a longer for on the last ticket pair is named', () => {
    const cases = [
      withLastPair((expr, f) => [
        expr.replace(/> (\d+(?:\.\d+)?)/, (_, t: string) => `> ${Number(t) * 2}`),
        f,
      ]),
      withLastPair((expr, f) => [expr.replace(/\[(\w+)\]/, '[4d]').replace(/_rate3d/, '_rate4d'), f]),
      withLastPair((expr) => [expr, '2h']),
    ];
    for (const { slo, mutated } of cases) {
      const use = built.derived.tests.find((t) => t.env.name === env.name)?.shapes.find((u) => u.slo === slo);
      if (!use) throw new Error('no shape');
      expect(shapeMismatch(use.shape, mutated, svc, slo, env)).toMatch(
        /^expected alert for [\s\S]*\n got alert for /,
      );
    }
  });

  it('fails obsgen test end to end, naming the SLO and its shape', async () => {
    const { alert, mutated } = withLastPair((expr, f) => [
      expr.replace(/> (\d+(?:\.\d+)?)/, (_, t: string) => `> ${Number(t) * 2}`),
      f,
    ]);
    const path = ruleFilePath(svc, env);
    const documents = built.documents.map((d) =>
      d.path === path && d.format === 'yaml' ? { ...d, value: mutated } : d,
    );
    const report = await proveAlerts(
      { documents, derived: { tests: built.derived.tests, shapes: built.derived.shapes } },
      { environments: [env.name], alerts: [alert] },
    );
    expect(report.passed).toBe(false);
    const failed = report.services.flatMap((s) =>
      s.alerts.flatMap((a) => a.results.filter((r) => !r.passed)),
    );
    expect(failed.map((r) => r.scenario.kind)).toEqual(['shape']);
    expect(failed[0]?.scenario.name).toMatch(/are math shape [0-9a-f]{12}'s, rule for rule/);
  });
});

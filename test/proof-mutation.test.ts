/**
 * The generated tests can fail: a generated rule is mutated the way a careless edit would (a burn
 * threshold raised tenfold, one window dropped from the `and`), and the real promtool runs the
 * outage and burst scenarios against it. Each mutant must make a scenario fail; the unmutated
 * rules pass the same scenarios, so the failures come from the mutation.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtoolTestRules, type ScenarioResult, scenarioResults } from '../src/commands/test/promtool.ts';
import { isAlertingRule, type RuleFile, ruleFilePath, toRuleFile } from '../src/compile/prometheus/index.ts';
import { burnAlertName } from '../src/conventions.ts';
import { type PackedTest, type ScenarioKind, toTestFiles } from '../src/derive/tests/index.ts';
import { packTests } from '../src/derive/tests/pack.ts';
import { toYaml, writeFiles } from '../src/emit/index.ts';
import { loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { formatNumber } from '../src/model/units.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

let svc: ResolvedService;
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
/** Writes the rules and one file per packed test, runs promtool on each, returns every scenario's verdict. */
async function prove(rules: RuleFile): Promise<ScenarioResult[]> {
  const base = join(dir, String(++run));
  const tree = new Map<string, string>([[ruleFilePath(svc, env), toYaml(rules)]]);
  for (const [i, p] of packed.entries())
    tree.set(
      `tests/${env.name}/${i}.test.yaml`,
      toYaml({
        rule_files: [`../../${ruleFilePath(svc, env)}`],
        evaluation_interval: '1m',
        group_eval_order: rules.groups.map((g) => g.name),
        tests: [p.test],
      }),
    );
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
});

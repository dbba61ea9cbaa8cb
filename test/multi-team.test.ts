/**
 * A second service of another team beside the malaria API (test/fixtures/multi-team): its burn
 * alerts are proven by promtool, its alerts reach its own receivers in the shared Alertmanager
 * (amtool), its drill outage expects its own pager; a selector no declared value satisfies stops
 * generation, and two teams' conflicting routings are reported naming both files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillExpectations, findScenario } from '../src/commands/drill/scenarios.ts';
import { proveAlerts } from '../src/commands/test/prove.ts';
import { isAlertingRule } from '../src/compile/prometheus/index.ts';
import { burnAlertName, LABEL } from '../src/conventions.ts';
import { shapeScenarios, sharedScenario } from '../src/derive/index.ts';
import { writeFiles } from '../src/emit/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { type Build, build, check, loadProject } from '../src/pipeline.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);
let built: Build;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const loaded = await loadProject({ root: fixture('multi-team') });
  expect(loaded.diagnostics).toEqual([]);
  built = build(loaded.project as Project);
  ({ dir, cleanup } = await tempDir());
  await writeFiles(dir, built.tree);
});
afterAll(() => cleanup());

const checkout = () => built.artifacts.services.filter((a) => a.svc.name === 'checkout-api');

describe('a second service of another team', () => {
  it('passes every generate check, and each of its burn alerts (every window pair) has a firing and a silent scenario', async () => {
    expect((await check(built)).filter((d) => d.severity === 'error')).toEqual([]);
    for (const { svc, env, rules } of checkout()) {
      // Its own scenarios, and those of the math shapes its SLOs share (on the shape's alert name).
      const proofs = built.derived.tests
        .filter((t) => t.svc === svc && t.env === env)
        .flatMap((t) => [
          ...t.plans.flatMap((p) => p.packed.flatMap((x) => x.scenarios.flatMap((s) => s.proves))),
          ...t.shapes.flatMap((use) =>
            shapeScenarios(built.derived.shapes, use.shape).flatMap((s) => sharedScenario(s, use).proves),
          ),
        ]);
      const burns = rules.groups
        .flatMap((g) => g.rules)
        .filter(isAlertingRule)
        .filter((r) => svc.slos.some((slo) => burnAlertName(slo.id) === r.alert));
      expect(burns.length).toBe(svc.slos.length * 4);
      for (const rule of burns) {
        const about = proofs.filter(
          (p) =>
            p.alert === rule.alert && Object.entries(p.labels ?? {}).every(([k, v]) => rule.labels[k] === v),
        );
        const what = `${env.name} ${rule.alert} ${rule.labels[LABEL.longWindow]}`;
        expect(
          about.some((p) => p.fires),
          what,
        ).toBe(true);
        expect(
          about.some((p) => !p.fires),
          what,
        ).toBe(true);
      }
    }
  });

  it('passes its generated promtool tests in production, and those of the shapes it shares', {
    timeout: 900_000,
  }, async () => {
    const shared = built.derived.tests
      .filter((t) => t.svc.name === 'checkout-api' && t.env.name === 'production')
      .flatMap((t) => t.shapes.map((u) => u.shape));
    const plans = built.derived.shapes.filter((s) => shared.includes(s.shape)).flatMap((s) => s.plans);
    // A shape test byte-identical to one of the committed generated/tests (content-addressed, as
    // `obsgen test` dedupes a fleet's shapes; `generate --check` holds generated/ to the definitions)
    // is proven by test/generated-tests.test.ts already; only the others are replayed here.
    const committed = await Promise.all(
      plans.map((p) => readFile(join(ROOT, 'generated', p.path), 'utf8').catch(() => undefined)),
    );
    const shapeFiles = plans
      .filter((p, i) => committed[i] !== built.tree.get(p.path))
      .map((p) => join(dir, p.path));
    expect(shapeFiles.length).toBeGreaterThan(0);
    expect(shapeFiles.length).toBeLessThan(plans.length);
    const result = await tool('promtool', [
      'test',
      'rules',
      join(dir, 'tests', 'production', 'checkout-api.test.yaml'),
      ...shapeFiles,
    ]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it.each([
    ['production', 'checkout-api', 'critical', 'checkout-pager,checkout-chat'],
    ['production', 'checkout-api', 'warning', 'checkout-chat'],
    ['production', 'checkout-api', 'info', 'checkout-digest'],
    ['staging', 'checkout-api', 'critical', 'checkout-chat'],
    ['production', 'malaria-predictor-api', 'critical', 'pagerduty-oncall,slack-alerts'],
    ['staging', 'malaria-predictor-api', 'warning', 'slack-alerts'],
  ])('in %s, %s %s alerts reach %s (amtool)', async (env, service, severity, receivers) => {
    const result = await tool('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${join(dir, 'alertmanager', env, 'alertmanager.yaml')}`,
      `--verify.receivers=${receivers}`,
      `service=${service}`,
      `severity=${severity}`,
      'category=slo',
      `environment=${env}`,
    ]);
    expect(result.stdout + result.stderr).toContain(receivers);
    expect(result.code).toBe(0);
  });

  it('drills an outage that pages its own receiver, not the malaria pager', () => {
    const prod = checkout().find((a) => a.env.name === 'production');
    const am = built.artifacts.alertmanager.find((a) => a.env.name === 'production');
    const scenario = findScenario('outage');
    if (!prod || !am || !scenario) throw new Error('fixture lacks production');
    const e = drillExpectations(prod.svc, scenario, prod.rules, am.config.route, 30);
    const receivers = new Set(e.expected.flatMap((x) => x.receivers));
    expect(e.expected.map((x) => x.alertname).sort()).toEqual(['AvailabilityBudgetBurn', 'UptimeBudgetBurn']);
    expect(receivers).toEqual(new Set(['checkout-pager', 'checkout-chat']));
    expect(() =>
      drillExpectations(prod.svc, findScenario('db-down') as never, prod.rules, am.config.route, 30),
    ).toThrow(/DatabaseConnectionFailure, which checkout-api does not have/);
  });

  it('fails obsgen test when a selected alert has no scenario, naming the service', async () => {
    const [first] = built.derived.tests.filter(
      (t) => t.svc.name === 'checkout-api' && t.env.name === 'staging',
    );
    if (!first) throw new Error('no staging tests');
    const stripped = { ...first, plans: [], shapes: [] };
    const report = await proveAlerts(
      { documents: built.documents, derived: { tests: [stripped] } },
      { alerts: ['UptimeBudgetBurn'] },
    );
    expect(report.passed).toBe(false);
    expect(report.unproven).toEqual([
      { service: 'checkout-api', environment: 'staging', alert: 'UptimeBudgetBurn' },
    ]);
  });
});

describe('definitions that cannot be proven or routed', () => {
  it('refuses a bad-selector regex no declared value matches, naming the SLO, the field and what to declare', async () => {
    const loaded = await loadProject({ root: fixture('multi-team-unmatched') });
    expect(loaded.diagnostics).toEqual([]);
    const found = (await check(build(loaded.project as Project))).filter((d) => d.severity === 'error');
    expect(found.map((d) => [d.code, d.file, d.path.join('.')])).toEqual([
      ['proof/unmatched-selector', 'slos/checkout.ts', 'availability.sli.bad.matchers.grpc_code'],
      ['proof/unmatched-selector', 'slos/checkout.ts', 'availability.sli.bad.matchers.grpc_code'],
    ]);
    expect(found[0]?.message).toContain(
      'AvailabilityBudgetBurn (service checkout-api, environment production)',
    );
    expect(found[0]?.message).toContain(
      'grpc_code=~"DataLoss|Aborted" matches none of metric grpc_server_handled_total',
    );
    expect(found[0]?.hint).toContain('values: { grpc_code: [...] }');
  });

  it('exits 1 from generate, writing nothing', async () => {
    const result = await tool(process.execPath, [
      join(ROOT, 'src', 'cli', 'bin.js'),
      '--root',
      fixture('multi-team-unmatched'),
      'generate',
      '--check',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toContain('[proof/unmatched-selector]');
  });

  it('reports two teams defining one receiver name differently, and a route matching the other team, naming both files', async () => {
    const loaded = await loadProject({ root: fixture('multi-team-conflict') });
    expect(loaded.project).toBeUndefined();
    expect(loaded.diagnostics.map((d) => [d.code, d.file, d.path.join('.')])).toEqual([
      ['routing/team-conflict', 'slos/a-shop.ts', 'environments.production.alerting.receivers.chat'],
      [
        'routing/foreign-service',
        'slos/b-billing.ts',
        'environments.production.alerting.routes.1.match.service',
      ],
    ]);
    expect(loaded.diagnostics[0]?.message).toContain('slos/b-billing.ts');
    expect(loaded.diagnostics[1]?.message).toContain('slos/a-shop.ts');
  });
});

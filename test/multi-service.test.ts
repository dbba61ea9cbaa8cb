/**
 * Two services in one project: the malaria API and a gRPC checkout API with a Kafka consumer
 * (other metrics, team, three environments, staging sharing the malaria API's namespace and told
 * apart by a `cluster` label, every SLI kind). Adding checkout must change nothing of the malaria
 * API: not its file names, not its bytes, not a line of the diff.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectChanges } from '../src/commands/diff/index.ts';
import { DASHBOARD_UID } from '../src/conventions.ts';
import {
  build,
  type Change,
  diffProjects,
  explain,
  formatDiagnostic,
  lint,
  loadProject,
  testAlerts,
} from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import { validateDashboards } from '../src/validate/index.ts';
import { ROOT, tool } from './helpers/tools.ts';

const root = join(ROOT, 'test', 'fixtures', 'multi-service');
const MALARIA = 'malaria-predictor-api';
const CHECKOUT = 'checkout-api';

let head: Project;
let base: Project;
let checkout: ResolvedService;

beforeAll(async () => {
  const loaded = await loadProject({ root });
  expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
  head = loaded.project as Project;
  // The same definitions without checkout (its catalog alerts are the malaria API's only).
  base = { ...head, services: head.services.filter((s) => s.name !== CHECKOUT) };
  checkout = head.services.find((s) => s.name === CHECKOUT) as ResolvedService;
});

/** Files only the environment owns: its routing, its kustomization, the runbook index. */
const ENVIRONMENT_FILE =
  /^(alertmanager\/[^/]+\/alertmanager\.yaml|kubernetes\/[^/]+\/(kustomization\.yaml|alertmanagerconfig-.*)|runbooks\/README\.md)$/;

describe('a second service beside the malaria API', () => {
  it('holds every SLI kind, three environments and a staging pinned by its cluster label', () => {
    expect(checkout.team).toBe('checkout');
    expect(checkout.environments.map((e) => e.name)).toEqual(['staging', 'production', 'load-test']);
    expect(new Set(checkout.slos.map((s) => s.sli.kind))).toEqual(
      new Set(['ratio', 'latency', 'probe', 'freshness', 'threshold', 'raw']),
    );
    const malariaStaging = head.services.find((s) => s.name === MALARIA)?.environments[0];
    expect(checkout.environments[0]?.namespace).toBe(malariaStaging?.namespace);
    const tree = build(head).tree;
    const rules = tree.get(`prometheus/staging/${CHECKOUT}.rules.yaml`) ?? '';
    // Every selector, the raw SLI's through {{.selector}}, carries the cluster label.
    expect(rules).toContain(
      'kafka_consumer_records_failed_total{job="checkout-api",cluster="eu-staging-2",namespace="malaria-prediction-staging"}[5m]',
    );
    expect(rules).toContain(
      'sum(sum_over_time((kafka_consumergroup_lag_seconds{cluster="eu-staging-2",job="checkout-api",namespace="malaria-prediction-staging",topic="orders"} >= bool 300)[2m:30s]))',
    );
    expect(rules).not.toMatch(/\{\{\s*\./);
  });

  it('keeps the name and bytes of every malaria file; only environment files change', () => {
    const before = build(base).tree;
    const after = build(head).tree;
    const changed = [...before].filter(([path, text]) => after.get(path) !== text).map(([path]) => path);
    expect(changed.filter((p) => !ENVIRONMENT_FILE.test(p))).toEqual([]);
    const malaria = [...before.keys()].filter((p) => p.includes(MALARIA));
    expect(malaria.length).toBeGreaterThan(50);
    for (const path of malaria) expect(after.get(path), path).toBe(before.get(path));
    // Checkout's own files are keyed by it.
    const added = [...after.keys()].filter((p) => !before.has(p));
    expect(added.length).toBeGreaterThan(30);
    // ...but for the environment checkout brings (load-test): its routing and notification templates;
    // and the math shapes only its SLOs have, which name no service.
    for (const path of added)
      if (!path.includes('/load-test/') && !path.startsWith('tests/shapes/'))
        expect(path, path).toMatch(/checkout/);
    expect(added.filter((p) => p.startsWith('tests/shapes/')).length).toBeGreaterThan(0);
    expect(after.has(`runbooks/${CHECKOUT}/AvailabilityBudgetBurn.md`)).toBe(true);
    expect(after.has(`runbooks/${MALARIA}/AvailabilityBudgetBurn.md`)).toBe(true);
  });

  it('lists only checkout in the diff against the project without it', () => {
    const changes = diffProjects(base, head);
    const services = new Set(changes.map((c) => c.service));
    expect(services.has(MALARIA)).toBe(false);
    const unowned = changes.filter((c: Change) => c.service === undefined);
    // The environment's shared routing: the inhibit rules learn checkout's grouping label.
    for (const c of unowned) expect(['routing', 'files'], `${c.section} ${c.subject}`).toContain(c.section);
    expect(changes.some((c) => c.subject.includes(MALARIA))).toBe(false);
    const burn = changes.find(
      (c) => c.section === 'alerts' && c.subject === `${CHECKOUT}/ConsumerLagBudgetBurn (critical #1)`,
    );
    expect(burn).toMatchObject({ kind: 'added', env: 'load-test', service: CHECKOUT });
    expect(changes.filter((c) => c.section === 'slos').map((c) => c.subject)).toEqual(
      checkout.slos.map((s) => `${CHECKOUT}/${s.id}`).sort(),
    );
    // --service keeps a service's own changes; the other service has none.
    expect(selectChanges(changes, { service: MALARIA })).toEqual([]);
    expect(
      selectChanges(changes, { service: CHECKOUT, env: 'production' }).every((c) => c.env !== 'staging'),
    ).toBe(true);
  });

  it('gives every dashboard of the one Grafana its own uid, title and file', () => {
    const dashboards = build(head).documents.filter((d) => d.path.startsWith('grafana/'));
    const boards = dashboards.map((d) => (d as { value: unknown }).value as { uid: string; title: string });
    expect(new Set(boards.map((b) => b.uid)).size).toBe(boards.length);
    expect(new Set(boards.map((b) => b.title)).size).toBe(boards.length);
    for (const b of boards) expect(b.uid.length, b.uid).toBeLessThanOrEqual(40);
  });

  it('passes every lint check, the real promtool and amtool included', async () => {
    const result = await lint({ root });
    // The raw SLI's alerts are the only ones nothing can prove (no contract to synthesize from):
    // warned of, never an error.
    expect(result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    expect(new Set(result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}`))).toEqual(
      new Set(['proof/no-scenario dead-letters.sli']),
    );
    expect(result.checks.length).toBeGreaterThan(10);
  });

  it('proves checkout’s burn alerts, the threshold SLI’s included, with the real promtool', async () => {
    // The threshold SLI's alert in staging, the environment sharing the malaria API's namespace (every
    // scenario of every environment takes minutes on two cores; `obsgen test --service` runs them).
    const result = await testAlerts(
      { root, outDir: 'no-such-dir' },
      { service: CHECKOUT, environments: ['staging'], alerts: ['ConsumerLagBudgetBurn'] },
    );
    const report = result.report;
    expect(report?.passed).toBe(true);
    expect(new Set(report?.services.map((s) => s.service))).toEqual(new Set([CHECKOUT]));
    for (const env of ['staging']) {
      const proof = report?.services.find((s) => s.environment === env);
      const lag = proof?.alerts.find((a) => a.alert === 'ConsumerLagBudgetBurn');
      expect(lag?.results.length, env).toBeGreaterThan(1);
      expect(lag?.results.every((r) => r.passed)).toBe(true);
    }
    const unknown = await testAlerts({ root }, { service: 'nope' });
    expect(unknown.unknownService).toBe('nope');
  }, 400_000);

  it('tells two services’ SLOs of one id apart in explain', () => {
    const both = new Set(explain(head, { slo: 'availability' }).map((r) => r.service));
    expect(both).toEqual(new Set([MALARIA, CHECKOUT]));
    const one = explain(head, { slo: `${CHECKOUT}/availability` });
    expect(new Set(one.map((r) => `${r.service}/${r.slo}`))).toEqual(new Set([`${CHECKOUT}/availability`]));
    const filtered = explain(head, { service: CHECKOUT, env: 'load-test' });
    expect(new Set(filtered.map((r) => r.environment))).toEqual(new Set(['load-test']));
    expect(filtered.length).toBeGreaterThan(0);
  });
});

describe('dashboard uids', () => {
  it('stay unique when cut to 40 characters (a hash of the whole name as suffix)', () => {
    const name = 'a-service-name-of-thirty-six-letters';
    expect(name).toHaveLength(36);
    const a = DASHBOARD_UID.sloDetail(name, 'latency-predict', 'production');
    const b = DASHBOARD_UID.sloDetail(name, 'latency-predict-batch', 'production');
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(40);
    expect(b.length).toBeLessThanOrEqual(40);
    expect(DASHBOARD_UID.sloOverview('shop', 'staging')).toBe('shop-staging-slos');
    // Such a project builds: no two documents for one path.
    const long: ResolvedService = {
      ...checkout,
      name,
      slos: [
        { ...(checkout.slos[2] as ResolvedService['slos'][number]), id: 'latency-predict' },
        { ...(checkout.slos[2] as ResolvedService['slos'][number]), id: 'latency-predict-batch' },
      ],
    };
    expect(validateDashboards([], { services: [long] }).diagnostics).toEqual([]);
    expect(() => build({ services: [long] })).not.toThrow();
  });

  it('refuse two dashboards with one uid in validation, naming both definitions', () => {
    const slo = checkout.slos[0] as ResolvedService['slos'][number];
    // `x`'s SLO `staging-slos` and the overview of service `x-staging-slo` are both x-staging-slo-staging-slos.
    const x: ResolvedService = {
      ...checkout,
      name: 'x',
      file: 'slos/x.ts',
      slos: [{ ...slo, id: 'staging-slos' }],
    };
    const y: ResolvedService = { ...checkout, name: 'x-staging-slo', file: 'slos/y.ts' };
    const result = validateDashboards([], { services: [x, y] });
    expect(result.project).toBeUndefined();
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'slos/y.ts: name: error: the x-staging-slo SLO overview dashboard of staging gets uid "x-staging-slo-staging-slos", as does the x SLO staging-slos dashboard (slos/x.ts: slos.0.id) [dashboards/duplicate-uid]\n  hint: rename the SLO id or service so their dashboard names differ',
    ]);
  });
});

describe('the threshold SLI in OpenSLO', () => {
  it('exports as a thresholdMetric with op lt and imports back into the same SLI', async () => {
    const { exportOpenSlo } = await import('../src/index.ts');
    const { importObjects, parseOpenSloText } = await import('../src/formats/openslo/import/index.ts');
    const { validateProject } = await import('../src/validate/service.ts');
    const lagOnly: ResolvedService = {
      ...checkout,
      slos: checkout.slos.filter((s) => s.sli.kind === 'threshold'),
    };
    const result = exportOpenSlo({ services: [lagOnly] });
    expect(result.diagnostics).toEqual([]);
    const [file, text] = [...result.tree][0] ?? ['', ''];
    expect(text).toContain('thresholdMetric');
    expect(text).toMatch(/op: lt\n\s+value: 300/);
    const parsed = parseOpenSloText(text, file);
    expect(parsed.diagnostics).toEqual([]);
    const imported = importObjects(parsed.objects, { environments: checkout.environments });
    expect(imported.diagnostics).toEqual([]);
    const validated = validateProject(imported.services);
    expect(validated.diagnostics).toEqual([]);
    const sli = validated.project?.services[0]?.slos[0]?.sli;
    expect(sli).toEqual(lagOnly.slos[0]?.sli);
  });
});

describe('the CLI with two services', () => {
  const cli = (...args: string[]) =>
    tool(process.execPath, [join(ROOT, 'src', 'cli', 'bin.js'), '--root', root, ...args]);

  it('explains one service’s SLO by service/id and refuses an unknown service (exit 2)', async () => {
    const one = await cli('explain', '--slo', `${CHECKOUT}/availability`, '--env', 'staging', '--json');
    expect(one.code).toBe(0);
    const rows = JSON.parse(one.stdout) as { service: string; environment: string }[];
    expect(new Set(rows.map((r) => `${r.service} ${r.environment}`))).toEqual(
      new Set([`${CHECKOUT} staging`]),
    );
    const unknown = await cli('test', '--service', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('no service named "nope"\n');
  });
});

describe('a threshold SLI with a bound that is no number', () => {
  it('is a diagnostic naming the file and field', async () => {
    const { default: spec } = await import('./fixtures/multi-service/slos/checkout-api.ts');
    const { validateProject } = await import('../src/validate/service.ts');
    const slos = spec.slos.map((s) =>
      s.sli.kind === 'threshold' ? { ...s, sli: { ...s.sli, below: Number.NaN } } : s,
    );
    const result = validateProject([
      { value: { ...spec, slos }, file: 'slos/checkout-api.ts', exportName: 'default' },
    ]);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'slos/checkout-api.ts: consumer-lag.sli.below: error: Invalid input: expected number, received NaN [schema/invalid-type]',
    ]);
  });
});

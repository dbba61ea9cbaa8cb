/**
 * `obsgen import` then `generate`, in a fresh project: the written TypeScript definitions
 * type-check as the project's own, generate rules promtool accepts with every lint fatal, and the
 * generated promtool tests pass. One project per source: Sloth, Pyrra (typed ratio, latency and
 * grouped SLIs with explicit windows) and OpenSLO (Sloth's OpenSLO dialect, and alert policies
 * naming their own conditions). Also: what the OpenSLO reader now accepts from the main producers.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { writeFiles } from '../src/emit/index.ts';
import { parseOpenSloText } from '../src/formats/openslo/import/documents.ts';
import { importObjects } from '../src/formats/openslo/import/index.ts';
import { explain, importDefinitions, loadProject, testAlerts, validateOpenSlo } from '../src/index.ts';
import { formatDiagnostic } from '../src/model/diagnostic.ts';
import { API, importAndGenerate } from './helpers/import-proof.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const SLOTH = join(ROOT, 'test', 'fixtures', 'import-sloth');
const PYRRA = join(ROOT, 'test', 'fixtures', 'import-pyrra');
const ENV = [
  {
    name: 'production',
    namespace: 'default',
    runbookBaseUrl: 'https://runbooks.example.com',
    grafanaBaseUrl: 'https://grafana.example.com',
  },
];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-import-roundtrip-'));
});
afterAll(async () => cleanup());

async function roundTrip(name: string, format: 'openslo' | 'sloth' | 'pyrra', paths: string[]) {
  const project = join(dir, name);
  const { rules } = await importAndGenerate(format, paths, project);
  const check = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...rules]);
  expect(check.stderr).toBe('');
  expect(check.code).toBe(0);
  const tested = await testAlerts({ root: project });
  expect(tested.diagnostics.map(formatDiagnostic)).toEqual([]);
  expect(tested.report?.passed).toBe(true);
  return project;
}

describe('import then generate', () => {
  it('sloth: getting-started, kubernetes-apiserver and home-wifi', { timeout: 300_000 }, async () => {
    const project = await roundTrip('sloth', 'sloth', [
      join(SLOTH, 'getting-started.yml'),
      join(SLOTH, 'kubernetes-apiserver.yml'),
      join(SLOTH, 'home-wifi.yml'),
    ]);
    const text = await readFile(join(project, 'slos', 'k8s-apiserver.ts'), 'utf8');
    expect(text).toContain(`from '${API}'`);
    expect(text).toContain('// Sloth alert K8sApiserverLatencyAlert is RequestsLatencyBudgetBurn here');
    expect(text).toContain('objective: 0.99,');
  });

  it('pyrra: a grouped 7 day objective with regex selectors and its explicit windows', async () => {
    const project = await roundTrip('pyrra', 'pyrra', [join(PYRRA, 'examples', 'prometheus-http.yaml')]);
    const text = await readFile(join(project, 'slos', 'pyrra.ts'), 'utf8');
    expect(text).toContain("groupBy: ['handler'],");
    // A value each regex selects, so the generated tests draw matching series.
    expect(text).toContain("values: { code: ['500'], handler: ['/api'] },");
    const { project: loaded } = await loadProject({ root: project });
    const rows = explain(loaded as NonNullable<typeof loaded>, { slo: 'prometheus-api-query' });
    // Pyrra's pairs for 7 days; its 1m short window raised to four scrapes (2m).
    expect(rows.map((r) => [r.longWindow, r.shortWindow, r.burnFactor, r.for])).toEqual([
      ['15m', '2m', '14', '1m'],
      ['90m', '8m', '7', '4m'],
      ['6h', '30m', '2', '15m'],
      ['1d', '90m', '1', '45m'],
    ]);
    expect(rows.every((r) => r.firesAfterSeconds !== null)).toBe(true);
  }, 300_000);

  it("openslo: Sloth's OpenSLO examples, one of them two objectives on one long-named SLO", async () => {
    const project = await roundTrip('openslo', 'openslo', [
      join(SLOTH, 'openslo-getting-started.yml'),
      join(SLOTH, 'openslo-kubernetes-apiserver.yml'),
    ]);
    // Three SLOs (two latency objectives on one SLO) whose dashboard uids share their first 40
    // characters: each keeps its own dashboard (a hash of the whole name tells them apart), beside
    // the service's SLO overview.
    const boards = (await readdir(join(project, 'generated', 'grafana', 'production'))).filter((f) =>
      f.startsWith('k8s-apiserver-production-'),
    );
    expect(boards).toHaveLength(4);
    expect(boards).toContain('k8s-apiserver-production-slos.json');
    for (const b of boards) expect(b.replace(/\.json$/, '').length).toBeLessThanOrEqual(40);
  });

  it('refuses and writes nothing when one input is refused', async () => {
    const result = await importDefinitions({
      format: 'sloth',
      paths: [join(SLOTH, 'getting-started.yml'), join(SLOTH, 'raw-home-wifi.yml')],
      root: ROOT,
      out: join(dir, 'refused'),
      api: API,
    });
    expect(result.tree).toBeUndefined();
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([
      'sloth/unsupported-raw-sli',
    ]);
  });
});

/** One OpenSLO text read as a set against one environment. */
const readText = (text: string) =>
  importObjects(parseOpenSloText(text, 't.yaml').objects, { environments: ENV });
const periodOf = (r: { services: { value: unknown }[] }): string | undefined =>
  (r.services[0]?.value as { slos: { period: string }[] } | undefined)?.slos[0]?.period;
const errors = (r: { diagnostics: { severity: string; code: string }[] }) =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('OpenSLO as its producers write it', () => {
  const v1alpha = (spec: Record<string, unknown>) =>
    YAML.stringify({
      apiVersion: 'openslo/v1alpha',
      kind: 'SLO',
      metadata: { name: 'checkout' },
      spec: {
        service: 'shop',
        budgetingMethod: 'Occurrences',
        objectives: [
          {
            target: 0.99,
            ratioMetrics: {
              good: {
                source: 'prometheus',
                queryType: 'promql',
                query: 'sum(rate(orders_total{ok="1"}[{{.window}}]))',
              },
              total: {
                source: 'prometheus',
                queryType: 'promql',
                query: 'sum(rate(orders_total[{{.window}}]))',
              },
            },
          },
        ],
        ...spec,
      },
    });

  it("Sloth's v1alpha: no timeWindows is a rolling 30 days, a window without isRolling is rolling", () => {
    const none = readText(v1alpha({}));
    expect(errors(none)).toEqual([]);
    expect(periodOf(none)).toBe('30d');
    const unflagged = readText(v1alpha({ timeWindows: [{ count: 7, unit: 'Day' }] }));
    expect(errors(unflagged)).toEqual([]);
    expect(periodOf(unflagged)).toBe('1w');
  });

  it('a v1alpha Prometheus source takes any queryType (free text there)', () => {
    const text = v1alpha({}).replaceAll('queryType: promql', 'queryType: query');
    expect(errors(readText(text))).toEqual([]);
  });

  it('a calendar week compiles as a rolling 7 days with a warning', () => {
    const r = readText(
      v1alpha({
        timeWindows: [
          { count: 1, unit: 'Week', calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'UTC' } },
        ],
      }),
    );
    expect(errors(r)).toEqual([]);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.path.join('.')])).toEqual([
      ['warning', 'openslo/calendar-as-rolling', 'documents[0].spec.timeWindows.0.calendar'],
    ]);
    expect(periodOf(r)).toBe('1w');
  });

  it('`alertPolicies:` with no value is an empty list', () => {
    const text = `apiVersion: openslo/v1
kind: SLO
metadata: { name: latency }
spec:
  service: web
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 28d, isRolling: true }]
  indicator:
    metadata: { name: ok }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_total{code="200"}[5m]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_total[5m]))' } } }
  objectives: [{ target: 0.995 }]
  alertPolicies:
`;
    const r = readText(text);
    expect(errors(r)).toEqual([]);
    expect(r.services).toHaveLength(1);
  });

  it('validate accepts a file set holding no SLO (a Service and a DataSource)', async () => {
    const { dir: d, cleanup: done } = await tempDir();
    const file = join(d, 'catalog.yaml');
    await writeFiles(
      d,
      new Map([
        [
          'catalog.yaml',
          `apiVersion: openslo/v1
kind: Service
metadata: { name: web }
spec: { description: The web tier }
---
apiVersion: openslo/v1
kind: DataSource
metadata: { name: prom }
spec: { type: Prometheus, connectionDetails: { url: 'http://prometheus:9090' } }
`,
        ],
      ]),
    );
    const result = await validateOpenSlo({ root: d, paths: [file] });
    await done();
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.objects).toEqual({ DataSource: 1, Service: 1 });
    expect(result.slos).toBe(0);
  });
});

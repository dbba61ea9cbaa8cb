/**
 * Environments spanning several clusters (`clusters`), on the ledger fixture: `live` alerts per
 * cluster (label `cluster`), `preprod` on the sum of its regions (label `region`). The compiled
 * rules run under the real promtool with series of two clusters; the dashboards get a cluster
 * variable their queries filter by; the malaria API, which has no clusters, is unchanged (its
 * golden files in prometheus-rules.test.ts).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { interpolate } from '../src/compile/grafana/index.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { type FileTree, toYaml } from '../src/emit/index.ts';
import { buildTree, explain, formatExplain, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { nodesOf, parsePromql } from '../src/promql/index.ts';
import { validateService } from '../src/validate/service.ts';
import ledger from './fixtures/kube-prometheus-stack/slos/ledger-api.ts';
import { type GrafanaDashboard, grafanaValidators, schemaProblems } from './helpers/grafana.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'kube-prometheus-stack');

let project: Project;
let tree: FileTree;
/** The same definitions without `clusters`: the control. */
let unclustered: FileTree;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const loaded = await loadProject({ root: FIXTURE });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  project = loaded.project as Project;
  tree = buildTree(project);
  const p = project;
  unclustered = buildTree({
    ...p,
    services: p.services.map((s) => ({
      ...s,
      environments: s.environments.map(({ clusters: _clusters, ...env }) => env),
    })),
  });
  ({ dir, cleanup } = await tempDir('obsgen-clusters-'));
});
afterAll(() => cleanup());

const rulesOf = (env: string): RuleFile =>
  YAML.parse(tree.get(`prometheus/${env}/ledger-api.rules.yaml`) ?? '') as RuleFile;

/** One RPC counter series of the ledger in a namespace and cluster. */
const rpcs = (namespace: string, clusterLabel: string, cluster: string, code: string, values: string) => ({
  series: `grpc_server_handled_total{${clusterLabel}="${cluster}",grpc_code="${code}",grpc_method="PostEntry",grpc_service="ledger.Ledger",job="ledger-api",namespace="${namespace}"}`,
  values,
});

/** Pages firing at `eval_time`, one sample per distinct value of `by`. */
const pagesBy = (by: string, environment: string) =>
  `group by (${by}) (ALERTS{alertname="AvailabilityBudgetBurn",alertstate="firing",environment="${environment}",severity="critical"})`;

async function promtoolTest(
  env: string,
  tests: unknown[],
  from: FileTree = tree,
): Promise<{ code: number; output: string }> {
  const tag = from === tree ? 'clusters' : 'unclustered';
  const rules = join(dir, `${env}-${tag}.rules.yaml`);
  await writeFile(rules, from.get(`prometheus/${env}/ledger-api.rules.yaml`) ?? '');
  const file = join(dir, `${env}-${tag}.test.yaml`);
  await writeFile(file, toYaml({ rule_files: [rules], evaluation_interval: '30s', tests }));
  const result = await tool('promtool', ['test', 'rules', file]);
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

describe('recording rules keep the cluster label', () => {
  it.each([
    ['live', 'cluster'],
    ['preprod', 'region'],
  ])('%s: every rule reading raw series sums by %s', (env, label) => {
    const raw = rulesOf(env)
      .groups.flatMap((g) => g.rules)
      .filter((r) => 'record' in r && /^slo:sli_(bad|total):/.test(r.record));
    expect(raw.length).toBeGreaterThan(0);
    for (const rule of raw) {
      const sums = rule.expr.match(/\b(sum|count) by \(([^)]*)\)/g) ?? [];
      expect(sums.length, rule.expr).toBeGreaterThan(0);
      for (const sum of sums) expect(sum, rule.expr).toContain(`(${label}`);
    }
  });
});

const ONE_CLUSTER_DOWN = (ns: string) => ({
  interval: '1m',
  input_series: [
    // eu-1 fails every RPC; us-1, with ten times the traffic, serves them all.
    rpcs(ns, 'cluster', 'eu-1', 'Unavailable', '0+60x40'),
    rpcs(ns, 'cluster', 'us-1', 'OK', '0+600x40'),
  ],
  promql_expr_test: [
    {
      expr: pagesBy('cluster', 'live'),
      eval_time: '20m',
      exp_samples: [{ labels: '{cluster="eu-1"}', value: 1 }],
    },
  ],
});

describe('per-cluster burn alerts (live), promtool', () => {
  it('an outage in one cluster pages for that cluster only, not for the healthy one', async () => {
    const ns = 'ledger-live';
    const { code, output } = await promtoolTest('live', [
      ONE_CLUSTER_DOWN(ns),
      {
        ...ONE_CLUSTER_DOWN(ns),
        promql_expr_test: [
          // The recorded ratio is per cluster: 100% in eu-1, 0% in us-1.
          {
            expr: 'slo:sli_error:ratio_rate5m{slo="availability"}',
            eval_time: '20m',
            exp_samples: [
              {
                labels:
                  '{__name__="slo:sli_error:ratio_rate5m",cluster="eu-1",environment="live",service="ledger-api",slo="availability"}',
                value: 1,
              },
              {
                labels:
                  '{__name__="slo:sli_error:ratio_rate5m",cluster="us-1",environment="live",service="ledger-api",slo="availability"}',
                value: 0,
              },
            ],
          },
        ],
      },
      {
        // Both healthy: no page in either.
        interval: '1m',
        input_series: [
          rpcs(ns, 'cluster', 'eu-1', 'OK', '0+60x40'),
          rpcs(ns, 'cluster', 'us-1', 'OK', '0+600x40'),
        ],
        promql_expr_test: [{ expr: pagesBy('cluster', 'live'), eval_time: '20m', exp_samples: [] }],
      },
    ]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });
});

describe('burn alerts across clusters (preprod, aggregate global), promtool', () => {
  it('two half-bad regions page as one alert, without a region label', async () => {
    const ns = 'ledger-preprod';
    const half = (region: string) => [
      rpcs(ns, 'region', region, 'Internal', '0+300x40'),
      rpcs(ns, 'region', region, 'OK', '0+300x40'),
    ];
    const { code, output } = await promtoolTest('preprod', [
      {
        interval: '1m',
        input_series: [...half('eu'), ...half('us')],
        promql_expr_test: [
          // One page, the regions summed away; the recorded series still keep the region.
          { expr: pagesBy('region', 'preprod'), eval_time: '20m', exp_samples: [{ labels: '{}', value: 1 }] },
          {
            expr: 'count(ALERTS{alertname="AvailabilityBudgetBurn",alertstate="firing",burn_factor="14.4"})',
            eval_time: '20m',
            exp_samples: [{ labels: '{}', value: 1 }],
          },
          {
            expr: 'count by (region) (slo:sli_total:rate5m{slo="availability"})',
            eval_time: '20m',
            exp_samples: [
              { labels: '{region="eu"}', value: 1 },
              { labels: '{region="us"}', value: 1 },
            ],
          },
        ],
      },
      {
        // Weighted by traffic: 10% errors of 1 RPC/s in eu and none of 99 RPC/s in us are 0.1%
        // of all RPCs, under the 1.44% of the fastest page (an average of the two ratios, 5%, would page).
        interval: '1m',
        input_series: [
          rpcs(ns, 'region', 'eu', 'Internal', '0+6x40'),
          rpcs(ns, 'region', 'eu', 'OK', '0+54x40'),
          rpcs(ns, 'region', 'us', 'OK', '0+5940x40'),
        ],
        promql_expr_test: [{ expr: pagesBy('region', 'preprod'), eval_time: '20m', exp_samples: [] }],
      },
    ]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });
});

describe('the same service without clusters (the control)', () => {
  it('sums both clusters into one page that names no cluster, so the per-cluster case fails', async () => {
    const { code, output } = await promtoolTest('live', [ONE_CLUSTER_DOWN('ledger-live')], unclustered);
    expect(code).toBe(1);
    expect(output).toContain('exp: {cluster="eu-1"} 1');
    expect(output).toMatch(/got: \{\} 1/);
  });
});

interface DashboardJson {
  uid: string;
  templating: {
    list: { name: string; type: string; query?: string; includeAll?: boolean; allValue?: string }[];
  };
  panels: { title: string; targets?: { expr: string }[] }[];
}

const dashboardsOf = (files: FileTree, env: string): DashboardJson[] =>
  [...files]
    .filter(([path]) => path.startsWith(`grafana/${env}/`))
    .map(([, text]) => JSON.parse(text) as DashboardJson);

describe('dashboards of an environment spanning clusters', () => {
  it.each([
    ['live', 'cluster', true],
    ['preprod', 'region', false],
  ])(
    '%s: a %s variable from an SLI metric, and every query filters by it',
    (env, label, alertsPerCluster) => {
      const svc = project.services[0];
      const environment = svc?.environments.find((e) => e.name === env);
      if (!svc || !environment) throw new Error(`no ${env}`);
      const dashboards = dashboardsOf(tree, env);
      // SLO overview, two SLO details, the business dashboard.
      expect(dashboards.map((d) => d.uid).sort()).toEqual([
        `ledger-api-${env}-business`,
        `ledger-api-${env}-slo-availability`,
        `ledger-api-${env}-slo-uptime`,
        `ledger-api-${env}-slos`,
      ]);
      for (const dashboard of dashboards) {
        const variable = dashboard.templating.list.find((v) => v.name === 'cluster');
        expect(variable, dashboard.uid).toMatchObject({
          type: 'query',
          query: `label_values(grpc_server_handled_total{job="ledger-api",namespace="\${environment}"}, ${label})`,
          includeAll: true,
          allValue: '.*',
        });
        for (const panel of dashboard.panels)
          for (const target of panel.targets ?? []) {
            const parsed = parsePromql(interpolate(target.expr, svc, environment));
            if (!parsed.ok) throw new Error(`${dashboard.uid} ${panel.title}: ${target.expr}`);
            for (const { node } of nodesOf(parsed.root, 'selector')) {
              // Alerts on the sum across clusters carry no cluster label to filter by.
              if (node.name === 'ALERTS' && !alertsPerCluster) continue;
              expect(
                node.matchers.some((m) => m.label === label && m.op === '=~'),
                `${dashboard.uid} / ${panel.title}: ${target.expr}`,
              ).toBe(true);
            }
            if (alertsPerCluster || !target.expr.startsWith('ALERTS'))
              expect(target.expr).toContain(`${label}=~"$cluster"`);
          }
      }
    },
  );

  it('with one cluster chosen, every SLO panel query returns that cluster only (promtool)', async () => {
    const svc = project.services[0];
    const environment = svc?.environments.find((e) => e.name === 'live');
    if (!svc || !environment) throw new Error('no live');
    const queries = dashboardsOf(tree, 'live')
      .filter((d) => d.uid.includes('-slo'))
      .flatMap((d) => d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)));
    expect(queries.length).toBeGreaterThan(10);
    // Grafana sends the chosen value in place of $cluster.
    const chosen = (expr: string) => interpolate(expr.replaceAll('"$cluster"', '"eu-1"'), svc, environment);
    const { code, output } = await promtoolTest('live', [
      {
        ...ONE_CLUSTER_DOWN('ledger-live'),
        input_series: [
          ...ONE_CLUSTER_DOWN('ledger-live').input_series,
          // The uptime SLO's probe, in both clusters.
          ...['eu-1', 'us-1'].map((cluster) => ({
            series: `probe_success{cluster="${cluster}",instance="https://ledger.example.com/healthz",job="blackbox",namespace="ledger-live"}`,
            values: '1x40',
          })),
        ],
        promql_expr_test: queries.map((expr) => ({
          expr: `group by (cluster) (${chosen(expr)})`,
          eval_time: '20m',
          exp_samples: [{ labels: '{cluster="eu-1"}', value: 1 }],
        })),
      },
    ]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('validate against the dashboard, panel and query schemas, cluster variable included', () => {
    const validators = grafanaValidators();
    for (const env of ['live', 'preprod'])
      for (const dashboard of dashboardsOf(tree, env))
        expect(schemaProblems(validators, dashboard as unknown as GrafanaDashboard), dashboard.uid).toEqual(
          [],
        );
  });

  it('without clusters: no cluster variable and no cluster matcher', () => {
    for (const dashboard of dashboardsOf(unclustered, 'live')) {
      expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'environment']);
      for (const panel of dashboard.panels)
        for (const target of panel.targets ?? []) expect(target.expr).not.toContain('$cluster');
    }
  });
});

describe('validation of clusters', () => {
  const withClusters = (env: Record<string, unknown>) => {
    const svc = ledger as unknown as { environments: Record<string, unknown>[] };
    const value = { ...svc, environments: [{ ...svc.environments[1], ...env }] };
    return validateService({ file: 'slos/ledger-api.ts', exportName: 'default', value }).diagnostics.map(
      (d) => `${d.code} ${d.path.join('.')}: ${d.message}`,
    );
  };

  it('accepts the fixture settings and the default label', () => {
    expect(withClusters({ clusters: {} })).toEqual([]);
    expect(withClusters({ clusters: { label: 'k8s_cluster', aggregate: 'global' } })).toEqual([]);
  });

  it('names the field of a bad label, a label obsgen owns, a pinned cluster and an unknown mode', () => {
    expect(withClusters({ clusters: { label: 'k8s-cluster' } })).toEqual([
      'label/name environments.live.clusters.label: "k8s-cluster" is not a valid label name',
    ]);
    expect(withClusters({ clusters: { label: 'namespace' } })).toEqual([
      'env/cluster-label environments.live.clusters.label: "namespace" is a label obsgen sets itself, not one that tells clusters apart',
    ]);
    expect(withClusters({ clusters: {}, selectorLabels: { cluster: 'eu-1' } })).toEqual([
      'env/cluster-pinned environments.live.selectorLabels.cluster: selectorLabels pins cluster="eu-1", but clusters says the environment spans several',
    ]);
    expect(withClusters({ clusters: { aggregate: 'average' } })[0]).toMatch(
      /^schema\/invalid-value live\.clusters\.aggregate: /,
    );
  });
});

describe('runbooks and explain say how an environment spanning clusters alerts', () => {
  it('the burn runbook notes it per environment, with per-cluster SLI queries', () => {
    const runbook = tree.get('runbooks/ledger-api/AvailabilityBudgetBurn.md') ?? '';
    expect(runbook).toContain(
      "Spans several clusters (label `cluster`): burn alerts fire per cluster: the alert's `cluster` label names the cluster burning",
    );
    expect(runbook).toContain(
      'Spans several clusters (label `region`): burn alerts fire on the events of all clusters together',
    );
    expect(runbook).toContain(
      'sum by (cluster) (rate(grpc_server_handled_total{job="ledger-api",namespace="ledger-live"}',
    );
    expect(unclustered.get('runbooks/ledger-api/AvailabilityBudgetBurn.md')).not.toContain(
      'Spans several clusters',
    );
  });

  it('explain rows carry the mode and the table title says it', () => {
    const rows = explain(project, { slo: 'availability' });
    expect(
      new Set(rows.map((r) => `${r.environment} ${r.clusters?.aggregate} ${r.clusters?.label}`)),
    ).toEqual(new Set(['preprod global region', 'live per-cluster cluster']));
    expect(formatExplain(rows)).toContain(
      'alerts per cluster (label cluster): a total outage of one cluster',
    );
  });
});

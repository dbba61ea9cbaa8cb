import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintDashboardLinks } from '../src/checks/dashboard-links.ts';
import { dashboardLink } from '../src/compile/grafana/index.ts';
import { DATASOURCE } from '../src/compile/grafana/panels.ts';
import { isAlertingRule, type RuleFile } from '../src/compile/prometheus/index.ts';
import { DASHBOARD_UID, GRAFANA_SCHEMA_VERSION } from '../src/conventions.ts';
import type { Document } from '../src/emit/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import { build, check } from '../src/pipeline.ts';
import { type GrafanaDashboard, grafanaValidators, schemaProblems } from './helpers/grafana.ts';
import { ROOT } from './helpers/tools.ts';

let project: Project;
let svc: ResolvedService;
let documents: Document[];
let dashboards: { path: string; dashboard: GrafanaDashboard }[];

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  svc = project.services[0] as ResolvedService;
  documents = [...build(project).documents];
  dashboards = documents
    .filter((d) => d.path.startsWith('grafana/') && d.format === 'json')
    .map((d) => ({ path: d.path, dashboard: (d as { value: unknown }).value as GrafanaDashboard }));
});

describe('grafana dashboards of the built-in definitions', () => {
  it('are the SLO overview, one detail per SLO, RED, infrastructure and business per environment', () => {
    const name = 'malaria-predictor-api';
    const uids = (env: string) => [
      DASHBOARD_UID.business(name, env),
      DASHBOARD_UID.infrastructure(name, env),
      DASHBOARD_UID.service(name, env),
      ...['availability', 'error-rate', 'freshness', 'latency'].map((slo) =>
        DASHBOARD_UID.sloDetail(name, slo, env),
      ),
      DASHBOARD_UID.sloOverview(name, env),
    ];
    expect(dashboards.map((d) => d.path)).toEqual(
      ['production', 'staging'].flatMap((env) =>
        uids(env)
          .map((u) => `grafana/${env}/${u}.json`)
          .sort(),
      ),
    );
  });

  it('differ per environment in uid and title, so one Grafana loads staging and production side by side', () => {
    const uids = dashboards.map((d) => d.dashboard.uid);
    const titles = dashboards.map((d) => d.dashboard.title);
    expect(new Set(uids).size).toBe(dashboards.length);
    expect(new Set(titles).size).toBe(dashboards.length);
    for (const { dashboard } of dashboards) expect((dashboard.uid ?? '').length).toBeLessThanOrEqual(40);
    expect(titles).toContain('malaria-predictor-api / SLO latency (staging)');
    expect(titles).toContain('malaria-predictor-api / SLO latency (production)');
  });

  it('validate against the dashboard, panel and prometheus query schemas', () => {
    const validators = grafanaValidators();
    for (const { path, dashboard } of dashboards)
      expect(schemaProblems(validators, dashboard), path).toEqual([]);
  });

  it('catch a schema violation (the validators are not vacuous)', () => {
    const validators = grafanaValidators();
    const dashboard = dashboards[0]?.dashboard as GrafanaDashboard;
    const broken = {
      ...dashboard,
      panels: dashboard.panels.map((p) =>
        p.type === 'row'
          ? p
          : {
              ...p,
              options: { ...(p.options as object), legend: 'x' },
              targets: [{ refId: 'A', exprr: 'up' }],
            },
      ),
    } as unknown as GrafanaDashboard;
    const problems = schemaProblems(validators, broken);
    expect(problems.some((p) => p.includes('options/legend'))).toBe(true);
    expect(problems.some((p) => p.includes("must have required property 'expr'"))).toBe(true);
    expect(schemaProblems(validators, { ...dashboard, schemaVersion: 'x' } as never)).toContain(
      'dashboard/schemaVersion: must be integer',
    );
  });

  it('have unique stable uids, unique panel ids and refIds, a pinned schemaVersion and both variables', () => {
    for (const env of ['production', 'staging']) {
      const uids = dashboards.filter((d) => d.path.includes(`/${env}/`)).map((d) => d.dashboard.uid);
      expect(new Set(uids).size).toBe(uids.length);
    }
    for (const { path, dashboard } of dashboards) {
      expect(dashboard.schemaVersion, path).toBe(GRAFANA_SCHEMA_VERSION);
      expect(dashboard.uid.length).toBeLessThanOrEqual(40);
      expect(path).toBe(`${path.split('/').slice(0, 2).join('/')}/${dashboard.uid}.json`);
      const ids = dashboard.panels.map((p) => p.id);
      expect(
        ids.every((id) => Number.isInteger(id) && id > 0),
        path,
      ).toBe(true);
      expect(new Set(ids).size, path).toBe(ids.length);
      expect(dashboard.templating.list.map((v) => [v.name, v.type])).toEqual([
        ['datasource', 'datasource'],
        ['environment', 'custom'],
      ]);
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(refIds.length, `${path} panel ${panel.id}`).toBeGreaterThan(0);
        expect(new Set(refIds).size).toBe(refIds.length);
        expect(refIds.every((r) => typeof r === 'string' && r !== '')).toBe(true);
        expect(panel.datasource).toEqual(DATASOURCE);
        for (const t of panel.targets ?? []) expect(t.datasource).toEqual(panel.datasource);
      }
    }
  });

  it('pass the generation-time query check', async () => {
    expect(await check(build(project), ['dashboard-queries'])).toEqual([]);
  });

  it('give every alert a dashboard_url that opens the panel explaining it', () => {
    expect(lintDashboardLinks(documents)).toEqual([]);
    for (const doc of documents.filter((d) => d.path.startsWith('prometheus/'))) {
      const env = doc.path.split('/')[1] as string;
      const rules = (doc as { value: RuleFile }).value.groups.flatMap((g) => g.rules).filter(isAlertingRule);
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        const url = new URL(rule.annotations.dashboard_url as string);
        const uid = url.pathname.replace(/^\/d\//, '');
        expect(url.searchParams.get('var-environment')).toBe(env);
        const board = dashboards.find((d) => d.path === `grafana/${env}/${uid}.json`)?.dashboard;
        const panel = board?.panels.find((p) => p.id === Number(url.searchParams.get('viewPanel')));
        if (rule.labels.slo === undefined) {
          // Catalog alerts open the panel of their definition (or their category's).
          expect(panel, rule.alert).toBeDefined();
          continue;
        }
        expect(uid).toBe(DASHBOARD_UID.sloDetail(svc.name, rule.labels.slo as string, env));
        // A burn alert opens the burn-rate panel of its own window pair; no-data opens the events.
        const expected = rule.labels.long_window
          ? `Burn rate ${rule.labels.long_window}/${rule.labels.short_window} `
          : 'Good and bad ';
        expect(panel?.title, rule.alert).toContain(expected);
      }
    }
  });

  it('offer dashboardLink for other alerts and refuse targets that do not exist', () => {
    const env = svc.environments.find((e) => e.name === 'production');
    if (!env) throw new Error('no production');
    const base = 'https://grafana.malaria-prediction.com/d/';
    expect(dashboardLink(svc, env, { dashboard: 'service', panel: 'errors' })).toBe(
      `${base}${DASHBOARD_UID.service('malaria-predictor-api', 'production')}?var-environment=production&viewPanel=3`,
    );
    expect(dashboardLink(svc, env, { dashboard: 'service', panel: 'latency', quantile: 0.95 })).toBe(
      `${base}${DASHBOARD_UID.service('malaria-predictor-api', 'production')}?var-environment=production&viewPanel=6`,
    );
    expect(dashboardLink(svc, env, { dashboard: 'infrastructure', panel: 'memory' })).toBe(
      `${base}${DASHBOARD_UID.infrastructure('malaria-predictor-api', 'production')}?var-environment=production&viewPanel=3`,
    );
    expect(dashboardLink(svc, env, { dashboard: 'business', panel: 'data-freshness' })).toBe(
      `${base}${DASHBOARD_UID.business('malaria-predictor-api', 'production')}?var-environment=production&viewPanel=3`,
    );
    expect(dashboardLink(svc, env, { dashboard: 'slo-overview', panel: 'alerts' })).toBe(
      `${base}${DASHBOARD_UID.sloOverview('malaria-predictor-api', 'production')}?var-environment=production&viewPanel=2`,
    );
    expect(dashboardLink(svc, env, { dashboard: 'business', panel: 'nope' })).toBeUndefined();
    expect(dashboardLink(svc, env, { dashboard: 'slo-detail', slo: 'nope', panel: 'sli' })).toBeUndefined();
    expect(
      dashboardLink(svc, env, { dashboard: 'service', panel: 'latency', quantile: 0.9 }),
    ).toBeUndefined();
    const bare = { ...svc, dashboards: undefined } as unknown as ResolvedService;
    expect(dashboardLink(bare, env, { dashboard: 'infrastructure', panel: 'cpu' })).toBeUndefined();
  });

  it('are byte-identical across runs', async () => {
    const again = await loadProject({ root: ROOT });
    const a = [...buildTree(project)].filter(([p]) => p.startsWith('grafana/'));
    const b = [...buildTree(again.project as Project)].filter(([p]) => p.startsWith('grafana/'));
    expect(b).toEqual(a);
  });

  it('match the golden files', async () => {
    for (const [path, content] of buildTree(project))
      if (path.startsWith('grafana/'))
        await expect(content).toMatchFileSnapshot(join('golden', 'malaria', path));
  });
});

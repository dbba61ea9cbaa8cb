/**
 * Every lint check, with the real promtool and amtool: a fixture that trips it (diagnostics
 * snapshotted under test/golden/lint/) and projects that pass (the clean fixture and the built-in
 * definitions). Checks whose findings definitions cannot produce (validation refuses them first,
 * or the compilers never write them) are tripped by altering the compiled documents.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../src/checks/index.ts';
import type { AlertmanagerConfig } from '../src/compile/alertmanager/index.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import type { Document } from '../src/emit/index.ts';
import { formatDiagnostic, lint, lintDocuments, loadProject } from '../src/index.ts';
import type { Diagnostic } from '../src/model/diagnostic.ts';
import type { Project } from '../src/model/resolved.ts';
import { compileProject } from '../src/pipeline.ts';
import { ROOT } from './helpers/tools.ts';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);
const text = (diagnostics: readonly Diagnostic[]) => `${diagnostics.map(formatDiagnostic).join('\n')}\n`;
const golden = (name: string) => join('golden', 'lint', `${name}.txt`);

/** Check, and the fixture project that trips it. */
const TRIPS: readonly (readonly [string, string])[] = [
  ['promql-syntax', 'lint-promql-syntax'],
  ['prometheus-promtool', 'lint-promtool'],
  ['rule-conventions', 'lint-conventions'],
  ['counters', 'lint-counters'],
  ['rule-series', 'lint-series'],
  ['dashboard-queries', 'lint-series'],
  ['slo-sanity', 'lint-slo-sanity'],
  ['alertmanager-amtool', 'lint-amtool'],
  ['alertmanager-routes', 'lint-routing'],
];

describe('lint checks on fixture projects', () => {
  it.each(TRIPS)('%s trips on %s', async (check, name) => {
    const result = await lint({ root: fixture(name), checks: [check] });
    expect(result.checks).toEqual([check]);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden(check));
  });

  it('finds nothing in the clean fixture, with every check', async () => {
    const result = await lint({ root: fixture('lint-clean') });
    expect(result.checks).toEqual(CHECKS.map((c) => c.name));
    expect(result.diagnostics).toEqual([]);
  });

  it('finds nothing in the built-in definitions, with every check', async () => {
    const result = await lint({ root: ROOT });
    expect(result.checks).toHaveLength(CHECKS.length);
    expect(text(result.diagnostics)).toBe('\n');
  });

  it('finds nothing in the malaria SLOs written in OpenSLO but that raw queries are proven by nothing (warnings)', async () => {
    const result = await lint({
      root: ROOT,
      definitions: 'test/fixtures/lint-clean/no-such-dir',
      alerts: 'test/fixtures/lint-clean/no-such-dir',
      dashboards: 'test/fixtures/lint-clean/no-such-dir',
      openslo: ['test/fixtures/openslo-malaria/openslo'],
      environments: 'slos/environments.ts',
    });
    expect(result.checks).toHaveLength(CHECKS.length);
    // Raw PromQL has no contract to synthesize series from: its burn alerts have no scenario.
    expect(result.diagnostics.length).toBeGreaterThan(0);
    for (const d of result.diagnostics)
      expect([d.code, d.severity]).toEqual(['proof/no-scenario', 'warning']);
  });

  it('reports invalid definitions with their validation diagnostics and runs no check', async () => {
    const result = await lint({ root: fixture('routing-inline-secret') });
    expect(result.checks).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toContain('receiver/inline-secret');
  });

  it('refuses an unknown check name', async () => {
    await expect(lint({ root: fixture('lint-clean'), checks: ['no-such-check'] })).rejects.toThrow(
      'unknown lint check(s): no-such-check',
    );
  });
});

describe('lint checks on altered output of the clean fixture', () => {
  let project: Project;
  let documents: Document[];

  beforeAll(async () => {
    const loaded = await loadProject({ root: fixture('lint-clean') });
    project = loaded.project as Project;
    documents = compileProject(project);
  });

  /** The documents with the one at `path` replaced (or removed when `edit` returns undefined). */
  const altered = (path: string, edit: (value: unknown) => unknown): Document[] =>
    documents.flatMap((d) => {
      if (d.path !== path) return [d];
      if (d.format === 'text') return [];
      const value = edit(structuredClone(d.value));
      return value === undefined ? [] : [{ ...d, value }];
    });

  it('rule-conventions: names, tiers, labels, annotations, summary of generated rules', async () => {
    const docs = altered('prometheus/production/shop.rules.yaml', (value) => {
      const file = value as { groups: { name: string; rules: Record<string, unknown>[] }[] };
      const [sli] = file.groups;
      const record = sli?.rules[0] as { record: string };
      record.record = 'shop_errors_rate5m';
      const alerts = file.groups.find((g) => g.name === 'shop-errors');
      const alert = alerts?.rules[0] as {
        labels: Record<string, string>;
        annotations: Record<string, string>;
      };
      alert.labels.severity = 'page';
      delete alert.labels.category;
      delete alert.annotations.runbook_url;
      alert.annotations.summary = 'Requests fail. Customers leave.';
      const other = file.groups.find((g) => g.name === 'shop-latency')?.rules[0] as {
        annotations: Record<string, string>;
      };
      other.annotations.summary = 'p95 is {{ $value }}.';
      return value;
    });
    const result = await lintDocuments(project, docs, ['rule-conventions']);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden('rule-conventions.altered'));
  });

  it('rule-duplicates: a rule generated again in another file of the environment', async () => {
    const source = documents.find((d) => d.path === 'prometheus/production/shop.rules.yaml');
    const file = (source as { value: RuleFile }).value;
    const extra: Document = {
      path: 'prometheus/production/extra.rules.yaml',
      format: 'yaml',
      value: { groups: [{ name: 'extra', rules: file.groups[0]?.rules.slice(0, 2) ?? [] }] },
      sources: ['hand-written'],
    };
    const result = await lintDocuments(project, [...documents, extra], ['rule-duplicates']);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.line !== undefined)).toBe(true);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden('rule-duplicates'));
  });

  it('alert-runbooks: an alert without its runbook', async () => {
    const docs = documents.filter((d) => d.path !== 'runbooks/shop/ShopHighErrorRate.md');
    const result = await lintDocuments(project, docs, ['alert-runbooks']);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden('alert-runbooks'));
  });

  it('alertmanager-secrets: secrets written inline', async () => {
    const docs = altered('alertmanager/production/alertmanager.yaml', (value) => {
      const config = value as AlertmanagerConfig & { receivers: Record<string, unknown>[] };
      const slack = config.receivers.find((r) => r.name === 'slack-alerts') as unknown as {
        slack_configs: Record<string, unknown>[];
      };
      const first = slack.slack_configs[0] as Record<string, unknown>;
      delete first.api_url_file;
      first.api_url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXX';
      config.receivers.push({
        name: 'heartbeat',
        webhook_configs: [{ url: 'https://heartbeat.example.com/ping?token=abc123' }],
      });
      return config;
    });
    const result = await lintDocuments(project, docs, ['alertmanager-secrets']);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden('alertmanager-secrets'));
  });

  it('alertmanager-routes: a paging receiver where the environment does not page', async () => {
    const docs = altered('alertmanager/staging/alertmanager.yaml', (value) => {
      const config = value as { route: { routes: { receiver: string }[] }; receivers: unknown[] };
      const production = documents.find((d) => d.path === 'alertmanager/production/alertmanager.yaml');
      const prod = (production as { value: AlertmanagerConfig }).value;
      return { ...config, route: prod.route, receivers: prod.receivers };
    });
    const result = await lintDocuments(project, docs, ['alertmanager-routes']);
    expect(result.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['routing/pages']));
    expect(result.diagnostics.filter((d) => d.code !== 'routing/pages')).toEqual([]);
  });

  it('dashboard-links: an alert linking to a dashboard that is not generated', async () => {
    const docs = documents.filter((d) => d.path !== 'grafana/production/shop-production-red.json');
    const result = await lintDocuments(project, docs, ['dashboard-links']);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden('dashboard-links'));
  });

  it('slo-sanity: windows shorter than four scrapes', async () => {
    const svc = project.services[0];
    const slo = svc?.slos[0];
    if (!svc || !slo) throw new Error('the clean fixture has a service with SLOs');
    const short: Project = {
      ...project,
      services: [
        {
          ...svc,
          slos: [{ ...slo, windows: slo.windows.map((p) => ({ ...p, short: 60 })) }, ...svc.slos.slice(1)],
        },
      ],
    };
    const result = await lintDocuments(short, documents, ['slo-sanity']);
    await expect(text(result.diagnostics)).toMatchFileSnapshot(golden('slo-sanity.scrapes'));
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type AlertmanagerConfig, routeReceivers } from '../src/compile/alertmanager/index.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { ROUTING_BASE_LABELS as base, ROUTING_TABLE as TABLE } from './helpers/routing-table.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let tree: ReadonlyMap<string, string>;
let dir: string;
let cleanup: () => Promise<void>;
const ENVS = ['staging', 'production'] as const;
const configFile = (env: string) => join(dir, 'alertmanager', env, 'alertmanager.yaml');

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  tree = buildTree(project);
  ({ dir, cleanup } = await tempDir());
  for (const [path, text] of tree) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
});
afterAll(() => cleanup());

const config = (env: string): AlertmanagerConfig =>
  YAML.parse(tree.get(`alertmanager/${env}/alertmanager.yaml`) ?? '') as AlertmanagerConfig;

const amtoolRoutes = (env: string, labels: Record<string, string>, verify?: string) =>
  tool('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${configFile(env)}`,
    ...(verify === undefined ? [] : [`--verify.receivers=${verify}`]),
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);

describe('alertmanager configuration', () => {
  for (const env of ENVS)
    it(`passes amtool check-config in ${env} (templates included)`, async () => {
      const result = await tool('amtool', ['check-config', configFile(env)]);
      expect(result.stdout).toContain('SUCCESS');
      expect(result.stdout).toContain('1 templates');
      expect(result.code).toBe(0);
    });

  it('never pages in staging: no PagerDuty receiver, no route to one', () => {
    const staging = config('staging');
    expect(staging.receivers.map((r) => r.name)).not.toContain('pagerduty-oncall');
    expect(JSON.stringify(staging.route)).not.toContain('pagerduty');
    expect(config('production').receivers.map((r) => r.name)).toContain('pagerduty-oncall');
  });

  it('writes secrets only as *_file paths', () => {
    for (const env of ENVS) {
      const text = tree.get(`alertmanager/${env}/alertmanager.yaml`) ?? '';
      expect(text).not.toMatch(/^\s*(api_url|routing_key|service_key|smtp_auth_password):/m);
      for (const receiver of config(env).receivers)
        for (const c of receiver.slack_configs ?? []) expect(Object.keys(c)).toContain('api_url_file');
    }
  });

  describe.each(TABLE)('routes $case', (row) => {
    for (const env of ENVS)
      it(`to ${env === 'staging' ? row.staging : row.production} in ${env} (amtool config routes test)`, async () => {
        const labels = { ...base, environment: env, ...row.labels };
        const expected = env === 'staging' ? row.staging : row.production;
        const result = await amtoolRoutes(env, labels, expected);
        expect(result.stdout.trim()).toBe(expected);
        expect(result.code).toBe(0);
        expect(routeReceivers(config(env).route, labels).join(',')).toBe(expected);
      });
  });

  it('fails amtool verification when the expected receivers are wrong (the check can fail)', async () => {
    const labels = { ...base, environment: 'production', alertname: 'ApiDown', severity: 'critical' };
    const result = await amtoolRoutes('production', labels, 'slack-alerts');
    expect(result.code).toBe(1);
  });

  it('routes every generated alert rule the way amtool does', async () => {
    for (const env of ENVS) {
      const rules = YAML.parse(
        tree.get(`prometheus/${env}/malaria-predictor-api.rules.yaml`) ?? '',
      ) as RuleFile;
      const seen = new Set<string>();
      for (const group of rules.groups)
        for (const rule of group.rules) {
          if (!('alert' in rule)) continue;
          const labels: Record<string, string> = { alertname: rule.alert, ...rule.labels };
          const key = JSON.stringify([labels.alertname, labels.severity, labels.category]);
          if (seen.has(key)) continue;
          seen.add(key);
          const result = await amtoolRoutes(env, labels);
          expect(result.code).toBe(0);
          expect(`${rule.alert}: ${result.stdout.trim()}`).toBe(
            `${rule.alert}: ${routeReceivers(config(env).route, labels).join(',')}`,
          );
        }
      expect(seen.size).toBeGreaterThan(20);
    }
  });

  it('renders the notification templates with Alertmanager (amtool template render)', async () => {
    const data = join(dir, 'data.json');
    const alert = {
      status: 'firing',
      labels: {
        alertname: 'DataStale',
        severity: 'warning',
        source: 'era5',
        service: base.service,
        environment: 'production',
      },
      annotations: {
        summary: 'A data source has not been ingested for more than 2 hours.',
        description: 'Source era5 was last ingested successfully 2h 10m 0s ago (bound 2h).',
        runbook_url: 'https://example.com/runbooks/DataStale.md',
        dashboard_url: 'https://grafana.example.com/d/x',
      },
      startsAt: '2024-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
    };
    await writeFile(
      data,
      JSON.stringify({
        receiver: 'slack-alerts',
        status: 'firing',
        alerts: [alert],
        groupLabels: { alertname: 'DataStale' },
        commonLabels: alert.labels,
        commonAnnotations: alert.annotations,
        externalURL: 'http://alertmanager.example.com',
      }),
    );
    const render = (name: string) =>
      tool('amtool', [
        'template',
        'render',
        `--template.glob=${join(dir, 'alertmanager', 'production', 'notifications.tmpl')}`,
        `--template.text={{ template "${name}" . }}`,
        `--template.data=${data}`,
      ]);
    const title = await render('obsgen.title');
    expect(title.code).toBe(0);
    expect(title.stdout.trim()).toBe('[FIRING:1] DataStale (malaria-predictor-api, production)');
    const text = await render('obsgen.slack.text');
    expect(text.stdout).toContain('*A data source has not been ingested for more than 2 hours.*');
    expect(text.stdout).toContain('<https://example.com/runbooks/DataStale.md|Runbook>');
    const subject = await render('obsgen.email.subject');
    expect(subject.stdout.trim()).toBe('[production] malaria-predictor-api: 1 firing, 0 resolved');
  });
});

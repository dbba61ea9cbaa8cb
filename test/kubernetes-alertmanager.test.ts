import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { AlertmanagerConfig } from '../src/compile/alertmanager/index.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { inlineTemplates, referencedSecrets, templateBodies } from '../src/derive/kubernetes/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { type KubeObject, parse11, plainAlertmanagerConfig } from './helpers/kubernetes.ts';
import { ROUTING_BASE_LABELS, ROUTING_TABLE } from './helpers/routing-table.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let tree: ReadonlyMap<string, string>;
let dir: string;
let cleanup: () => Promise<void>;
const ENVS = [
  { name: 'staging', namespace: 'malaria-prediction-staging' },
  { name: 'production', namespace: 'malaria-prediction-production' },
] as const;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  tree = buildTree(loaded.project as Project);
  ({ dir, cleanup } = await tempDir());
  await writeFile(
    join(dir, 'notifications.tmpl'),
    tree.get('alertmanager/production/notifications.tmpl') ?? '',
  );
});
afterAll(() => cleanup());

const resource = (env: string): KubeObject =>
  parse11(
    tree.get(`kubernetes/${env}/alertmanagerconfig-malaria-prediction-${env}-alert-routing.yaml`) ?? '',
  ) as KubeObject;
const plain = (env: string): AlertmanagerConfig =>
  parse11(tree.get(`alertmanager/${env}/alertmanager.yaml`) ?? '') as AlertmanagerConfig;

/** Writes a converted configuration for amtool. */
async function configFile(name: string, config: unknown): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, YAML.stringify(config, { version: '1.1' }));
  return file;
}

const routes = (file: string, labels: Record<string, string>, verify: string) =>
  tool('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${file}`,
    `--verify.receivers=${verify}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);

/** alertmanager.yaml with its template references written in place, for comparison. */
function inlined(config: AlertmanagerConfig): unknown {
  const bodies = templateBodies(tree.get('alertmanager/production/notifications.tmpl') ?? '');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return inlineTemplates(value, bodies);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const { templates: _t, global, ...rest } = config;
  const { resolve_timeout: _r, ...smtp } = global;
  return { global: smtp, ...(walk(rest) as object) };
}

describe.each(ENVS)('AlertmanagerConfig of $name', (env) => {
  it('converts back into alertmanager.yaml: same route tree, receivers, inhibit rules and time intervals', () => {
    expect(plainAlertmanagerConfig(resource(env.name), 'None')).toEqual(inlined(plain(env.name)));
  });

  it('passes amtool check-config once converted back the way the operator merges it', async () => {
    for (const strategy of ['None', 'OnNamespace'] as const) {
      const file = await configFile(
        `${env.name}-${strategy}`,
        plainAlertmanagerConfig(resource(env.name), strategy),
      );
      const result = await tool('amtool', ['check-config', file]);
      expect(result.stdout).toContain('SUCCESS');
      expect(result.code).toBe(0);
    }
  });

  it('routes the routing table to the receivers of alertmanager.yaml (amtool, without and with the namespace matcher)', async () => {
    const none = await configFile(
      `${env.name}-routes-none`,
      plainAlertmanagerConfig(resource(env.name), 'None'),
    );
    const operator = await configFile(
      `${env.name}-routes-ns`,
      plainAlertmanagerConfig(resource(env.name), 'OnNamespace'),
    );
    const prefix = `${env.namespace}/alert-routing/`;
    for (const row of ROUTING_TABLE) {
      const expected = env.name === 'staging' ? row.staging : row.production;
      const labels = {
        ...ROUTING_BASE_LABELS,
        environment: env.name,
        namespace: env.namespace,
        ...row.labels,
      };
      const plainResult = await routes(none, labels, expected);
      expect(`${row.case}: ${plainResult.stdout.trim()}`).toBe(`${row.case}: ${expected}`);
      expect(plainResult.code).toBe(0);
      const prefixed = expected
        .split(',')
        .map((r) => `${prefix}${r}`)
        .join(',');
      const operatorResult = await routes(operator, labels, prefixed);
      expect(`${row.case}: ${operatorResult.stdout.trim()}`).toBe(`${row.case}: ${prefixed}`);
      expect(operatorResult.code).toBe(0);
    }
  });

  it('sees no alert without its namespace label under the operator (why every alert carries it)', async () => {
    const operator = await configFile(
      `${env.name}-nons`,
      plainAlertmanagerConfig(resource(env.name), 'OnNamespace'),
    );
    const labels = {
      ...ROUTING_BASE_LABELS,
      environment: env.name,
      alertname: 'ApiDown',
      severity: 'critical',
    };
    const result = await routes(operator, labels, 'null');
    expect(result.stdout.trim()).toBe('null');
    expect(result.code).toBe(0);
    const rules = YAML.parse(
      tree.get(`prometheus/${env.name}/malaria-predictor-api.rules.yaml`) ?? '',
    ) as RuleFile;
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => 'alert' in r);
    expect(alerts.length).toBeGreaterThan(20);
    for (const alert of alerts) expect(alert.labels?.namespace).toBe(env.namespace);
  });

  it('refers to secrets in a Secret of its namespace, never inline and never by file', () => {
    const text =
      tree.get(`kubernetes/${env.name}/alertmanagerconfig-${env.namespace}-alert-routing.yaml`) ?? '';
    expect(text).not.toMatch(/_file|File:|\/etc\/alertmanager/);
    const keys = referencedSecrets(resource(env.name) as never).map((s) => `${s.name}/${s.key}`);
    expect(keys).toEqual([
      'alertmanager-notifiers/heartbeat-token',
      ...(env.name === 'production' ? ['alertmanager-notifiers/pagerduty-routing-key'] : []),
      'alertmanager-notifiers/slack-alerts-webhook-url',
      'alertmanager-notifiers/slack-deployments-webhook-url',
      'alertmanager-notifiers/slack-security-webhook-url',
      'alertmanager-notifiers/smtp-password',
    ]);
  });
});

describe('notification templates written in place', () => {
  it('render what the template references render (amtool template render)', async () => {
    const data = join(dir, 'data.json');
    const alert = {
      status: 'firing',
      labels: {
        alertname: 'HighErrorRate',
        severity: 'critical',
        service: 'malaria-predictor-api',
        environment: 'production',
      },
      annotations: {
        summary: 'More than 5% of requests fail.',
        description: 'Error ratio 7.5% over 5m.',
        runbook_url: 'https://example.com/runbooks/HighErrorRate.md',
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
        alerts: [
          alert,
          { ...alert, status: 'resolved', labels: { ...alert.labels, alertname: 'DataStale' } },
        ],
        groupLabels: {},
        commonLabels: { severity: 'critical', service: 'malaria-predictor-api', environment: 'production' },
        commonAnnotations: alert.annotations,
        externalURL: 'http://alertmanager.example.com',
      }),
    );
    const render = (text: string, glob: boolean) =>
      tool('amtool', [
        'template',
        'render',
        `--template.glob=${join(dir, glob ? 'notifications.tmpl' : 'empty.tmpl')}`,
        `--template.text=${text}`,
        `--template.data=${data}`,
      ]);
    const original = JSON.stringify(plain('production').receivers);
    const converted = JSON.stringify(resource('production').spec?.receivers);
    const uses = [...new Set(original.match(/\{\{ template \\"[^"\\]+\\" \. \}\}/g) ?? [])].map((u) =>
      JSON.parse(`"${u}"`),
    ) as string[];
    expect(uses.length).toBe(6);
    const bodies = templateBodies(tree.get('alertmanager/production/notifications.tmpl') ?? '');
    for (const use of uses) {
      const inline = inlineTemplates(use, bodies);
      expect(converted).toContain(JSON.stringify(inline).slice(1, -1));
      const a = await render(use, true);
      const b = await render(inline, false);
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      expect(b.stdout.length).toBeGreaterThan(5);
    }
  });

  it('refuse a template whose trim markers would eat the text around it', () => {
    const bodies = new Map([['t', '{{- .Status }}']]);
    expect(inlineTemplates('{{ template "t" . }}', bodies)).toBe('{{- .Status }}');
    expect(() => inlineTemplates('x {{ template "t" . }}', bodies)).toThrow(/cannot be written in place/);
  });
});

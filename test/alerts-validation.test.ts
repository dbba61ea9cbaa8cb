import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerting } from '../slos/environments.ts';
import api, { metrics } from '../slos/malaria-predictor-api.ts';
import { toYaml } from '../src/emit/index.ts';
import { loadProject } from '../src/index.ts';
import { type AlertSpec, defineAlert, defineAlertRouting, series } from '../src/model/index.ts';
import type { Project } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { seriesSampleCount, validateAlerts } from '../src/validate/alerts.ts';
import { templateProblem } from '../src/validate/go-template.ts';
import { validateRouting } from '../src/validate/routing.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  project = (await loadProject({ root: ROOT })).project as Project;
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const good: AlertSpec = {
  name: 'SourceStale',
  severity: 'warning',
  category: 'data',
  service: api.name,
  for: '5m',
  groupBy: ['source'],
  summary: 'A data source is stale.',
  description: 'Source {{ $labels.source }} is {{ $value | humanizeDuration }} old.',
  expr: ({ sel }) =>
    `time() - max by (source) (${sel(metrics.malaria_data_last_success_timestamp_seconds)}) > 7200`,
  runbook: { impact: 'Old data.' },
  examples: {
    firing: {
      series: [series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'era5' }, '0x150')],
      firesWithin: '130m',
      alerts: [{ labels: { source: 'era5' }, description: 'Source era5 is 2h 10m 0s old.' }],
    },
    healthy: {
      series: [series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'era5' }, '0+60x150')],
    },
  },
};

const check = (overrides: Record<string, unknown>, file = 'alerts/warning.ts') =>
  validateAlerts(
    [{ file, exportName: 'x', value: defineAlert({ ...good, ...overrides } as AlertSpec) }],
    project.services,
  ).diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`);

describe('alert validation', () => {
  it('accepts a good alert', () => {
    expect(check({})).toEqual([]);
  });

  it.each([
    [{ name: 'source_stale' }, 'alert/name SourceStale.name' /* path uses the given name */],
    [{ severity: 'critical' }, 'alert/tier-file SourceStale.severity'],
    [{ category: 'weather' }, 'alert/unknown-category SourceStale.category'],
    [{ summary: 'Source {{ $labels.source }} is stale.' }, 'alert/summary SourceStale.summary'],
    [{ summary: 'A data source is stale' }, 'alert/summary SourceStale.summary'],
    [{ description: 'Owned by {{ $labels.owner }}.' }, 'alert/template-label SourceStale.description'],
    [{ for: '5 minutes' }, 'duration/malformed SourceStale.for'],
    [{ labels: { severity: 'page' } }, 'alert/label-reserved SourceStale.labels.severity'],
    [{ annotations: { summary: 'x' } }, 'alert/annotation-reserved SourceStale.annotations.summary'],
    [{ service: 'weather-api' }, 'alert/unknown-service SourceStale.service'],
    [{ expr: () => 'sum(rate(x[5m]) >' }, 'alert/promql-syntax SourceStale.expr'],
    [
      {
        expr: () => {
          throw new Error('boom');
        },
      },
      'alert/expr SourceStale.expr',
    ],
    [{ expr: () => `up{${'x'}}` }, 'alert/promql-syntax SourceStale.expr'],
    [{ family: 'data-freshness' }, 'alert/family SourceStale.family'],
  ])('reports %j', (overrides, expected) => {
    const found = check(overrides as Record<string, unknown>);
    const shown = expected.replace('SourceStale.name', 'source_stale.name');
    expect(
      found.some((line) => line.startsWith(shown)),
      found.join('\n'),
    ).toBe(true);
  });

  it('checks the proof data against the contract and the alert', () => {
    const wrong = check({
      examples: {
        firing: {
          series: [series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'era5' }, '0x5 zz')],
          firesWithin: '2m',
          alerts: [{ description: 'x' }],
        },
        healthy: { series: [series(metrics.pg_up, {}, '1x1')] },
      },
    });
    expect(wrong).toEqual([
      'alert/example-values SourceStale.examples.firing.series.0.values: "zz" is not promtool series notation',
      'alert/example-span SourceStale.examples.healthy.series: the series end after 60s, before firesWithin (2m): the healthy check would read no data',
      'alert/example-fires-within SourceStale.examples.firing.firesWithin: firesWithin 2m is shorter than for 5m: the alert cannot fire by then',
      'alert/example-labels SourceStale.examples.firing.alerts.0.labels: expected alert labels {} must be exactly the groupBy labels {source}',
    ]);
  });

  it('rejects metrics and labels outside the contract', () => {
    const foreign = { ...metrics.pg_up, name: 'mysql_up' };
    const found = check({
      expr: ({ sel }: { sel: (m: unknown, x?: unknown) => string }) =>
        `${sel(foreign)} + ${sel(metrics.pg_up, { instance: 'db' })}`,
    });
    expect(found).toContain(
      'metric/unknown SourceStale.expr: metric "mysql_up" is not in the metric contract of malaria-predictor-api',
    );
    expect(found.some((l) => l.startsWith('metric/unknown-label SourceStale.expr: label "instance"'))).toBe(
      true,
    );
  });

  it('requires the healthy example except for an alert that reads no metric', () => {
    const { healthy: _healthy, ...firingOnly } = good.examples;
    expect(check({ examples: firingOnly })).toEqual([
      'alert/example-healthy SourceStale.examples.healthy: examples.healthy is missing: give series on which the alert stays silent',
    ]);
    expect(
      check({ examples: firingOnly, expr: () => 'vector(1)', groupBy: [], description: 'Always.' }),
    ).toEqual([
      'alert/example-labels SourceStale.examples.firing.alerts.0.labels: expected alert labels {source} must be exactly the groupBy labels {}',
    ]);
  });

  it('keeps severity none for an always-firing heartbeat', () => {
    const { healthy: _healthy, ...firingOnly } = good.examples;
    const heartbeat = {
      severity: 'none',
      for: '0s',
      groupBy: [],
      expr: () => 'vector(1)',
      description: 'Always.',
      examples: { firing: { series: [], firesWithin: '1m' } },
    };
    expect(check(heartbeat, 'alerts/watchdog.ts')).toEqual([]);
    // At severity info kube-prometheus-stack's InfoInhibitor would mute it: a warning, not an error.
    const asInfo = validateAlerts(
      [
        {
          file: 'alerts/watchdog.ts',
          exportName: 'x',
          value: defineAlert({ ...good, ...heartbeat, severity: 'info' } as AlertSpec),
        },
      ],
      project.services,
    );
    expect(asInfo.alerts.map((a) => a.name)).toEqual(['SourceStale']);
    expect(asInfo.diagnostics.map((d) => `${d.severity} ${d.code} ${d.path.join('.')}`)).toEqual([
      'warning alert/heartbeat-severity SourceStale.severity',
    ]);
    expect(check({ severity: 'none', examples: firingOnly }, 'alerts/watchdog.ts')).toContain(
      'alert/severity-none SourceStale.severity: severity none is for an always-firing heartbeat, but SourceStale reads metrics',
    );
    expect(check({ severity: 'page' })).toEqual([
      'alert/unknown-tier SourceStale.severity: unknown tier "page"; expected one of critical, warning, info, none',
    ]);
  });

  it('reports duplicate names, SLO name clashes and families split by different labels', () => {
    const a = defineAlert({ ...good });
    const b = defineAlert({ ...good, name: 'AvailabilityBudgetBurn' });
    const c = defineAlert({
      ...good,
      name: 'SourceStaleInfo',
      severity: 'info',
      family: 'SourceStale',
      groupBy: [],
      description: 'x.',
      examples: { ...good.examples, firing: { ...good.examples.firing, alerts: [{}] } },
    });
    const found = validateAlerts(
      [
        { file: 'alerts/warning.ts', exportName: 'a', value: a },
        { file: 'alerts/other.ts', exportName: 'a2', value: a },
        { file: 'alerts/warning.ts', exportName: 'b', value: b },
        { file: 'alerts/info.ts', exportName: 'c', value: c },
      ],
      project.services,
    ).diagnostics.map((d) => `${d.file}: ${d.code}: ${d.message}`);
    expect(found).toContain(
      'alerts/other.ts: alert/duplicate: alert SourceStale is also defined in alerts/warning.ts (a)',
    );
    expect(found).toContain(
      'alerts/warning.ts: alert/name-clash: AvailabilityBudgetBurn is the name of an SLO alert generated from slos/malaria-predictor-api.ts',
    );
    expect(found.some((l) => l.includes('alert/family-scope'))).toBe(true);
  });

  it('counts promtool series notation like promtool', () => {
    expect(seriesSampleCount('0+60x150')).toBe(151);
    expect(seriesSampleCount('1x5 0x10')).toBe(17);
    expect(seriesSampleCount('_x20 1x20')).toBe(41);
    expect(seriesSampleCount('1 2 _ stale 3')).toBe(5);
    expect(seriesSampleCount('400-2x30')).toBe(31);
    expect(typeof seriesSampleCount('1x')).toBe('string');
  });
});

describe('routing validation', () => {
  const svc = () => project.services[0] as Project['services'][number];
  const withRouting = (routing: unknown): Project['services'] => [
    {
      ...svc(),
      environments: svc().environments.map((e) => ({ ...e, alerting: routing }) as Environment),
    },
  ];
  const exports = (routing: unknown) => [
    { file: 'slos/environments.ts', exportName: 'alerting', value: routing },
  ];
  const lines = (routing: unknown) =>
    validateRouting(withRouting(routing), exports(routing)).map(
      (d) => `${d.file}: ${d.path.join('.')}: ${d.code}`,
    );

  it('accepts the built-in routing', () => {
    expect(validateRouting(project.services, exports(alerting))).toEqual([]);
  });

  it('names unknown receivers, time intervals, secrets and bad values in the routing file', () => {
    const bad = defineAlertRouting({
      ...alerting,
      defaultReceiver: 'pagerduty-oncall',
      receivers: {
        ...alerting.receivers,
        'slack-alerts': { type: 'slack', channel: 'alerts', apiUrlFile: 'secrets/slack' },
        'email-devops-digest': { type: 'email', to: 'devops' },
      },
      routes: [
        { match: { severity: 'critical' }, receivers: ['pager'], muteTimeIntervals: ['nights'] },
        { match: { 'bad-label': { re: '(' } }, receivers: [] },
      ],
      timeIntervals: { weekends: [{ weekdays: ['sat'], times: [{ start: '18:00', end: '08:00' }] }] },
      timeZone: 'Mars/Olympus',
    });
    expect(lines(bad)).toEqual([
      'slos/environments.ts: alerting.receivers.slack-alerts.apiUrlFile: receiver/secret-file',
      'slos/environments.ts: alerting.receivers.slack-alerts.channel: receiver/channel',
      'slos/environments.ts: alerting.receivers.email-devops-digest.to: receiver/email',
      'slos/environments.ts: alerting.defaultReceiver: route/default-pages',
      'slos/environments.ts: alerting.routes.0.receivers.0: route/unknown-receiver',
      'slos/environments.ts: alerting.routes.0.muteTimeIntervals.0: route/unknown-time-interval',
      'slos/environments.ts: alerting.routes.1.receivers: route/receivers',
      'slos/environments.ts: alerting.routes.1.match.bad-label: label/name',
      'slos/environments.ts: alerting.routes.1.match.bad-label: route/matcher',
      'slos/environments.ts: alerting.timeIntervals.weekends.0.weekdays.0: time-interval/weekday',
      'slos/environments.ts: alerting.timeIntervals.weekends.0.times.0: time-interval/time',
      'slos/environments.ts: alerting.timeZone: routing/time-zone',
    ]);
  });

  it('rejects secret-bearing webhook URLs and inline keys, accepts a plain endpoint with a token file', () => {
    const webhook = (url: string) =>
      lines(
        defineAlertRouting({
          ...alerting,
          receivers: {
            ...alerting.receivers,
            watchdog: { type: 'webhook', url, credentialsFile: '/s/token' },
          },
        }),
      );
    expect(webhook('https://heartbeat.example.com/alertmanager')).toEqual([]);
    for (const url of [
      'https://user:pass@heartbeat.example.com/x',
      'https://heartbeat.example.com/x?token=abc',
      'https://hooks.slack.com/services/T0/B0/X',
      'https://heartbeat.example.com/ping/3f1c2a9e8d7b6c5a4f3e2d1c',
    ])
      expect(webhook(url)).toEqual([
        'slos/environments.ts: alerting.receivers.watchdog.url: receiver/inline-secret',
      ]);
    const smtp = lines({ ...alerting, smtp: { ...alerting.smtp, authPassword: 'hunter2' } });
    expect(smtp).toEqual(['slos/environments.ts: alerting.smtp.authPassword: receiver/inline-secret']);
  });
});

describe('the Prometheus template check agrees with promtool', () => {
  // Templates promtool rejects when loading the rule, and templates it accepts.
  const CASES = [
    'plain text',
    '{{ $value }}',
    '{{ $value | humanizePercentage }}',
    '{{ $labels.source }} is stale',
    '{{ $value | humanizeDuration }',
    '{{ $labels.source }',
    '{{ $value | nosuch }}',
    '{{ if gt $value 1.0 }}big{{ end }}',
    '{{ if gt $value 1.0 }}big',
    '{{ end }}',
    '{{ else }}',
    '{{ range $i, $v := query "up" }}{{ $v.Value }}{{ end }}',
    '{{ $x := 1 }}{{ $x }}',
    '{{ $y }}',
    '{{ printf "%.2f" $value }}',
    '{{ printf "%.2f $value }}',
    '{{ (humanize $value) }}',
    '{{ (humanize $value }}',
    '{{ humanize $value) }}',
    '{{ | humanize }}',
    '{{ }}',
    '{{- $value -}}',
    '{{/* comment */}}x',
    '{{/* comment */ }}',
    '{{ with $labels.x }}{{ . }}{{ else }}none{{ end }}',
    '{{ if $value }}a{{ else if $labels }}b{{ end }}',
    '{{ break }}',
    '{{ range query "up" }}{{ break }}{{ end }}',
    '{{ index $labels "source" }}',
    '{{ 3x }}',
    '{{ $labels.source | toUpper | printf "%s!" }}',
    '}} alone {{ $value }}',
    '{{ $value }} {{',
    "{{ 'a' }}",
    '{{ stripPort "a:1" }}',
    '{{ toDuration 1 }}',
  ];

  it('on every case', async () => {
    const results = await Promise.all(
      CASES.map(async (text, i) => {
        const file = join(dir, `t${i}.rules.yaml`);
        await writeFile(
          file,
          toYaml({
            groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'vector(1)', annotations: { d: text } }] }],
          }),
        );
        const promtool = await tool('promtool', ['check', 'rules', file]);
        return `${JSON.stringify(text)} promtool:${promtool.code === 0} obsgen:${templateProblem(text) === undefined}`;
      }),
    );
    for (const line of results) expect(line).toMatch(/promtool:(true|false) obsgen:\1$/);
  });
});

/**
 * The drill's pure parts: the time factor, the drill-mode rules (checked by promtool), the
 * receivers redirected to the sink (checked by amtool), the expectations derived from the model,
 * and what the synthetic service reports. The live drills run in test/e2e (npm run test:e2e).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DRILL_SCENARIOS,
  DrillDefinitionError,
  type DrillScenario,
  drillExpectations,
} from '../src/commands/drill/scenarios.ts';
import { startSyntheticService } from '../src/commands/drill/service.ts';
import { type DrillClock, drillSignals, expandValues } from '../src/commands/drill/signals.ts';
import { toDrillAlertmanagerConfig } from '../src/compile/alertmanager/drill.ts';
import { toAlertmanagerConfig } from '../src/compile/alertmanager/index.ts';
import { notificationTemplates } from '../src/compile/alertmanager/templates.ts';
import { drillFactor, toDrillRuleFile } from '../src/compile/prometheus/drill.ts';
import { isAlertingRule, type RuleFile, toRuleFile } from '../src/compile/prometheus/index.ts';
import { toYaml } from '../src/emit/index.ts';
import { loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let svc: ResolvedService;
let dir: string;
let cleanup: () => Promise<void>;
const env = (name: string) => svc.environments.find((e) => e.name === name) as Environment;
const scenario = (name: string) => DRILL_SCENARIOS.find((s) => s.name === name) as DrillScenario;
const rules = (name: string) => toRuleFile(svc, env(name));
const route = (name: string) => toAlertmanagerConfig(project, env(name), env(name).alerting as never).route;
const alertRule = (file: RuleFile, name: string, labels: Record<string, string> = {}) =>
  file.groups
    .flatMap((g) => g.rules)
    .filter(isAlertingRule)
    .find((r) => r.alert === name && Object.entries(labels).every(([k, v]) => r.labels[k] === v));

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  svc = project.services[0] as ResolvedService;
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('drill time factor', () => {
  it('is 30 for the malaria API: the shortest range (2m) stays 4 scrapes of 1s, the fastest page fires within a minute', () => {
    const result = drillFactor(svc, rules('production'));
    expect(result).toEqual({
      ok: true,
      value: { factor: 30, shortestRangeSeconds: 120, fastestPageSeconds: 122 },
    });
  });

  it('refuses a service whose shortest range leaves the fastest page slower than a minute', () => {
    const short: RuleFile = {
      groups: [{ name: 'g', rules: [{ record: 'x:y:rate4s', expr: 'rate(x[4s])' }] }],
    };
    const result = drillFactor(svc, short);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(/time factor of 1 .* fastest page fires after 122s/);
  });
});

describe('drill-mode rules', () => {
  it('divide every range, offset, subquery step, `for` and interval by the factor, and nothing else', async () => {
    const original = rules('production');
    const drill = toDrillRuleFile(original, 30);
    const page = alertRule(drill, 'AvailabilityBudgetBurn', { long_window: '1h' });
    expect(page?.for).toBe('1s');
    expect(page?.labels).toEqual(
      alertRule(original, 'AvailabilityBudgetBurn', { long_window: '1h' })?.labels,
    );
    expect(page?.annotations).toEqual(
      alertRule(original, 'AvailabilityBudgetBurn', { long_window: '1h' })?.annotations,
    );
    // 30s groups run every second; the 2m meta group every 4s; the 5m catalog groups every 10s.
    expect(drill.groups.every((g) => ['1s', '4s', '10s'].includes(g.interval ?? ''))).toBe(true);
    expect(drill.groups.filter((g) => g.name.endsWith('-meta')).map((g) => g.interval)).toContain('4s');
    const records = drill.groups.flatMap((g) => g.rules).filter((r) => !isAlertingRule(r));
    const ratio1h = records.find(
      (r) => 'record' in r && r.record === 'slo:sli_error:ratio_rate1h' && r.labels?.slo === 'availability',
    );
    expect(ratio1h?.expr).toContain('[2m]');
    expect(alertRule(drill, 'DeploymentRolledOut')?.expr).toContain('offset 30s');
    expect(alertRule(drill, 'DataStale')?.expr).toContain('> 7200');
    const freshness = records.find(
      (r) => 'record' in r && r.record === 'slo:sli_bad:rate2m' && r.labels?.slo === 'freshness',
    );
    expect(freshness?.expr).toContain('[4s:1s]');
    const file = join(dir, 'drill.rules.yaml');
    await writeFile(file, toYaml(drill));
    const check = await tool('promtool', ['check', 'rules', file]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });
});

describe('drill-mode Alertmanager configuration', () => {
  for (const name of ['staging', 'production'])
    it(`in ${name}: every receiver posts to the sink under its name, routing and inhibition unchanged (amtool)`, async () => {
      const original = toAlertmanagerConfig(project, env(name), env(name).alerting as never);
      const drill = toDrillAlertmanagerConfig(original, 'http://127.0.0.1:9/');
      expect(drill.route).toEqual(original.route);
      expect(drill.inhibit_rules).toEqual(original.inhibit_rules);
      expect(drill.receivers.map((r) => r.name)).toEqual(original.receivers.map((r) => r.name));
      for (const r of drill.receivers)
        expect(r).toEqual({
          name: r.name,
          webhook_configs: [{ url: `http://127.0.0.1:9/${r.name}`, send_resolved: true }],
        });
      const file = join(dir, `${name}-alertmanager.yaml`);
      await writeFile(file, toYaml(drill));
      await writeFile(join(dir, 'notifications.tmpl'), notificationTemplates());
      expect((await tool('amtool', ['check-config', file])).code).toBe(0);
      const routes = await tool('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${file}`,
        'alertname=AvailabilityBudgetBurn',
        'severity=critical',
        'category=slo',
      ]);
      expect(routes.stdout.trim()).toBe(
        name === 'production' ? 'pagerduty-oncall,slack-alerts' : 'slack-alerts',
      );
    });
});

describe('drill expectations, derived from the model', () => {
  const expect_ = (scenarioName: string, envName: string) =>
    drillExpectations(svc, scenario(scenarioName), rules(envName), route(envName), 30);

  it('outage: the availability and error-rate pages, ApiDown and HighErrorRate reach pagerduty-oncall and slack-alerts in production', () => {
    const e = expect_('outage', 'production');
    expect(e.expected.map((x) => [x.alertname, x.labels, x.receivers])).toEqual([
      ['AvailabilityBudgetBurn', { severity: 'critical' }, ['pagerduty-oncall', 'slack-alerts']],
      ['ErrorRateBudgetBurn', { severity: 'critical' }, ['pagerduty-oncall', 'slack-alerts']],
      ['ApiDown', {}, ['pagerduty-oncall', 'slack-alerts']],
      ['HighErrorRate', {}, ['pagerduty-oncall', 'slack-alerts']],
      ['Watchdog', {}, ['watchdog']],
    ]);
    expect(e.disturbed).toEqual(['http_requests_total', 'probe_success']);
    // explain: the availability page fires 207s into a total outage, /30 + group_wait 10s, + slack.
    expect(e.expected[0]?.deadlineSeconds).toBe(Math.ceil((207 / 30 + 10) * 1.2) + 15);
    expect(e.observeSeconds).toBe(0);
  });

  it('outage in staging reaches slack-alerts only', () => {
    const receivers = new Set(expect_('outage', 'staging').expected.flatMap((x) => x.receivers));
    expect([...receivers].sort()).toEqual(['slack-alerts', 'watchdog']);
  });

  it('healthy expects the Watchdog alone and watches as long as the slowest SLO needs to page', () => {
    const e = expect_('healthy', 'production');
    expect(e.expected.map((x) => [x.alertname, x.receivers])).toEqual([['Watchdog', ['watchdog']]]);
    expect(e.allowed).toEqual([]);
    expect(e.observeSeconds).toBeGreaterThan(30);
    expect(e.deadlineSeconds).toBe(e.observeSeconds);
  });

  it('stale-data, db-down and model-degraded expect their alerts; alerts reading what breaks may fire too', () => {
    expect(expect_('stale-data', 'production').expected.map((x) => x.alertname)).toEqual([
      'FreshnessBudgetBurn',
      'DataStale',
      'Watchdog',
    ]);
    expect(expect_('db-down', 'production').expected.map((x) => x.alertname)).toEqual([
      'DatabaseConnectionFailure',
      'Watchdog',
    ]);
    expect(expect_('slow', 'production').allowed).toEqual(['LatencyBudgetBurn', 'LatencyTrendWeekOverWeek']);
  });

  it('refuses a scenario that needs a catalog alert the service does not have', () => {
    const bare: ResolvedService = { ...svc, alerts: [] };
    expect(() =>
      drillExpectations(bare, scenario('db-down'), rules('production'), route('production'), 30),
    ).toThrow(DrillDefinitionError);
  });
});

describe('the synthetic service', () => {
  it('reads promtool notation as promtool does', () => {
    expect(expandValues('1x3')).toEqual([1, 1, 1, 1]);
    expect(expandValues('0+60x2 400-2x1')).toEqual([0, 60, 120, 400, 398]);
    expect(expandValues('_x2 1 stale')).toEqual([undefined, undefined, 1, undefined]);
  });

  it('breaks what the scenario says, when the fault starts, time compressed', () => {
    const at = (sinceFault: number | undefined): DrillClock => ({
      now: 1_000_000,
      sinceStart: 60,
      sinceFault,
    });
    const value = (
      scenarioName: string,
      metric: string,
      clock: DrillClock,
      labels: Record<string, string> = {},
    ) => {
      const plan = drillSignals(svc, env('production'), scenario(scenarioName), 30).find(
        (p) => p.metric.name === metric && Object.entries(labels).every(([k, v]) => p.labels[k] === v),
      );
      const b = plan?.behaviour;
      return b?.kind === 'gauge'
        ? b.value(clock)
        : b?.kind === 'counter'
          ? b.rate(clock)
          : b?.duration(clock);
    };
    expect(value('outage', 'probe_success', at(undefined))).toBe(1);
    expect(value('outage', 'probe_success', at(1))).toBe(0);
    expect(value('outage', 'http_requests_total', at(1), { status: '500' })).toBe(10);
    expect(value('outage', 'http_requests_total', at(1), { status: '200' })).toBe(0);
    expect(value('slow', 'http_request_duration_seconds', at(1))).toBe(4);
    // Stale: already 2h old when the fault starts, 30 model seconds older every second.
    expect(
      value('stale-data', 'malaria_data_last_success_timestamp_seconds', at(10), { source: 'era5' }),
    ).toBe(1_000_000 - 7200 - 300);
    // pg_up plays `1x3 0x10` at 1m steps: 0 from step 4, 4 x 60 / 30 = 8 drill seconds in.
    expect(value('db-down', 'pg_up', at(undefined))).toBe(1);
    expect(value('db-down', 'pg_up', at(7.9))).toBe(1);
    expect(value('db-down', 'pg_up', at(8))).toBe(0);
    expect(value('healthy', 'pg_up', at(100))).toBe(1);
  });

  it('serves the contract with prom-client, every metric Prometheus does not make itself', async () => {
    const plans = drillSignals(svc, env('production'), scenario('healthy'), 30);
    const service = await startSyntheticService(plans);
    try {
      expect(service.target).toMatch(/^127\.0\.0\.1:\d+$/);
      const text = await (await fetch(`http://${service.target}/metrics`)).text();
      for (const metric of Object.values(svc.metrics))
        if (metric.name !== 'up') expect(text).toContain(`# TYPE ${metric.name} ${metric.type}`);
      expect(text).toContain(
        'probe_success{instance="https://api.malaria-prediction.com/health/readiness",job="blackbox",namespace="malaria-prediction-production"} 1',
      );
      expect(text).toMatch(/http_request_duration_seconds_bucket\{le="2",.*handler="\/predict"/);
    } finally {
      await service.stop();
    }
  });
});

describe('scenario definitions', () => {
  it('are the kinds of any service, then the malaria instances of example:<Alert>', () => {
    expect(DRILL_SCENARIOS.map((s) => s.name)).toEqual([
      'healthy',
      'outage',
      'error-burst',
      'slow',
      'stale-data',
      'db-down',
      'model-degraded',
    ]);
  });
});

describe('obsgen drill, refused before anything starts', () => {
  const BIN = join(ROOT, 'src', 'cli', 'bin.js');
  it('exits 2 naming the scenarios for an unknown scenario, and the environments for an unknown one', async () => {
    const scenarioResult = await tool('node', [BIN, 'drill', '--scenario', 'meteor-strike'], ROOT);
    expect(scenarioResult.code).toBe(2);
    expect(scenarioResult.stderr).toBe(
      'obsgen drill: no scenario named "meteor-strike"; scenarios: healthy, outage, error-burst, slow, stale-data, db-down, model-degraded, example:<Alert>\n',
    );
    const envResult = await tool('node', [BIN, 'drill', '--scenario', 'outage', '--env', 'qa'], ROOT);
    expect(envResult.code).toBe(2);
    expect(envResult.stderr).toBe(
      'obsgen drill: no environment named "qa"; environments: staging, production\n',
    );
    expect(envResult.stdout).toBe('');
  });
});

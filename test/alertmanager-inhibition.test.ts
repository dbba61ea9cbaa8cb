import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import {
  type AlertStatus,
  type RunningAlertmanager,
  startAlertmanager,
} from '../src/runtime/alertmanager.ts';
import { ROOT } from './helpers/tools.ts';

let am: RunningAlertmanager | undefined;
let rules: RuleFile;

/** Static labels of a generated alert rule, plus the alertname (what Prometheus sends). */
function ruleLabels(name: string, match: Record<string, string> = {}): Record<string, string> {
  for (const group of rules.groups)
    for (const rule of group.rules)
      if (
        'alert' in rule &&
        rule.alert === name &&
        Object.entries(match).every(([k, v]) => rule.labels[k] === v)
      )
        return { alertname: rule.alert, ...rule.labels };
  throw new Error(`no rule ${name}`);
}

const find = (alerts: readonly AlertStatus[], labels: Record<string, string>): AlertStatus | undefined =>
  alerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));

beforeAll(async () => {
  const { project } = await loadProject({ root: ROOT });
  const tree = buildTree(project as Project);
  rules = YAML.parse(tree.get('prometheus/production/malaria-predictor-api.rules.yaml') ?? '') as RuleFile;
  // The generated production configuration itself, templates beside it. Secrets files do not
  // exist here, so a notification attempt fails before any network access.
  am = await startAlertmanager({
    config: tree.get('alertmanager/production/alertmanager.yaml') ?? '',
    files: { 'notifications.tmpl': tree.get('alertmanager/production/notifications.tmpl') ?? '' },
  });
});
afterAll(async () => {
  await am?.stop();
});

describe('inhibition on a real Alertmanager (production configuration)', () => {
  it('a critical alert inhibits a warning and an info alert of its family, not of another family', async () => {
    const running = am as RunningAlertmanager;
    const critical: Record<string, string> = ruleLabels('DatabaseConnectionFailure');
    // A warning and an info of the same family and service (as a tiered alert would send them).
    const warning = { ...critical, alertname: 'DatabaseConnectionsSaturated', severity: 'warning' };
    const info = { ...critical, alertname: 'DatabaseConnectionsTrend', severity: 'info' };
    const otherFamily = ruleLabels('CacheConnectionFailure');
    await running.postAlerts([critical, warning, info, otherFamily].map((labels) => ({ labels })));
    const alerts = await running.waitForAlerts(
      (list) =>
        (find(list, { alertname: warning.alertname })?.status.inhibitedBy.length ?? 0) > 0 &&
        (find(list, { alertname: info.alertname })?.status.inhibitedBy.length ?? 0) > 0,
    );
    const source = find(alerts, { alertname: 'DatabaseConnectionFailure' });
    expect(source?.status.state).toBe('active');
    expect(find(alerts, { alertname: warning.alertname })?.status).toMatchObject({
      state: 'suppressed',
      inhibitedBy: [source?.fingerprint],
    });
    expect(find(alerts, { alertname: info.alertname })?.status.inhibitedBy).toEqual([source?.fingerprint]);
    expect(find(alerts, { alertname: 'CacheConnectionFailure' })?.status).toMatchObject({
      state: 'active',
      inhibitedBy: [],
    });
  });

  it('a warning inhibits the info alert of its family for the same volume only', async () => {
    const running = am as RunningAlertmanager;
    const full = ruleLabels('HighDiskUsage');
    const filling = ruleLabels('DiskWillFillIn7Days');
    const pvc = (name: string) => ({ persistentvolumeclaim: name });
    await running.postAlerts([
      { labels: { ...full, ...pvc('data-0') } },
      { labels: { ...filling, ...pvc('data-0') } },
      { labels: { ...filling, ...pvc('data-1') } },
    ]);
    const alerts = await running.waitForAlerts(
      (list) =>
        (find(list, { alertname: 'DiskWillFillIn7Days', ...pvc('data-0') })?.status.inhibitedBy.length ?? 0) >
        0,
    );
    expect(find(alerts, { alertname: 'DiskWillFillIn7Days', ...pvc('data-0') })?.status.state).toBe(
      'suppressed',
    );
    expect(find(alerts, { alertname: 'DiskWillFillIn7Days', ...pvc('data-1') })?.status).toMatchObject({
      state: 'active',
      inhibitedBy: [],
    });
  });

  it('an SLO page inhibits the ticket of the same SLO and source, not of another SLO', async () => {
    const running = am as RunningAlertmanager;
    const page = ruleLabels('FreshnessBudgetBurn', { severity: 'critical', burn_factor: '14.4' });
    const ticket = ruleLabels('FreshnessBudgetBurn', { severity: 'warning', burn_factor: '3' });
    const otherSlo = ruleLabels('ErrorRateBudgetBurn', { severity: 'warning', long_window: '1d' });
    await running.postAlerts([
      { labels: { ...page, source: 'era5' } },
      { labels: { ...ticket, source: 'era5' } },
      { labels: { ...ticket, source: 'modis' } },
      { labels: otherSlo },
    ]);
    const alerts = await running.waitForAlerts(
      (list) =>
        (find(list, { alertname: 'FreshnessBudgetBurn', severity: 'warning', source: 'era5' })?.status
          .inhibitedBy.length ?? 0) > 0,
    );
    const source = find(alerts, { alertname: 'FreshnessBudgetBurn', severity: 'critical', source: 'era5' });
    expect(
      find(alerts, { alertname: 'FreshnessBudgetBurn', severity: 'warning', source: 'era5' })?.status,
    ).toMatchObject({ state: 'suppressed', inhibitedBy: [source?.fingerprint] });
    expect(
      find(alerts, { alertname: 'FreshnessBudgetBurn', severity: 'warning', source: 'modis' })?.status
        .inhibitedBy,
    ).toEqual([]);
    expect(find(alerts, { alertname: 'ErrorRateBudgetBurn' })?.status.inhibitedBy).toEqual([]);
  });
});

describe('the Alertmanager runtime', () => {
  it('rejects a configuration Alertmanager refuses, with its log', async () => {
    const started = startAlertmanager({ config: 'route:\n  receiver: missing\nreceivers: []\n' });
    await expect(started).rejects.toThrow(
      /alertmanager exited with 1:[\s\S]*undefined receiver \\"missing\\" used in route/,
    );
  });
});

/**
 * The heartbeat under kube-prometheus-stack's default Alertmanager configuration, on a real
 * Alertmanager: the chart's inhibit rules (InfoInhibitor mutes severity=info per namespace) merged
 * into the generated configuration, receivers pointed at a local sink. The heartbeat keeps
 * notifying its receiver while InfoInhibitor fires; the same alert at severity info is muted, which
 * is what the chart did to it before. Once with the chart's rules added to alertmanager.yaml, once
 * as the operator merges the generated AlertmanagerConfig (OnNamespace) under the chart's whole
 * default configuration. The route checks (in process and amtool) report a heartbeat
 * that no route takes, since no tier route matches severity none.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Notification, startWebhookSink, type WebhookSink } from '../src/commands/drill/sink.ts';
import { toDrillAlertmanagerConfig } from '../src/compile/alertmanager/drill.ts';
import {
  type AlertmanagerConfig,
  type AmInhibitRule,
  routeReceivers,
} from '../src/compile/alertmanager/index.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { toYaml } from '../src/emit/index.ts';
import { buildTree, lintDocuments, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { build } from '../src/pipeline.ts';
import {
  type AlertStatus,
  type RunningAlertmanager,
  startAlertmanager,
} from '../src/runtime/alertmanager.ts';
import { plainAlertmanagerConfig } from './helpers/kubernetes.ts';
import { ROOT } from './helpers/tools.ts';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'kube-prometheus-stack');

/** The chart's default `alertmanager.config` (ORIGIN in the file). */
const chartConfig = async (): Promise<{ inhibit_rules: AmInhibitRule[] }> =>
  YAML.parse(await readFile(join(FIXTURE, 'chart-alertmanager-config.yaml'), 'utf8'));

interface Case {
  readonly name: string;
  readonly root: string;
  readonly env: string;
  readonly service: string;
  readonly heartbeat: string;
  /** The receiver the definitions route the heartbeat to. */
  readonly receiver: string;
}

const CASES: readonly Case[] = [
  {
    name: 'the malaria API (production)',
    root: ROOT,
    env: 'production',
    service: 'malaria-predictor-api',
    heartbeat: 'Watchdog',
    receiver: 'watchdog',
  },
  {
    name: 'the ledger API fixture (live)',
    root: FIXTURE,
    env: 'live',
    service: 'ledger-api',
    heartbeat: 'DeadMansSwitch',
    receiver: 'heartbeat',
  },
];

const running: { am: RunningAlertmanager | undefined; sink: WebhookSink | undefined } = {
  am: undefined,
  sink: undefined,
};
afterEach(async () => {
  await running.am?.stop();
  await running.sink?.stop();
  running.am = undefined;
  running.sink = undefined;
});

const matches = (labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>) =>
  Object.entries(want).every(([k, v]) => labels[k] === v);
const find = (alerts: readonly AlertStatus[], want: Record<string, string>) =>
  alerts.find((a) => matches(a.labels, want));
const notified = (list: readonly Notification[], receiver: string, want: Record<string, string>) =>
  list.some((n) => n.receiver === receiver && n.alerts.some((a) => matches(a.labels, want)));

/** The case's generated files and its heartbeat alert as Prometheus sends it. */
async function heartbeatOf(c: Case) {
  const { project } = await loadProject({ root: c.root });
  const tree = buildTree(project as Project);
  const rules = YAML.parse(tree.get(`prometheus/${c.env}/${c.service}.rules.yaml`) ?? '') as RuleFile;
  const rule = rules.groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === c.heartbeat);
  if (!rule || !('alert' in rule)) throw new Error(`no ${c.heartbeat} rule`);
  const heartbeat: Record<string, string> = { alertname: rule.alert, ...rule.labels };
  return { tree, heartbeat };
}

/**
 * Posts the chart's InfoInhibitor for the heartbeat's namespace, then the heartbeat and a copy of
 * it at severity info, and waits until the copy is inhibited and the heartbeat reached `receiver`.
 */
async function proveHeartbeat(
  am: RunningAlertmanager,
  sink: WebhookSink,
  heartbeat: Readonly<Record<string, string>>,
  receiver: string,
): Promise<AlertStatus[]> {
  // The chart's InfoInhibitor as its rule sends it: the namespace is quiet apart from info alerts.
  const inhibitor = { alertname: 'InfoInhibitor', severity: 'none', namespace: heartbeat.namespace ?? '' };
  await am.postAlerts([{ labels: inhibitor }]);
  await am.waitForAlerts((list) => find(list, inhibitor) !== undefined);
  // The inhibitor reads alerts from its own subscription: give it a moment past the API.
  await sleep(500);
  // The same heartbeat at severity info, as obsgen labelled it before: the control.
  const asInfo = { ...heartbeat, severity: 'info', copy: 'severity-info' };
  await am.postAlerts([{ labels: heartbeat }, { labels: asInfo }]);
  const alerts = await am.waitForAlerts(
    (list) =>
      (find(list, asInfo)?.status.inhibitedBy.length ?? 0) > 0 &&
      notified(sink.notifications(), receiver, heartbeat),
    20_000,
  );
  const source = find(alerts, inhibitor);
  expect(find(alerts, asInfo)?.status).toMatchObject({
    state: 'suppressed',
    inhibitedBy: [source?.fingerprint],
  });
  expect(find(alerts, { ...heartbeat, severity: 'none' })?.status).toMatchObject({
    state: 'active',
    inhibitedBy: [],
  });
  expect(notified(sink.notifications(), receiver, heartbeat)).toBe(true);
  expect(sink.notifications().some((n) => n.alerts.some((a) => a.labels.copy === asInfo.copy))).toBe(false);
  return alerts;
}

describe('the heartbeat under kube-prometheus-stack default inhibit rules (real Alertmanager)', () => {
  it.each(CASES)('$name: InfoInhibitor mutes a severity=info copy, never the heartbeat', async (c) => {
    const { tree, heartbeat } = await heartbeatOf(c);
    const config = YAML.parse(
      tree.get(`alertmanager/${c.env}/alertmanager.yaml`) ?? '',
    ) as AlertmanagerConfig;
    expect(heartbeat.severity).toBe('none');
    expect(heartbeat.namespace).toBeTruthy();
    expect(routeReceivers(config.route, heartbeat)).toEqual([c.receiver]);

    const chart = await chartConfig();
    running.sink = await startWebhookSink();
    const merged: AlertmanagerConfig = {
      ...toDrillAlertmanagerConfig(config, running.sink.url),
      inhibit_rules: [...chart.inhibit_rules, ...config.inhibit_rules],
    };
    running.am = await startAlertmanager({
      config: toYaml(merged),
      files: { 'notifications.tmpl': tree.get(`alertmanager/${c.env}/notifications.tmpl`) ?? '' },
    });
    await proveHeartbeat(running.am, running.sink, heartbeat, c.receiver);
  });

  it.each(CASES)(
    '$name: the same as the operator merges the AlertmanagerConfig into the chart configuration',
    async (c) => {
      const { tree, heartbeat } = await heartbeatOf(c);
      const namespace = heartbeat.namespace ?? '';
      const resource = YAML.parse(
        tree.get(`kubernetes/${c.env}/alertmanagerconfig-${namespace}-alert-routing.yaml`) ?? '',
      );
      // OnNamespace: obsgen's tree under a namespace matcher with continue, names prefixed.
      const plain = plainAlertmanagerConfig(resource, 'OnNamespace') as unknown as AlertmanagerConfig;
      const chart = (await chartConfig()) as unknown as AlertmanagerConfig;
      const merged: AlertmanagerConfig = {
        ...chart,
        global: { ...chart.global, ...plain.global },
        templates: [],
        // The operator puts the AlertmanagerConfig routes before the chart's own.
        route: { ...chart.route, routes: [...(plain.route.routes ?? []), ...(chart.route.routes ?? [])] },
        inhibit_rules: [...chart.inhibit_rules, ...plain.inhibit_rules],
        receivers: [...chart.receivers, ...plain.receivers.filter((r) => r.name !== 'null')],
        ...(plain.time_intervals ? { time_intervals: plain.time_intervals } : {}),
      };
      running.sink = await startWebhookSink();
      running.am = await startAlertmanager({
        config: toYaml(toDrillAlertmanagerConfig(merged, running.sink.url)),
      });
      const receiver = `${namespace}/alert-routing/${c.receiver}`;
      const alerts = await proveHeartbeat(running.am, running.sink, heartbeat, receiver);
      // obsgen's heartbeat receiver; through the forced continue the chart's own Watchdog route
      // (to `null`) takes an alert named Watchdog too.
      expect(find(alerts, { ...heartbeat, severity: 'none' })?.receivers.map((r) => r.name)).toEqual(
        c.heartbeat === 'Watchdog' ? [receiver, 'null'] : [receiver],
      );
    },
  );
});

describe('the route checks and the heartbeat at severity none', () => {
  it('report a heartbeat no route takes (no tier route matches none), in process and with amtool', async () => {
    const { project } = await loadProject({ root: FIXTURE });
    const p = project as Project;
    // The ledger's routing without its first route, the heartbeat's.
    const services = p.services.map((s) => ({
      ...s,
      environments: s.environments.map((env) =>
        env.alerting ? { ...env, alerting: { ...env.alerting, routes: env.alerting.routes.slice(1) } } : env,
      ),
    }));
    const unrouted = { ...p, services };
    const { documents } = build(unrouted);
    for (const check of ['alertmanager-routes', 'alertmanager-routes-amtool']) {
      const result = await lintDocuments(unrouted, documents, [check]);
      expect(result.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([
        'routing/unrouted: in live, none alerts (alerts DeadMansSwitch) match no route and would fall through to the default receiver ledger-chat',
        'routing/unrouted: in preprod, none alerts (alerts DeadMansSwitch) match no route and would fall through to the default receiver ledger-chat',
      ]);
      expect(result.diagnostics[0]?.hint).toContain('route the heartbeat by its alertname');
    }
    // As defined, it reaches the heartbeat receiver in both environments.
    const clean = await lintDocuments(p, build(p).documents, [
      'alertmanager-routes',
      'alertmanager-routes-amtool',
    ]);
    expect(clean.diagnostics).toEqual([]);
  });
});

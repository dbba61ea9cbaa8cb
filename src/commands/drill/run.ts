/**
 * `obsgen drill`: the live end-to-end check. A synthetic service (prom-client, from the metric
 * contract) on 127.0.0.1, a real Prometheus scraping it every second with the generated rules in
 * drill mode (time compressed by one factor), a real Alertmanager with the generated routing whose
 * receivers post to a local webhook sink. After a healthy warm-up the scenario's fault starts; the
 * drill watches Prometheus' alerts and the sink until every expected alert reached its receivers
 * (or its deadline passed) and reports a timeline and what differed. Everything it starts is
 * stopped and removed, also on failure and Ctrl-C.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toDrillAlertmanagerConfig } from '../../compile/alertmanager/drill.ts';
import {
  type AmRoute,
  environmentRoutings,
  routeReceivers,
  toAlertmanagerConfig,
} from '../../compile/alertmanager/index.ts';
import { notificationTemplates } from '../../compile/alertmanager/templates.ts';
import { type DrillFactor, drillFactor, toDrillRuleFile } from '../../compile/prometheus/drill.ts';
import { engineOf, toRuleFile } from '../../compile/prometheus/index.ts';
import { ALERTMANAGER_FILE, DRILL, LABEL } from '../../conventions.ts';
import { toYaml } from '../../emit/index.ts';
import type { Project, ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { type RunningAlertmanager, startAlertmanager } from '../../runtime/alertmanager.ts';
import { installExitHook, reapOrphans } from '../../runtime/process.ts';
import { DRILL_ENGINES, type DrillEngine, engineDelay } from './engine-delay.ts';
import { type EngineAlert, type Evaluator, type PipelineHealth, startEvaluator } from './evaluator.ts';
import {
  DrillDefinitionError,
  type DrillExpectations,
  drillExpectations,
  type ExpectedAlert,
  findScenario,
  scenarioNames,
} from './scenarios.ts';
import { type SyntheticService, startSyntheticService } from './service.ts';
import { drillSignals } from './signals.ts';
import { startWebhookSink, type WebhookSink } from './sink.ts';

/** Polls in a row with nothing but the always-firing alerts active before the fault may start. */
const QUIET_POLLS = 4;
/** How long after the warm-up the drill waits for the rules to fall quiet before it starts anyway. */
const QUIET_TIMEOUT_MS = 60_000;

/** A drill that cannot run as asked (unknown scenario, environment or service). */
export class DrillUsageError extends Error {}

export interface DrillOptions {
  readonly scenario: string;
  /** @default 'production' */
  readonly environment?: string;
  /** Service name. @default the project's only (or first) service */
  readonly service?: string;
  /**
   * What evaluates the rules: a Prometheus, or vmalert on a single-node VictoriaMetrics.
   * @default 'vmalert' for an environment whose engine is vmalert, else 'prometheus'
   */
  readonly engine?: DrillEngine;
  /** Called once everything runs, before the warm-up. */
  readonly onStart?: (plan: DrillPlan) => void;
  /** Called after every poll (about twice a second). */
  readonly onStatus?: (status: DrillStatus) => void;
}

export interface DrillPlan {
  readonly service: string;
  readonly environment: string;
  readonly expectations: DrillExpectations;
  readonly factor: DrillFactor;
  /** Healthy seconds before the fault starts. */
  readonly warmupSeconds: number;
  /** Series the synthetic service exposes. */
  readonly series: number;
  readonly engine: DrillEngine;
  /** Where the alerts are read: the Prometheus, or the vmalert. */
  readonly prometheus: string;
  readonly alertmanager: string;
}

export interface DrillStatus {
  readonly phase: 'warm-up' | 'fault';
  /** Seconds since the fault started (negative during the warm-up). */
  readonly at: number;
  /** When the drill gives up, seconds after the fault started. */
  readonly deadline: number;
  readonly pending: number;
  readonly firing: number;
  /** Expected (alert, receiver) deliveries seen, of all expected. */
  readonly delivered: number;
  readonly deliveries: number;
}

export type TimelineKind = 'warm-up' | 'fault' | 'pending' | 'firing' | 'resolved' | 'notified';

export interface TimelineEvent {
  /** Seconds since the fault started (negative during the warm-up). */
  readonly at: number;
  readonly kind: TimelineKind;
  /** The alert as shown (name, severity, windows, grouping labels); empty for phase events. */
  readonly alert: string;
  /** Receivers notified (kind `notified`). */
  readonly receivers?: readonly string[];
  readonly note?: string;
}

export interface DrillReport {
  readonly plan: DrillPlan;
  readonly timeline: readonly TimelineEvent[];
  /** Expected deliveries that did not happen. */
  readonly missing: readonly string[];
  /** Alerts that fired or reached someone without being expected or allowed. */
  readonly unexpected: readonly string[];
  readonly passed: boolean;
  /** Seconds the drill ran after the fault started. */
  readonly faultSeconds: number;
  /** How the pipeline itself did: a missed scrape or evaluation can explain a surprise. */
  readonly pipeline: PipelineHealth;
}

export type { PipelineHealth } from './evaluator.ts';

const COMMON_LABELS = new Set([
  'alertname',
  LABEL.severity,
  LABEL.category,
  LABEL.service,
  LABEL.environment,
  LABEL.alertFamily,
  LABEL.slo,
  LABEL.burnFactor,
  LABEL.longWindow,
  LABEL.shortWindow,
]);

/** `AvailabilityBudgetBurn critical 1h/5m`, `DataStale warning source=era5`. */
export function alertDisplay(labels: Readonly<Record<string, string>>): string {
  const windows =
    labels[LABEL.longWindow] && labels[LABEL.shortWindow]
      ? ` ${labels[LABEL.longWindow]}/${labels[LABEL.shortWindow]}`
      : '';
  const extra = Object.keys(labels)
    .filter((k) => !COMMON_LABELS.has(k))
    .sort()
    .map((k) => ` ${k}=${labels[k]}`)
    .join('');
  return `${labels.alertname ?? '?'}${labels[LABEL.severity] ? ` ${labels[LABEL.severity]}` : ''}${windows}${extra}`;
}

const alertKey = (labels: Readonly<Record<string, string>>): string =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );

const carries = (labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>) =>
  Object.entries(wanted).every(([k, v]) => labels[k] === v);

const matchesExpected = (labels: Readonly<Record<string, string>>, e: ExpectedAlert): boolean =>
  labels.alertname === e.alertname && carries(labels, e.labels);

function pickService(project: Project, name: string | undefined): ResolvedService {
  const svc = name === undefined ? project.services[0] : project.services.find((s) => s.name === name);
  if (!svc)
    throw new DrillUsageError(
      name === undefined
        ? 'the project has no service'
        : `no service named ${JSON.stringify(name)}; services: ${project.services.map((s) => s.name).join(', ')}`,
    );
  return svc;
}

function pickEnvironment(svc: ResolvedService, name: string): Environment {
  const env = svc.environments.find((e) => e.name === name);
  if (!env)
    throw new DrillUsageError(
      `no environment named ${JSON.stringify(name)}; environments: ${svc.environments.map((e) => e.name).join(', ')}`,
    );
  if (!env.alerting)
    throw new DrillUsageError(
      `environment ${env.name} has no alert routing, so there is no Alertmanager to drill`,
    );
  return env;
}

/** Seconds the drill's engine waits between resends of a firing alert: a minute, compressed. */
const resendDelay = (factor: number): number => Math.max(1, Math.round(60 / factor));

/** Everything a drill needs, computed before anything starts. Throws DrillUsageError. */
export function planDrill(project: Project, options: DrillOptions) {
  const scenario = findScenario(options.scenario);
  if (!scenario)
    throw new DrillUsageError(
      `no scenario named ${JSON.stringify(options.scenario)}; scenarios: ${scenarioNames().join(', ')}`,
    );
  const svc = pickService(project, options.service);
  const env = pickEnvironment(svc, options.environment ?? 'production');
  const routing = env.alerting;
  if (!routing) throw new DrillUsageError(`environment ${env.name} has no alert routing`);
  const engine = options.engine ?? (engineOf(env) === 'vmalert' ? 'vmalert' : 'prometheus');
  if (!DRILL_ENGINES.includes(engine))
    throw new DrillUsageError(
      `no drill engine ${JSON.stringify(engine)}; engines: ${DRILL_ENGINES.join(', ')}`,
    );
  const rules = toRuleFile(svc, env);
  const factor = drillFactor(svc, rules);
  if (!factor.ok) throw new DrillUsageError(`cannot compress time for ${svc.name}: ${factor.message}`);
  // The environment's whole Alertmanager: every team's sub-tree, as generated.
  const amConfig = toAlertmanagerConfig(project, env, environmentRoutings(project, env.name));
  const drillRules = toDrillRuleFile(rules, factor.value.factor);
  let expectations: DrillExpectations;
  try {
    expectations = drillExpectations(
      svc,
      scenario,
      rules,
      amConfig.route,
      factor.value.factor,
      engineDelay(engine, drillRules),
    );
  } catch (error) {
    if (error instanceof DrillDefinitionError) throw new DrillUsageError(error.message);
    throw error;
  }
  return {
    svc,
    env,
    scenario,
    engine,
    factor: factor.value,
    rules: drillRules,
    amConfig,
    route: amConfig.route,
    expectations,
    signals: drillSignals(svc, env, scenario, factor.value.factor),
    warmupSeconds: Math.ceil(DRILL.historySeconds / factor.value.factor) + 3 * DRILL.scrapeIntervalSeconds,
  };
}

/** Runs a drill; throws DrillUsageError before starting anything when it cannot run as asked. */
export async function runDrill(project: Project, options: DrillOptions): Promise<DrillReport> {
  const planned = planDrill(project, options);
  const { svc, env, expectations, route } = planned;
  installExitHook();
  await reapOrphans();
  let sink: WebhookSink | undefined;
  let service: SyntheticService | undefined;
  let alertmanager: RunningAlertmanager | undefined;
  let evaluator: Evaluator | undefined;
  try {
    sink = await startWebhookSink();
    service = await startSyntheticService(planned.signals);
    alertmanager = await startAlertmanager({
      config: toYaml(toDrillAlertmanagerConfig(planned.amConfig, sink.url)),
      files: { [ALERTMANAGER_FILE.templatesName]: notificationTemplates() },
    });
    const scrape = {
      global: {
        scrape_interval: `${DRILL.scrapeIntervalSeconds}s`,
        scrape_timeout: `${DRILL.scrapeIntervalSeconds}s`,
        evaluation_interval: `${DRILL.scrapeIntervalSeconds}s`,
      },
      scrape_configs: [
        {
          // The service's own job: `up{job="<service>"}` is its scrape health.
          job_name: svc.name,
          // The contract's series carry their exporters' job labels (blackbox, kubelet...).
          honor_labels: true,
          static_configs: [
            { targets: [service.target], labels: { namespace: env.namespace, ...env.selectorLabels } },
          ],
        },
      ],
    };
    evaluator = await startEvaluator(planned.engine, {
      rules: toYaml(planned.rules),
      scrape,
      resendDelaySeconds: resendDelay(planned.factor.factor),
      job: svc.name,
    });
    const plan: DrillPlan = {
      service: svc.name,
      environment: env.name,
      expectations,
      factor: planned.factor,
      warmupSeconds: planned.warmupSeconds,
      series: planned.signals.length,
      engine: planned.engine,
      prometheus: evaluator.url,
      alertmanager: alertmanager.url,
    };
    options.onStart?.(plan);
    return await watch(plan, planned.warmupSeconds, route, evaluator, alertmanager, service, sink, options);
  } finally {
    await evaluator?.stop();
    await alertmanager?.stop();
    await service?.stop();
    await sink?.stop();
  }
}

async function watch(
  plan: DrillPlan,
  warmupSeconds: number,
  route: AmRoute,
  evaluator: Evaluator,
  alertmanager: RunningAlertmanager,
  service: SyntheticService,
  sink: WebhookSink,
  options: DrillOptions,
): Promise<DrillReport> {
  const { expectations } = plan;
  // Absolute times (ms) until the end, when they become seconds from the fault's start.
  const timeline: { ms: number; kind: TimelineKind; alert: string; receivers?: string[]; note?: string }[] =
    [];
  const states = new Map<string, { labels: Record<string, string>; state: string }>();
  const firedAfterFault = new Map<string, Record<string, string>>();
  let firstScrape = Date.now();
  let faultAt: number | undefined;
  const rel = (ms: number) => (ms - (faultAt ?? firstScrape)) / 1000;

  const poll = async () => {
    const alerts: EngineAlert[] = await evaluator.alerts();
    const now = Date.now();
    const seen = new Set<string>();
    for (const alert of alerts) {
      const key = alertKey(alert.labels);
      seen.add(key);
      const before = states.get(key)?.state;
      if (alert.state === before) continue;
      states.set(key, { labels: alert.labels, state: alert.state });
      const activeAt = alert.activeAt ? Date.parse(alert.activeAt) : now;
      if (alert.state === 'pending')
        timeline.push({ ms: activeAt, kind: 'pending', alert: alertDisplay(alert.labels) });
      if (alert.state === 'firing') {
        if (before !== 'pending' && activeAt < now - 1000)
          timeline.push({ ms: activeAt, kind: 'pending', alert: alertDisplay(alert.labels) });
        timeline.push({ ms: now, kind: 'firing', alert: alertDisplay(alert.labels) });
      }
    }
    for (const [key, { labels, state }] of states)
      if (!seen.has(key) && state !== 'inactive') {
        states.set(key, { labels, state: 'inactive' });
        timeline.push({
          ms: now,
          kind: 'resolved',
          alert: alertDisplay(labels),
          note: state === 'pending' ? 'never fired' : '',
        });
      }
    if (faultAt !== undefined)
      for (const [key, { labels, state }] of states) if (state === 'firing') firedAfterFault.set(key, labels);
  };

  const deliveries = expectations.expected.flatMap((e) => e.receivers.map((r) => ({ e, r })));
  const delivered = () =>
    deliveries.filter(({ e, r }) =>
      sink
        .notifications()
        .some(
          (n) =>
            n.receiver === r && n.alerts.some((a) => a.status === 'firing' && matchesExpected(a.labels, e)),
        ),
    );
  const status = (phase: DrillStatus['phase']) => {
    const values = [...states.values()];
    options.onStatus?.({
      phase,
      at: rel(Date.now()),
      deadline: expectations.deadlineSeconds,
      pending: values.filter((v) => v.state === 'pending').length,
      firing: values.filter((v) => v.state === 'firing').length,
      delivered: delivered().length,
      deliveries: deliveries.length,
    });
  };

  // Warm-up: healthy history from the first scrape on; Alertmanager hears nothing yet.
  const scrapeTimeout = Date.now() + 30_000;
  for (;;) {
    const up = await evaluator.query(`up{job=${JSON.stringify(plan.service)}}`).catch(() => []);
    if (up.some((s) => s.value === 1)) break;
    if (Date.now() > scrapeTimeout)
      throw new Error(`${plan.engine} never scraped the synthetic service:\n${evaluator.output()}`);
    await sleep(200);
  }
  // The history must be long enough, and then the rules quiet (only the always-firing alerts),
  // before Alertmanager hears anything: a fresh Prometheus fires what compares with a past it
  // does not have yet.
  const warmupEnd = Date.now() + warmupSeconds * 1000;
  const giveUp = warmupEnd + QUIET_TIMEOUT_MS;
  firstScrape = Date.now();
  timeline.push({ ms: firstScrape, kind: 'warm-up', alert: '', note: 'first scrape; healthy warm-up' });
  let quiet = 0;
  for (;;) {
    await poll();
    status('warm-up');
    const loud = [...states.values()].some(
      (v) => v.state !== 'inactive' && !expectations.always.includes(v.labels.alertname ?? ''),
    );
    quiet = loud ? 0 : quiet + 1;
    if (Date.now() >= warmupEnd && (quiet >= QUIET_POLLS || Date.now() >= giveUp)) break;
    await sleep(DRILL.pollMs);
  }
  // The fault first, then the engine gets the Alertmanager: nothing can reach a receiver before
  // the fault's start, the timeline's zero. (The other way round, the always-firing Watchdog could
  // be notified while the engine was still being connected, and counted as warm-up.)
  service.startFault();
  faultAt = Date.now();
  timeline.push({ ms: faultAt, kind: 'fault', alert: '', note: expectations.scenario.summary });
  await evaluator.connect(alertmanager.url);

  const deadline = faultAt + expectations.deadlineSeconds * 1000;
  const observeUntil = faultAt + expectations.observeSeconds * 1000;
  for (;;) {
    await poll();
    status('fault');
    const now = Date.now();
    if (delivered().length === deliveries.length && now >= observeUntil) break;
    if (now >= deadline) break;
    await sleep(DRILL.pollMs);
  }
  const faultSeconds = rel(Date.now());
  const pipeline = await evaluator.health(plan.service, (Date.now() - firstScrape) / 1000);

  const notified = new Map<string, { labels: Record<string, string>; receivers: Set<string> }>();
  for (const n of sink.notifications())
    for (const a of n.alerts) {
      if (a.status !== 'firing') continue;
      const key = alertKey(a.labels);
      const entry = notified.get(key) ?? { labels: { ...a.labels }, receivers: new Set<string>() };
      if (!entry.receivers.has(n.receiver)) {
        timeline.push({
          ms: n.at,
          kind: 'notified',
          alert: alertDisplay(a.labels),
          receivers: [n.receiver],
        });
        entry.receivers.add(n.receiver);
      }
      notified.set(key, entry);
    }

  const permitted = (labels: Readonly<Record<string, string>>) =>
    expectations.expected.some((e) => matchesExpected(labels, e)) ||
    expectations.allowed.includes(labels.alertname ?? '');
  const missing = deliveries
    .filter((d) => !delivered().includes(d))
    .map(
      ({ e, r }) =>
        `${e.alertname}${
          Object.keys(e.labels).length > 0
            ? ` (${Object.entries(e.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')})`
            : ''
        } did not reach ${r} within ${e.deadlineSeconds}s (${e.reason})`,
    );
  const unexpected: string[] = [];
  for (const { labels, receivers } of notified.values()) {
    const routed = routeReceivers(route, labels);
    for (const r of [...receivers].sort()) {
      if (!permitted(labels)) unexpected.push(`${alertDisplay(labels)} reached ${r}`);
      else if (!routed.includes(r))
        unexpected.push(
          `${alertDisplay(labels)} reached ${r}, which the generated routing does not send it to`,
        );
    }
  }
  for (const labels of firedAfterFault.values())
    if (!permitted(labels) && !unexpected.some((u) => u.startsWith(`${alertDisplay(labels)} reached`)))
      unexpected.push(`${alertDisplay(labels)} fired: the scenario breaks nothing it reads`);

  // Merge notifications of one alert that arrived together into one line per alert.
  const merged: TimelineEvent[] = [];
  const events = timeline.map(({ ms, ...rest }): TimelineEvent => ({ ...rest, at: rel(ms) }));
  for (const event of events.sort((a, b) => a.at - b.at || order(a.kind) - order(b.kind))) {
    const same =
      event.kind === 'notified'
        ? merged.findIndex((m) => m.kind === 'notified' && m.alert === event.alert && event.at - m.at < 1)
        : -1;
    const into = merged[same];
    if (into) merged[same] = { ...into, receivers: [...(into.receivers ?? []), ...(event.receivers ?? [])] };
    else merged.push(event);
  }
  return {
    plan,
    timeline: merged,
    missing,
    unexpected,
    passed: missing.length === 0 && unexpected.length === 0,
    faultSeconds,
    pipeline,
  };
}

const KIND_ORDER: readonly TimelineKind[] = ['warm-up', 'fault', 'pending', 'firing', 'notified', 'resolved'];
const order = (kind: TimelineKind): number => KIND_ORDER.indexOf(kind);

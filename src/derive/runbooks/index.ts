/**
 * Runbooks derived from the model and the compiled routing: generated/runbooks/<service>/<AlertName>.md
 * for every catalog alert and every SLO
 * alert (`<Slo>BudgetBurn`, `<Slo>SliNoData`), so each `runbook_url` resolves. Pure: templates
 * are compiled from strings, receivers are read from the compiled Alertmanager route tree.
 */
import Handlebars from 'handlebars';
import { type AlertmanagerConfig, routeReceivers } from '../../compile/alertmanager/index.ts';
import type { Artifacts } from '../../compile/index.ts';
import { catalogAlertLabels, catalogAlertLinks } from '../../compile/prometheus/catalog-rules.ts';
import { eventExprs } from '../../compile/prometheus/sli.ts';
import { sloSeriesLabels } from '../../compile/prometheus/slo-rules.ts';
import {
  type AlertSeverity,
  burnAlertName,
  DASHBOARD_UID,
  dashboardUrl,
  GENERATED_HEADER,
  LABEL,
  NO_DATA_FOR_SECONDS,
  noDataAlertName,
  RECORD,
  runbookFile,
  type Severity,
} from '../../conventions.ts';
import type { ResolvedAlert, ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import {
  alertsAcrossClusters,
  clusterLabelOf,
  type Environment,
  recordedLabels,
} from '../../model/service.ts';
import {
  formatNumber,
  formatPercent,
  formatRational,
  formatSeconds,
  humanizeSeconds,
  toNumber,
} from '../../model/units.ts';
import { explainPairs } from '../../model/windows.ts';
import { BURN_RUNBOOK, CATALOG_RUNBOOK, INDEX, NO_DATA_RUNBOOK } from './templates.ts';

// strict: a field missing from the data is a compiler bug, not an empty cell.
const compile = (source: string) => Handlebars.compile(source, { noEscape: true, strict: true });
const render = {
  catalog: compile(CATALOG_RUNBOOK),
  burn: compile(BURN_RUNBOOK),
  noData: compile(NO_DATA_RUNBOOK),
  index: compile(INDEX),
};

const TIER_MEANING: Readonly<Record<AlertSeverity, string>> = {
  critical: 'act now; pages the on-call where the environment pages',
  warning: 'respond within 30 minutes',
  info: 'nobody is interrupted; review on the next working day',
  none: "a heartbeat for the dead-man's switch, never for a person; kube-prometheus-stack's default inhibit rules (InfoInhibitor) never mute it",
};

const escalation = (severity: AlertSeverity, team: string): string =>
  ({
    critical: `Acknowledge the page within 5 minutes. If it is not mitigated within 30 minutes, bring in the ${team} lead and open an incident channel; post updates in #alerts until it resolves.`,
    warning: `Respond within 30 minutes during working hours. If users are affected or it keeps getting worse, page the on-call of ${team} through PagerDuty.`,
    info: `Review it in the daily digest. If it needs work, open a ticket in the ${team} backlog.`,
    none: `Nobody acts on it while it fires. When the heartbeat monitor reports it missing, treat that as critical: page the on-call of ${team} until alerting works again.`,
  })[severity];

const HEADER = `${GENERATED_HEADER}.`;

/** Path of a runbook under generated/. */
export const runbookPath = (service: string, alertName: string): string =>
  `runbooks/${runbookFile(service, alertName)}`;

/** kubectl commands for the namespace: the common three, then the alert's own. */
function kubectl(env: Environment, service: string, extra: readonly string[]): string[] {
  const k = `kubectl -n ${env.namespace}`;
  return [
    `${k} get pods -o wide`,
    `${k} get events --sort-by=.lastTimestamp`,
    `${k} logs deploy/${service} --since=30m --tail=200`,
    ...extra.map((args) => `${k} ${args}`),
  ];
}

/** Who receives an alert, read from the compiled Alertmanager configurations. */
class Routing {
  private readonly configs: ReadonlyMap<string, AlertmanagerConfig>;
  constructor(alertmanager: Artifacts['alertmanager']) {
    this.configs = new Map(alertmanager.map((a) => [a.env.name, a.config]));
  }

  /** Receivers an alert with these labels reaches in `env`, as text for the runbook. */
  receivers(env: Environment, labels: Readonly<Record<string, string>>): string {
    const config = this.configs.get(env.name);
    if (!config) return 'no Alertmanager configuration is generated for this environment';
    return routeReceivers(config.route, labels).join(', ');
  }
}

function catalogRunbook(alert: ResolvedAlert, svc: ResolvedService, routing: Routing): string {
  return render.catalog({
    header: HEADER,
    name: alert.name,
    summary: alert.summary,
    description: alert.description,
    impact: alert.runbook.impact,
    steps: alert.runbook.steps,
    service: alert.service,
    team: svc.team,
    severity: alert.severity,
    tierMeaning: TIER_MEANING[alert.severity],
    category: alert.category,
    forText: alert.forSeconds > 0 ? formatSeconds(alert.forSeconds) : 'one evaluation',
    family: alert.family,
    groupBy: alert.groupBy.join(', '),
    file: alert.file,
    environments: svc.environments.map((env) => ({
      name: env.name,
      namespace: env.namespace,
      expr: alert.exprs[env.name] ?? '',
      dashboardUrl: catalogAlertLinks(svc, alert, env).dashboard_url,
      kubectl: kubectl(env, svc.name, alert.runbook.kubectl),
      receivers: routing.receivers(env, { alertname: alert.name, ...catalogAlertLabels(alert, env) }),
    })),
    escalation: alert.runbook.escalation ?? escalation(alert.severity, svc.team),
  });
}

/** `{environment="production",service="x",slo="y"}` of an SLO's recorded series. */
const sloSelector = (svc: ResolvedService, slo: ResolvedSlo, env: Environment): string =>
  `{${Object.entries(sloSeriesLabels(svc, slo, env))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

function sloEnvironments(
  svc: ResolvedService,
  slo: ResolvedSlo,
  routing: Routing,
  alertName: string,
  severity: Severity,
  queries: (env: Environment) => string[],
) {
  return svc.environments.map((env) => ({
    name: env.name,
    namespace: env.namespace,
    ...clustersNote(env),
    expr: queries(env).join('\n\n'),
    dashboardUrl: dashboardUrl(
      env.grafanaBaseUrl,
      DASHBOARD_UID.sloDetail(svc.name, slo.id, env.name),
      env.name,
    ),
    kubectl: kubectl(env, svc.name, []),
    receivers: routing.receivers(env, {
      ...slo.alerting.labels,
      alertname: alertName,
      ...sloSeriesLabels(svc, slo, env),
      [LABEL.severity]: severity,
      [LABEL.category]: 'slo',
    }),
  }));
}

/** How an SLO's alerts read an environment that spans clusters; nothing for one cluster. */
function clustersNote(env: Environment): { clusters?: string } {
  const label = clusterLabelOf(env);
  if (label === undefined) return {};
  const how = alertsAcrossClusters(env)
    ? `burn alerts fire on the events of all clusters together (\`${label}\` summed away); the queries below keep \`${label}\`, to show which clusters contribute`
    : `burn alerts fire per cluster: the alert's \`${label}\` label names the cluster burning, and the queries below keep it`;
  return {
    clusters: `Spans several clusters (label \`${label}\`): ${how}. The no-data alert fires only when no cluster reports.`,
  };
}

/** The raw SLI queries over the base window, labelled as comments (per cluster where it spans several). */
function sliQueries(svc: ResolvedService, slo: ResolvedSlo, env: Environment): string[] {
  const events = eventExprs(
    svc,
    { ...slo, groupBy: recordedLabels(slo.groupBy, env) },
    env,
    formatSeconds(slo.baseWindow),
  );
  return [`# bad events\n${events.bad}`, `# all events\n${events.total}`];
}

function burnRunbook(svc: ResolvedService, slo: ResolvedSlo, routing: Routing): string | undefined {
  const enabled = (tier: string) => (tier === 'page' ? slo.alerting.page : slo.alerting.ticket);
  const rows = explainPairs(slo.windows, slo.errorBudget, slo.period).filter((r) => enabled(r.pair.tier));
  if (rows.length === 0) return undefined;
  const name = burnAlertName(slo.id);
  const severity: Severity = rows.some((r) => r.pair.severity === 'critical') ? 'critical' : 'warning';
  const longWindows = [...new Set(rows.map((r) => r.pair.long))].sort((a, b) => a - b);
  return render.burn({
    header: HEADER,
    name,
    slo: slo.id,
    sloDescription: slo.description,
    service: svc.name,
    team: svc.team,
    objective: formatPercent(slo.objective),
    period: formatSeconds(slo.period),
    groupBy: slo.groupBy.join(', '),
    file: svc.file,
    pairs: rows.map((r) => ({
      severity: r.pair.severity,
      long: formatSeconds(r.pair.long),
      short: formatSeconds(r.pair.short),
      factor: formatRational(r.pair.factor),
      threshold: formatPercent(r.threshold),
      for: formatSeconds(r.pair.forSeconds),
      firesAfter: r.firesAfterSeconds === undefined ? 'never' : humanizeSeconds(r.firesAfterSeconds),
      budgetSpent: r.budgetSpent === undefined ? '-' : `${(r.budgetSpent * 100).toFixed(2)}%`,
    })),
    // Fastest factor per tier: how soon that tier's rate exhausts the whole budget.
    exhaustion: (['page', 'ticket'] as const).flatMap((tier) => {
      const factors = rows.filter((r) => r.pair.tier === tier).map((r) => toNumber(r.pair.factor));
      if (factors.length === 0) return [];
      const factor = Math.max(...factors);
      return [{ tier, factor: formatNumber(factor), within: humanizeSeconds(slo.period / factor) }];
    }),
    environments: sloEnvironments(svc, slo, routing, name, severity, (env) => {
      const sel = sloSelector(svc, slo, env);
      return [
        `# error ratio over the alert windows\n${longWindows.map((w) => `${RECORD.errorRatio(formatSeconds(w))}${sel}`).join('\n')}`,
        `# error budget left in the period\n${RECORD.budgetRemaining}${sel}`,
        ...sliQueries(svc, slo, env),
      ];
    }),
    escalation: rows
      .map((r) => r.pair.severity)
      .filter((s, i, all) => all.indexOf(s) === i)
      .map((s) => `${s === 'critical' ? 'Page (critical)' : 'Ticket (warning)'}: ${escalation(s, svc.team)}`)
      .join('\n\n'),
  });
}

function noDataRunbook(svc: ResolvedService, slo: ResolvedSlo, routing: Routing): string | undefined {
  if (!slo.alerting.noData) return undefined;
  const name = noDataAlertName(slo.id);
  return render.noData({
    header: HEADER,
    name,
    slo: slo.id,
    service: svc.name,
    team: svc.team,
    file: svc.file,
    totalRecord: RECORD.total(formatSeconds(slo.baseWindow)),
    forText: formatSeconds(NO_DATA_FOR_SECONDS),
    environments: sloEnvironments(svc, slo, routing, name, 'warning', (env) => sliQueries(svc, slo, env)),
    escalation: escalation('warning', svc.team),
  });
}

interface Runbook {
  readonly name: string;
  readonly severity: string;
  readonly service: string;
  readonly summary: string;
  readonly text: string;
}

/** A runbook's line in the index (kept by incremental `generate` to rebuild the index alone). */
export interface RunbookEntry {
  readonly name: string;
  readonly severity: string;
  readonly service: string;
  readonly summary: string;
  /** Its file, relative to runbooks/. */
  readonly file: string;
}

const runbookKey = (rb: Pick<Runbook, 'service' | 'name'>): string => runbookFile(rb.service, rb.name);
const byKey = <T extends Pick<Runbook, 'service' | 'name'>>(a: T, b: T): number =>
  runbookKey(a) < runbookKey(b) ? -1 : runbookKey(a) > runbookKey(b) ? 1 : 0;

/** The runbooks of the given services and of their catalog alerts, unsorted. */
function collectRunbooks(
  services: readonly ResolvedService[],
  alerts: readonly ResolvedAlert[],
  routing: Routing,
): Runbook[] {
  const runbooks: Runbook[] = [];
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const svc of services)
    for (const slo of svc.slos) {
      const burn = burnRunbook(svc, slo, routing);
      if (burn)
        runbooks.push({
          name: burnAlertName(slo.id),
          severity: slo.alerting.page ? 'critical, warning' : 'warning',
          service: svc.name,
          summary: `The ${slo.id} SLO burns its error budget too fast.`,
          text: burn,
        });
      const noData = noDataRunbook(svc, slo, routing);
      if (noData)
        runbooks.push({
          name: noDataAlertName(slo.id),
          severity: 'warning',
          service: svc.name,
          summary: `The ${slo.id} SLO has no SLI data.`,
          text: noData,
        });
    }
  for (const alert of alerts) {
    const svc = byName.get(alert.service);
    if (!svc) continue;
    runbooks.push({
      name: alert.name,
      severity: alert.severity,
      service: alert.service,
      summary: alert.summary,
      text: catalogRunbook(alert, svc, routing),
    });
  }
  // Keyed by service and alert name: one service's runbooks never change when another is added.
  return runbooks.sort(byKey);
}

/**
 * The runbooks of one service (its SLOs and catalog alerts), sorted, with their index entries; the
 * receivers each names come from the compiled Alertmanager configurations.
 */
export function serviceRunbooks(
  svc: ResolvedService,
  alertmanager: Artifacts['alertmanager'],
): { readonly files: { path: string; text: string }[]; readonly entries: RunbookEntry[] } {
  const runbooks = collectRunbooks([svc], svc.alerts ?? [], new Routing(alertmanager));
  return {
    files: runbooks.map((rb) => ({ path: runbookPath(rb.service, rb.name), text: rb.text })),
    entries: runbooks.map(({ text: _, ...rb }) => ({ ...rb, file: runbookKey(rb) })),
  };
}

/** The index of every runbook (runbooks/README.md), from their entries in any order. */
export const runbookIndex = (entries: readonly RunbookEntry[]): { path: string; text: string } => ({
  path: 'runbooks/README.md',
  text: render.index({ header: HEADER, runbooks: [...entries].sort(byKey) }),
});

/**
 * Every runbook of the project, by service and alert name (sorted), plus the index; the receivers each names
 * come from the compiled Alertmanager configurations.
 */
export function toRunbooks({
  project,
  alertmanager,
}: Pick<Artifacts, 'project' | 'alertmanager'>): { path: string; text: string }[] {
  const runbooks = collectRunbooks(project.services, project.alerts ?? [], new Routing(alertmanager));
  const files = runbooks.map((rb) => ({ path: runbookPath(rb.service, rb.name), text: rb.text }));
  return [...files, runbookIndex(runbooks.map(({ text: _, ...rb }) => ({ ...rb, file: runbookKey(rb) })))];
}

/**
 * The Alertmanager target: per environment, the route tree, receivers (secrets as `*_file` paths
 * only), inhibit rules, time intervals and the notification templates. Pure.
 */
import { ALERTMANAGER_FILE, LABEL, TIER_TIMING } from '../../conventions.ts';
import type { Project } from '../../model/resolved.ts';
import type {
  AlertRouting,
  ReceiverSpec,
  RouteMatcher,
  RouteSpec,
  RouteTiming,
  TimeRangeSpec,
} from '../../model/routing.ts';
import { isPagingReceiver } from '../../model/routing.ts';
import { clusterLabelOf, type Environment } from '../../model/service.ts';
import { fullMatch, quote } from '../../promql/index.ts';
import { TEMPLATE, useTemplate } from './templates.ts';
import type { AlertmanagerConfig, AmInhibitRule, AmReceiver, AmRoute, AmTimeRange } from './types.ts';

export { notificationTemplates } from './templates.ts';
export type { AlertmanagerConfig, AmInhibitRule, AmReceiver, AmRoute } from './types.ts';

const byKey = <T>(entries: [string, T][]): [string, T][] =>
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `label="value"` (or `=~`, `!=`, `!~`) in Alertmanager's matcher syntax. */
export function matcherText(label: string, value: RouteMatcher): string {
  if (typeof value === 'string') return `${label}=${quote(value)}`;
  if ('re' in value) return `${label}=~${quote(value.re)}`;
  if ('ne' in value) return `${label}!=${quote(value.ne)}`;
  return `${label}!~${quote(value.nre)}`;
}

const matchersOf = (match: Readonly<Record<string, RouteMatcher>>): string[] =>
  byKey(Object.entries(match)).map(([label, value]) => matcherText(label, value));

function timingFields(t: RouteTiming | undefined): Partial<AmRoute> {
  if (!t) return {};
  return {
    ...(t.groupBy ? { group_by: [...t.groupBy] } : {}),
    ...(t.groupWait ? { group_wait: t.groupWait } : {}),
    ...(t.groupInterval ? { group_interval: t.groupInterval } : {}),
    ...(t.repeatInterval ? { repeat_interval: t.repeatInterval } : {}),
  };
}

/** Whether a receiver is used in this environment (paging receivers only where it pages). */
const usable = (env: Environment, receiver: ReceiverSpec | undefined): boolean =>
  receiver !== undefined && (env.paging === true || !isPagingReceiver(receiver));

/**
 * One route of the spec. Alertmanager routes have one receiver; a route to several becomes a
 * parent (matchers, timing) with one child per receiver, all but the last with `continue`, so an
 * alert reaches each of them in order. Time intervals are not inherited, so children carry them.
 */
function toRoute(spec: RouteSpec, routing: AlertRouting, env: Environment): AmRoute | undefined {
  const targets = spec.receivers.filter((name) => usable(env, routing.receivers[name]));
  const [first] = targets;
  if (first === undefined) return undefined;
  const intervals: Partial<AmRoute> = {
    ...(spec.muteTimeIntervals?.length ? { mute_time_intervals: [...spec.muteTimeIntervals] } : {}),
    ...(spec.activeTimeIntervals?.length ? { active_time_intervals: [...spec.activeTimeIntervals] } : {}),
  };
  const head: AmRoute = {
    receiver: first,
    matchers: matchersOf(spec.match),
    ...timingFields(spec.timing),
    ...(spec.continue ? { continue: true } : {}),
  };
  if (targets.length === 1) return { ...head, ...intervals };
  return {
    ...head,
    routes: targets.map((receiver, i) => ({
      receiver,
      ...intervals,
      ...(i < targets.length - 1 ? { continue: true } : {}),
    })),
  };
}

const sendResolved = (spec: { readonly sendResolved?: boolean }, fallback: boolean): boolean =>
  spec.sendResolved ?? fallback;

/** One receiver; secrets only as file paths Alertmanager reads when it notifies. */
export function toReceiver(name: string, spec: ReceiverSpec): AmReceiver {
  switch (spec.type) {
    case 'pagerduty':
      return {
        name,
        pagerduty_configs: [
          {
            routing_key_file: spec.routingKeyFile,
            send_resolved: sendResolved(spec, true),
            description: useTemplate(TEMPLATE.pagerdutyDescription),
            details: {
              description: '{{ .CommonAnnotations.description }}',
              runbook_url: '{{ .CommonAnnotations.runbook_url }}',
              dashboard_url: '{{ .CommonAnnotations.dashboard_url }}',
              environment: '{{ .CommonLabels.environment }}',
              service: '{{ .CommonLabels.service }}',
              firing: '{{ .Alerts.Firing | len }}',
            },
          },
        ],
      };
    case 'slack':
      return {
        name,
        slack_configs: [
          {
            api_url_file: spec.apiUrlFile,
            channel: spec.channel,
            send_resolved: sendResolved(spec, true),
            title: useTemplate(TEMPLATE.title),
            text: useTemplate(TEMPLATE.slackText),
            color: useTemplate(TEMPLATE.slackColor),
          },
        ],
      };
    case 'email':
      return {
        name,
        email_configs: [
          {
            to: spec.to,
            send_resolved: sendResolved(spec, false),
            headers: { Subject: useTemplate(TEMPLATE.emailSubject) },
            html: useTemplate(TEMPLATE.emailHtml),
          },
        ],
      };
    case 'webhook':
      return {
        name,
        webhook_configs: [
          {
            url: spec.url,
            send_resolved: sendResolved(spec, true),
            http_config: { authorization: { type: 'Bearer', credentials_file: spec.credentialsFile } },
          },
        ],
      };
  }
}

function toTimeRange(range: TimeRangeSpec, location: string): AmTimeRange {
  return {
    ...(range.weekdays ? { weekdays: [...range.weekdays] } : {}),
    ...(range.times ? { times: range.times.map((t) => ({ start_time: t.start, end_time: t.end })) } : {}),
    ...(range.daysOfMonth ? { days_of_month: [...range.daysOfMonth] } : {}),
    ...(range.months ? { months: [...range.months] } : {}),
    location,
  };
}

/**
 * Labels an inhibition must find equal on source and target, besides the family: every label a
 * catalog alert is split by (`source`, `persistentvolumeclaim`...). A label missing on both sides
 * counts as equal, so a page about one data source never hides a warning about another.
 */
export function scopeLabels(project: Project): string[] {
  return [...new Set((project.alerts ?? []).flatMap((a) => a.groupBy))].sort();
}

/** Labels SLOs are split by (`source` of a per-source freshness SLO). */
const sloScopeLabels = (project: Project): string[] =>
  [...new Set(project.services.flatMap((s) => s.slos.flatMap((slo) => slo.groupBy)))].sort();

/**
 * Cluster labels of the environments that span clusters: a page in one cluster must not mute a
 * ticket or warning in another. None without such environments, so their inhibit rules stay as
 * they were.
 */
const clusterScopeLabels = (project: Project): string[] =>
  [
    ...new Set(project.services.flatMap((s) => s.environments.flatMap((env) => clusterLabelOf(env) ?? []))),
  ].sort();

/**
 * Inhibit rules. Family rules: a critical alert mutes warning and info alerts, a warning mutes
 * info alerts, of the same `alert_family`, service and environment (and scope labels). Only alerts
 * that carry a family take part (the catalog's), so one SLO's page cannot mute another SLO's
 * ticket. SLO rule: the page of an SLO mutes its ticket (same alertname, slo, service, environment).
 */
export function inhibitRules(project: Project): AmInhibitRule[] {
  const family = `${LABEL.alertFamily}=~".+"`;
  const clusters = clusterScopeLabels(project);
  const equal = [LABEL.alertFamily, LABEL.environment, LABEL.service, ...scopeLabels(project), ...clusters];
  const sloEqual = [
    'alertname',
    LABEL.environment,
    LABEL.service,
    LABEL.slo,
    ...sloScopeLabels(project).filter(
      (l) => !['alertname', LABEL.environment, LABEL.service, LABEL.slo].includes(l),
    ),
    ...clusters,
  ];
  return [
    {
      source_matchers: [`${LABEL.severity}="critical"`, family],
      target_matchers: [`${LABEL.severity}=~"warning|info"`, family],
      equal: [...new Set(equal)],
    },
    {
      source_matchers: [`${LABEL.severity}="warning"`, family],
      target_matchers: [`${LABEL.severity}="info"`, family],
      equal: [...new Set(equal)],
    },
    {
      source_matchers: [`${LABEL.category}="slo"`, `${LABEL.severity}="critical"`],
      target_matchers: [`${LABEL.category}="slo"`, `${LABEL.severity}="warning"`],
      equal: [...new Set(sloEqual)],
    },
  ];
}

/**
 * One routing of an environment and the services whose alerts it routes. Services of different
 * teams bring their own routing; all of an environment's routings share one Alertmanager.
 */
export interface TeamRouting {
  /** Names of the services using this routing in the environment, sorted. */
  readonly services: readonly string[];
  readonly routing: AlertRouting;
}

/**
 * The distinct routings of an environment with their services, ordered by their first service's
 * name (so adding a service never reorders the others' sub-trees).
 */
export function environmentRoutings(project: Project, envName: string): TeamRouting[] {
  const found = new Map<AlertRouting, string[]>();
  for (const svc of project.services)
    for (const env of svc.environments)
      if (env.name === envName && env.alerting)
        found.set(env.alerting, [...(found.get(env.alerting) ?? []), svc.name]);
  return [...found.entries()]
    .map(([routing, services]) => ({ routing, services: [...new Set(services)].sort() }))
    .sort((a, b) => ((a.services[0] ?? '') < (b.services[0] ?? '') ? -1 : 1));
}

/** Matcher of a sub-tree: the alerts of its services (every generated alert has `service`). */
const serviceMatcher = (services: readonly string[]): string =>
  services.length === 1
    ? matcherText(LABEL.service, services[0] ?? '')
    : matcherText(LABEL.service, {
        re: services.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
      });

/**
 * The route tree of an environment. One routing: its routes under the root, as written. Several:
 * one sub-tree per routing, matched on `service`, holding that routing's routes, timing and
 * default receiver, so each team's alerts reach only its own receivers.
 */
function routeTree(env: Environment, teams: readonly TeamRouting[]): AmRoute {
  const [first] = teams;
  if (!first) throw new Error(`environment ${env.name} has no alert routing`);
  const routesOf = (routing: AlertRouting) =>
    routing.routes.flatMap((spec) => toRoute(spec, routing, env) ?? []);
  return {
    receiver: first.routing.defaultReceiver,
    ...timingFields({ ...TIER_TIMING.default, ...first.routing.timing }),
    routes:
      teams.length === 1
        ? routesOf(first.routing)
        : teams.map(({ services, routing }) => ({
            receiver: routing.defaultReceiver,
            matchers: [serviceMatcher(services)],
            ...timingFields({ ...TIER_TIMING.default, ...routing.timing }),
            routes: routesOf(routing),
          })),
  };
}

/** Entries of several records by key, the first definition of a name kept (validation refuses differing ones). */
function union<T>(records: readonly Readonly<Record<string, T>>[]): [string, T][] {
  const out = new Map<string, T>();
  for (const record of records)
    for (const [name, value] of Object.entries(record)) if (!out.has(name)) out.set(name, value);
  return byKey([...out.entries()]);
}

/**
 * The Alertmanager configuration of an environment from its routings (one, or one per team).
 * Global settings (SMTP, resolve timeout, time zone) are the environment's: validation makes the
 * routings agree on them, and on every receiver and time interval they both name.
 */
export function toAlertmanagerConfig(
  project: Project,
  env: Environment,
  routings: AlertRouting | readonly TeamRouting[],
): AlertmanagerConfig {
  const teams: readonly TeamRouting[] =
    'routes' in routings
      ? [{ services: [], routing: routings as AlertRouting }]
      : (routings as readonly TeamRouting[]);
  const all = teams.map((t) => t.routing);
  const smtp = all.find((r) => r.smtp)?.smtp;
  const location = all.find((r) => r.timeZone)?.timeZone ?? 'UTC';
  const intervals = union(all.map((r) => r.timeIntervals ?? {}));
  return {
    global: {
      resolve_timeout: all.find((r) => r.resolveTimeout)?.resolveTimeout ?? '5m',
      ...(smtp
        ? {
            smtp_smarthost: smtp.smarthost,
            smtp_from: smtp.from,
            ...(smtp.authUsername ? { smtp_auth_username: smtp.authUsername } : {}),
            ...(smtp.authPasswordFile ? { smtp_auth_password_file: smtp.authPasswordFile } : {}),
            smtp_require_tls: smtp.requireTls ?? true,
          }
        : {}),
    },
    templates: [ALERTMANAGER_FILE.templatesName],
    route: routeTree(env, teams),
    inhibit_rules: inhibitRules(project),
    receivers: union(all.map((r) => r.receivers))
      .filter(([, spec]) => usable(env, spec))
      .map(([name, spec]) => toReceiver(name, spec)),
    ...(intervals.length > 0
      ? {
          time_intervals: intervals.map(([name, ranges]) => ({
            name,
            time_intervals: ranges.map((r) => toTimeRange(r, location)),
          })),
        }
      : {}),
  };
}

/**
 * Environments with alerting, one per name, with every routing of that environment (one per
 * team), the first service's environment standing for the name.
 */
export function alertingEnvironments(
  project: Project,
): { env: Environment; routing: AlertRouting; teams: TeamRouting[] }[] {
  const found = new Map<string, Environment>();
  for (const svc of project.services)
    for (const env of svc.environments) if (env.alerting && !found.has(env.name)) found.set(env.name, env);
  return [...found.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((env) => {
      const teams = environmentRoutings(project, env.name);
      return { env, routing: teams[0]?.routing ?? (env.alerting as AlertRouting), teams };
    });
}

/**
 * Receivers an alert with these labels reaches, in tree order: Alertmanager's routing (a matching
 * child takes the alert; `continue` lets later siblings match too; no matching child means the
 * route itself). Used for runbooks; the tests compare it with `amtool config routes test`.
 */
export function routeReceivers(route: AmRoute, labels: Readonly<Record<string, string>>): string[] {
  const matches = (matcher: string): boolean => {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"$/.exec(matcher);
    if (!m) return false;
    const [, label = '', op, raw = ''] = m;
    const value = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const actual = labels[label] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    return op === '=~' ? fullMatch(value, actual) : !fullMatch(value, actual);
  };
  const walk = (node: AmRoute): string[] => {
    if (!(node.matchers ?? []).every(matches)) return [];
    const found: string[] = [];
    for (const child of node.routes ?? []) {
      const reached = walk(child);
      if (reached.length === 0) continue;
      found.push(...reached);
      if (!child.continue) break;
    }
    return found.length > 0 ? found : [node.receiver];
  };
  return walk(route);
}

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
import type { Environment } from '../../model/service.ts';
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
 * Inhibit rules. Family rules: a critical alert mutes warning and info alerts, a warning mutes
 * info alerts, of the same `alert_family`, service and environment (and scope labels). Only alerts
 * that carry a family take part (the catalog's), so one SLO's page cannot mute another SLO's
 * ticket. SLO rule: the page of an SLO mutes its ticket (same alertname, slo, service, environment).
 */
export function inhibitRules(project: Project): AmInhibitRule[] {
  const family = `${LABEL.alertFamily}=~".+"`;
  const equal = [LABEL.alertFamily, LABEL.environment, LABEL.service, ...scopeLabels(project)];
  const sloEqual = [
    'alertname',
    LABEL.environment,
    LABEL.service,
    LABEL.slo,
    ...sloScopeLabels(project).filter(
      (l) => !['alertname', LABEL.environment, LABEL.service, LABEL.slo].includes(l),
    ),
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
      equal: sloEqual,
    },
  ];
}

/** The Alertmanager configuration of an environment. */
export function toAlertmanagerConfig(
  project: Project,
  env: Environment,
  routing: AlertRouting,
): AlertmanagerConfig {
  const smtp = routing.smtp;
  const location = routing.timeZone ?? 'UTC';
  const intervals = byKey(Object.entries(routing.timeIntervals ?? {}));
  return {
    global: {
      resolve_timeout: routing.resolveTimeout ?? '5m',
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
    route: {
      receiver: routing.defaultReceiver,
      ...timingFields({ ...TIER_TIMING.default, ...routing.timing }),
      routes: routing.routes.flatMap((spec) => toRoute(spec, routing, env) ?? []),
    },
    inhibit_rules: inhibitRules(project),
    receivers: byKey(Object.entries(routing.receivers))
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

/** Environments with alerting, one per name (validation guarantees one routing per name). */
export function alertingEnvironments(project: Project): { env: Environment; routing: AlertRouting }[] {
  const found = new Map<string, { env: Environment; routing: AlertRouting }>();
  for (const svc of project.services)
    for (const env of svc.environments)
      if (env.alerting && !found.has(env.name)) found.set(env.name, { env, routing: env.alerting });
  return [...found.values()].sort((a, b) => (a.env.name < b.env.name ? -1 : 1));
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

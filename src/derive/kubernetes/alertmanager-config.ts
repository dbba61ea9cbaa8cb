/**
 * The AlertmanagerConfig (monitoring.coreos.com/v1alpha1) of an environment, converted from the
 * Alertmanager configuration the Alertmanager target compiles: the same route tree, receivers,
 * inhibit rules and time intervals, written in the operator's fields. Secret files become Secret
 * references, notification templates are written in place, SMTP settings move into each email
 * receiver. The routing logic stays in src/compile/alertmanager; nothing here decides a route.
 */

import type {
  AlertmanagerConfig,
  AmInhibitRule,
  AmReceiver,
  AmRoute,
} from '../../compile/alertmanager/index.ts';
import { type SecretRef, secretOfFile } from '../../model/kubernetes.ts';
import { inlineTemplates } from './templates.ts';
import type {
  AlertmanagerConfigObject,
  EmailConfig,
  InhibitRule,
  Matcher,
  MuteTimeInterval,
  PagerDutyConfig,
  Receiver,
  Route,
  SlackConfig,
  TimeRange,
  WebhookConfig,
} from './types.ts';

export type { SecretRef } from '../../model/kubernetes.ts';

const MATCHER = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"$/;

/** `label="value"` (Alertmanager matcher syntax, as the Alertmanager target writes it) as a matcher object. */
export function toMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) throw new Error(`not a matcher the Alertmanager target writes: ${text}`);
  const [, name = '', matchType, raw = ''] = m;
  const value = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return { name, value, matchType: matchType as Matcher['matchType'] };
}

/** The fields of a route, one to one; children stay in tree order. */
export function toRoute(route: AmRoute): Route {
  const { receiver, matchers, group_by, group_wait, group_interval, repeat_interval, routes, ...rest } =
    route;
  const { continue: cont, mute_time_intervals, active_time_intervals, ...unknown } = rest;
  refuseUnknown('route', unknown);
  return {
    receiver,
    ...(matchers?.length ? { matchers: matchers.map(toMatcher) } : {}),
    ...(group_by ? { groupBy: [...group_by] } : {}),
    ...(group_wait ? { groupWait: group_wait } : {}),
    ...(group_interval ? { groupInterval: group_interval } : {}),
    ...(repeat_interval ? { repeatInterval: repeat_interval } : {}),
    ...(cont ? { continue: true } : {}),
    ...(mute_time_intervals?.length ? { muteTimeIntervals: [...mute_time_intervals] } : {}),
    ...(active_time_intervals?.length ? { activeTimeIntervals: [...active_time_intervals] } : {}),
    ...(routes?.length ? { routes: routes.map(toRoute) } : {}),
  };
}

export function toInhibitRule(rule: AmInhibitRule): InhibitRule {
  return {
    sourceMatch: rule.source_matchers.map(toMatcher),
    targetMatch: rule.target_matchers.map(toMatcher),
    equal: [...rule.equal],
  };
}

/** A field the conversion does not know would be lost silently: refuse it instead. */
function refuseUnknown(where: string, rest: Record<string, unknown>): void {
  const keys = Object.keys(rest).filter((k) => rest[k] !== undefined);
  if (keys.length > 0) throw new Error(`no AlertmanagerConfig field for ${where}.${keys.join(', ')}`);
}

interface ReceiverContext {
  readonly secretsDir: string;
  readonly templates: ReadonlyMap<string, string>;
  readonly global: AlertmanagerConfig['global'];
}

function secretRef(file: unknown, ctx: ReceiverContext): SecretRef {
  const ref = typeof file === 'string' ? secretOfFile(file, ctx.secretsDir) : undefined;
  if (!ref) throw new Error(`secret file ${String(file)} is not under ${ctx.secretsDir}/<secret>/<key>`);
  return ref;
}

const text = (value: unknown, ctx: ReceiverContext): string => inlineTemplates(String(value), ctx.templates);

const keyValues = (record: unknown, ctx: ReceiverContext): { key: string; value: string }[] =>
  Object.entries((record ?? {}) as Record<string, unknown>).map(([key, value]) => ({
    key,
    value: text(value, ctx),
  }));

function slackConfig(c: Record<string, unknown>, ctx: ReceiverContext): SlackConfig {
  const { api_url_file, channel, send_resolved, title, text: body, color, ...rest } = c;
  refuseUnknown('slack_configs', rest);
  return {
    apiURL: secretRef(api_url_file, ctx),
    channel: String(channel),
    sendResolved: send_resolved === true,
    title: text(title, ctx),
    text: text(body, ctx),
    color: text(color, ctx),
  };
}

function pagerdutyConfig(c: Record<string, unknown>, ctx: ReceiverContext): PagerDutyConfig {
  const { routing_key_file, send_resolved, description, details, ...rest } = c;
  refuseUnknown('pagerduty_configs', rest);
  return {
    routingKey: secretRef(routing_key_file, ctx),
    sendResolved: send_resolved === true,
    description: text(description, ctx),
    details: keyValues(details, ctx),
  };
}

/** SMTP settings are global in alertmanager.yaml; an AlertmanagerConfig carries them per receiver. */
function emailConfig(c: Record<string, unknown>, ctx: ReceiverContext): EmailConfig {
  const { to, send_resolved, headers, html, ...rest } = c;
  refuseUnknown('email_configs', rest);
  const g = ctx.global;
  return {
    to: String(to),
    sendResolved: send_resolved === true,
    ...(g.smtp_smarthost !== undefined ? { smarthost: String(g.smtp_smarthost) } : {}),
    ...(g.smtp_from !== undefined ? { from: String(g.smtp_from) } : {}),
    ...(g.smtp_auth_username !== undefined ? { authUsername: String(g.smtp_auth_username) } : {}),
    ...(g.smtp_auth_password_file !== undefined
      ? { authPassword: secretRef(g.smtp_auth_password_file, ctx) }
      : {}),
    ...(g.smtp_require_tls !== undefined ? { requireTLS: g.smtp_require_tls === true } : {}),
    headers: keyValues(headers, ctx),
    html: text(html, ctx),
  };
}

function webhookConfig(c: Record<string, unknown>, ctx: ReceiverContext): WebhookConfig {
  const { url, send_resolved, http_config, ...rest } = c;
  refuseUnknown('webhook_configs', rest);
  const auth = (http_config as { authorization?: { type?: string; credentials_file?: string } } | undefined)
    ?.authorization;
  const { authorization: _, ...httpRest } = (http_config ?? {}) as Record<string, unknown>;
  refuseUnknown('webhook_configs.http_config', httpRest);
  return {
    url: String(url),
    sendResolved: send_resolved === true,
    ...(auth
      ? {
          httpConfig: {
            authorization: {
              type: auth.type ?? 'Bearer',
              credentials: secretRef(auth.credentials_file, ctx),
            },
          },
        }
      : {}),
  };
}

function toReceiver(r: AmReceiver, ctx: ReceiverContext): Receiver {
  const { name, pagerduty_configs, slack_configs, email_configs, webhook_configs, ...rest } = r;
  refuseUnknown('receivers', rest);
  return {
    name,
    ...(email_configs ? { emailConfigs: email_configs.map((c) => emailConfig(c, ctx)) } : {}),
    ...(pagerduty_configs ? { pagerdutyConfigs: pagerduty_configs.map((c) => pagerdutyConfig(c, ctx)) } : {}),
    ...(slack_configs ? { slackConfigs: slack_configs.map((c) => slackConfig(c, ctx)) } : {}),
    ...(webhook_configs ? { webhookConfigs: webhook_configs.map((c) => webhookConfig(c, ctx)) } : {}),
  };
}

/** `1:7` -> {start: 1, end: 7}, `-1` -> {start: -1, end: -1}. */
const dayRange = (text: string): { start: number; end: number } => {
  const m = /^(-?\d+)(?::(-?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a day-of-month range: ${text}`);
  const start = Number(m[1]);
  return { start, end: m[2] === undefined ? start : Number(m[2]) };
};

/**
 * Time intervals. The operator's time intervals have no location: Alertmanager evaluates them in
 * UTC, so validation accepts only UTC routing for Kubernetes.
 */
function toTimeIntervals(config: AlertmanagerConfig): MuteTimeInterval[] {
  return (config.time_intervals ?? []).map((interval) => ({
    name: interval.name,
    timeIntervals: interval.time_intervals.map((range): TimeRange => {
      if (range.location !== undefined && range.location !== 'UTC')
        throw new Error(`time interval ${interval.name} is not in UTC`);
      return {
        ...(range.weekdays ? { weekdays: [...range.weekdays] } : {}),
        ...(range.times
          ? { times: range.times.map((t) => ({ startTime: t.start_time, endTime: t.end_time })) }
          : {}),
        ...(range.days_of_month ? { daysOfMonth: range.days_of_month.map(dayRange) } : {}),
        ...(range.months ? { months: [...range.months] } : {}),
      };
    }),
  }));
}

export interface AlertmanagerConfigOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly secretsDir: string;
  /** Template bodies by name (`templateBodies` of the notification templates file). */
  readonly templates: ReadonlyMap<string, string>;
}

/** The AlertmanagerConfig object for one namespace. */
export function toAlertmanagerConfigResource(
  config: AlertmanagerConfig,
  options: AlertmanagerConfigOptions,
): AlertmanagerConfigObject {
  const ctx: ReceiverContext = {
    secretsDir: options.secretsDir,
    templates: options.templates,
    global: config.global,
  };
  const intervals = toTimeIntervals(config);
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { name: options.name, namespace: options.namespace, labels: { ...options.labels } },
    spec: {
      route: toRoute(config.route),
      receivers: config.receivers.map((r) => toReceiver(r, ctx)),
      inhibitRules: config.inhibit_rules.map(toInhibitRule),
      ...(intervals.length > 0 ? { muteTimeIntervals: intervals } : {}),
    },
  };
}

/** Secrets the AlertmanagerConfig refers to, sorted: what must exist in its namespace. */
export function referencedSecrets(resource: AlertmanagerConfigObject): SecretRef[] {
  const found = new Map<string, SecretRef>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 2 && typeof o.name === 'string' && typeof o.key === 'string')
        found.set(`${o.name}/${o.key}`, { name: o.name, key: o.key });
      else Object.values(o).forEach(walk);
    }
  };
  walk(resource.spec.receivers);
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, ref]) => ref);
}

/**
 * Alert routing of the environments: receivers without inline secrets, routes that name receivers
 * and time intervals that exist, durations and matchers Alertmanager accepts. Diagnostics name the
 * file that defines the routing (slos/environments.ts) and the field.
 */
import { z } from 'zod';
import type { LoadedExport } from '../load/loaded.ts';
import { type Diagnostic, type Path, type Report, reporter, reportIssues } from '../model/diagnostic.ts';
import type { ResolvedService } from '../model/resolved.ts';
import {
  type AlertRouting,
  type AlertRoutingSpec,
  type EmailReceiverSpec,
  isPagingReceiver,
  type PagerDutyReceiverSpec,
  type ReceiverSpec,
  type RouteMatcher,
  type RouteSpec,
  type RouteTiming,
  type SlackReceiverSpec,
  type SmtpSpec,
  type TimeRangeSpec,
  type WebhookReceiverSpec,
} from '../model/routing.ts';
import type { Environment } from '../model/service.ts';
import { labelRegexProblem } from '../promql/index.ts';
import { urlSecret } from './secrets.ts';
import { checkDuration, checkLabelName, checkName } from './service.ts';
import { checkedElsewhere, duration, shapeOf } from './shape.ts';

/** Field names that carry a secret when given inline (the `*File` fields are fine). */
const SECRET_FIELD = /(url|key|token|password|secret|credential|webhook)/i;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const TIME_OF_DAY = /^([01]\d|2[0-4]):([0-5]\d)$/;
/** Characters that break a quoted Alertmanager matcher or YAML line. */
const UNSAFE_MATCHER_VALUE = /["\n\r\\]/;

const matcher = shapeOf<RouteMatcher>()(
  z.union([
    z.string(),
    z.strictObject({ re: z.string() }),
    z.strictObject({ ne: z.string() }),
    z.strictObject({ nre: z.string() }),
  ]),
);
// Any text: checkTiming parses the durations.
const timingDuration = checkedElsewhere<NonNullable<RouteTiming['groupWait']>>()(z.string());
const timing = shapeOf<RouteTiming>()(
  z.strictObject({
    groupBy: z.array(z.string()).optional(),
    groupWait: timingDuration.optional(),
    groupInterval: timingDuration.optional(),
    repeatInterval: timingDuration.optional(),
  }),
);
const receiverShapes = {
  pagerduty: shapeOf<PagerDutyReceiverSpec>()(
    z.strictObject({
      type: z.literal('pagerduty'),
      routingKeyFile: z.string(),
      sendResolved: z.boolean().optional(),
    }),
  ),
  slack: shapeOf<SlackReceiverSpec>()(
    z.strictObject({
      type: z.literal('slack'),
      channel: z.string(),
      apiUrlFile: z.string(),
      sendResolved: z.boolean().optional(),
    }),
  ),
  email: shapeOf<EmailReceiverSpec>()(
    z.strictObject({ type: z.literal('email'), to: z.string(), sendResolved: z.boolean().optional() }),
  ),
  webhook: shapeOf<WebhookReceiverSpec>()(
    z.strictObject({
      type: z.literal('webhook'),
      url: z.string(),
      credentialsFile: z.string(),
      sendResolved: z.boolean().optional(),
    }),
  ),
} as const satisfies Record<ReceiverSpec['type'], z.ZodType>;
const RECEIVER_FIELDS: Readonly<Record<ReceiverSpec['type'], readonly string[]>> = Object.fromEntries(
  Object.entries(receiverShapes).map(([type, shape]) => [type, Object.keys(shape.shape)]),
) as Record<ReceiverSpec['type'], string[]>;
const receiverTypes = Object.keys(receiverShapes) as [ReceiverSpec['type'], ...ReceiverSpec['type'][]];
const routing = shapeOf<AlertRoutingSpec>()(
  z.strictObject({
    receivers: z.record(
      z.string(),
      // Only the type: checkReceiver checks the rest against the type's shape in receiverShapes,
      // after looking for inline secrets.
      checkedElsewhere<ReceiverSpec>()(
        z.looseObject({
          type: z.enum(receiverTypes, {
            error: (issue) =>
              `unknown receiver type ${JSON.stringify(issue.input)}; expected one of ${receiverTypes.join(', ')}`,
          }),
        }),
      ),
    ),
    routes: z.array(
      shapeOf<RouteSpec>()(
        z.strictObject({
          match: z.record(z.string(), matcher),
          receivers: z.array(z.string()),
          continue: z.boolean().optional(),
          timing: timing.optional(),
          muteTimeIntervals: z.array(z.string()).optional(),
          activeTimeIntervals: z.array(z.string()).optional(),
        }),
      ),
    ),
    defaultReceiver: z.string(),
    timing: timing.optional(),
    timeIntervals: z
      .record(
        z.string(),
        z.array(
          shapeOf<TimeRangeSpec>()(
            z.strictObject({
              weekdays: z.array(z.string()).optional(),
              times: z.array(z.strictObject({ start: z.string(), end: z.string() })).optional(),
              daysOfMonth: z.array(z.string()).optional(),
              months: z.array(z.string()).optional(),
            }),
          ),
        ),
      )
      .optional(),
    timeZone: z.string().optional(),
    smtp: shapeOf<SmtpSpec>()(
      z.strictObject({
        smarthost: z.string(),
        from: z.string(),
        authUsername: z.string().optional(),
        authPasswordFile: z.string().optional(),
        requireTls: z.boolean().optional(),
      }),
    ).optional(),
    resolveTimeout: duration.optional(),
  }),
);

/** The schemas of an alert routing, bound to the authoring interfaces (see shape.ts). */
export const routingSchemas = { routing, receivers: receiverShapes, timing };

/** Where a routing is defined: its own export, the environment's export, or the service file. */
export function originOf(
  alerting: AlertRouting,
  env: Environment,
  svc: ResolvedService,
  exports: readonly LoadedExport[],
): { file: string; path: Path } {
  const own = exports.find((e) => e.value === alerting);
  if (own) return { file: own.file, path: [own.exportName] };
  const byEnv = exports.find((e) => e.value === env);
  if (byEnv) return { file: byEnv.file, path: [byEnv.exportName, 'alerting'] };
  return { file: svc.file, path: ['environments', env.name, 'alerting'] };
}

function checkSecretFile(report: Report, path: Path, file: string | undefined): void {
  if (file !== undefined && !file.startsWith('/'))
    report(
      'receiver/secret-file',
      path,
      `${JSON.stringify(file)} is not an absolute path`,
      'give the absolute path where the secret is mounted: /etc/alertmanager/secrets/<name>',
    );
}

const fileHint = (receiver: string, type: string): string => {
  const field = { slack: 'apiUrlFile', pagerduty: 'routingKeyFile', webhook: 'credentialsFile', email: '' }[
    type
  ];
  return field
    ? `put the secret in a file mounted from a Kubernetes Secret and give ${field}: '/etc/alertmanager/secrets/${receiver}'`
    : 'secrets are never written into the configuration';
};

function checkReceiver(report: Report, path: Path, name: string, receiver: Record<string, unknown>): void {
  checkName(report, path, name, 'receiver name');
  const type = receiver.type as ReceiverSpec['type'];
  const allowed = RECEIVER_FIELDS[type];
  let inline = false;
  for (const [key, value] of Object.entries(receiver)) {
    if (key.endsWith('File') || (type === 'webhook' && key === 'url')) continue;
    const secretName = !allowed.includes(key) && SECRET_FIELD.test(key);
    const url = typeof value === 'string' && /^https?:\/\//i.test(value);
    if (!secretName && !url) continue;
    inline = true;
    report(
      'receiver/inline-secret',
      [...path, key],
      secretName
        ? `inline ${key} in receiver ${name}: secrets are never written into the configuration`
        : `receiver ${name} has a URL inline in ${key}: webhook URLs are secrets`,
      fileHint(name, type),
    );
  }
  if (type === 'webhook' && typeof receiver.url === 'string') {
    const secret = urlSecret(receiver.url);
    if (secret) {
      inline = true;
      report(
        'receiver/inline-secret',
        [...path, 'url'],
        `webhook URL of receiver ${name} cannot be written into the configuration: ${secret}`,
        `use an endpoint without secrets and authenticate with credentialsFile: '/etc/alertmanager/secrets/${name}'`,
      );
    } else if (!/^https?:\/\//i.test(receiver.url))
      report('receiver/url', [...path, 'url'], `${JSON.stringify(receiver.url)} is not an http(s) URL`);
  }
  if (inline) return;
  const shape = receiverShapes[type].safeParse(receiver);
  if (!shape.success) reportIssues(report, shape.error.issues, { at: path });
  for (const key of allowed)
    if (key.endsWith('File')) checkSecretFile(report, [...path, key], receiver[key] as string | undefined);
  if (type === 'slack' && typeof receiver.channel === 'string' && !/^[#@]\S+$/.test(receiver.channel))
    report('receiver/channel', [...path, 'channel'], `${JSON.stringify(receiver.channel)} is not a #channel`);
  if (type === 'email' && typeof receiver.to === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(receiver.to))
    report('receiver/email', [...path, 'to'], `${JSON.stringify(receiver.to)} is not an email address`);
}

function checkTiming(report: Report, path: Path, t: RouteTiming | undefined): void {
  if (!t) return;
  for (const [i, label] of (t.groupBy ?? []).entries())
    if (label !== '...') checkLabelName(report, [...path, 'groupBy', i], label);
  for (const key of ['groupWait', 'groupInterval', 'repeatInterval'] as const) {
    const value = t[key];
    if (value !== undefined && !/^0+[smhd]$/.test(value)) checkDuration(report, [...path, key], value, value);
  }
}

function checkMatcher(report: Report, path: Path, label: string, value: RouteMatcher): void {
  checkLabelName(report, path, label);
  const text =
    typeof value === 'string' ? value : 're' in value ? value.re : 'ne' in value ? value.ne : value.nre;
  if (UNSAFE_MATCHER_VALUE.test(text))
    report(
      'route/matcher',
      path,
      `matcher value ${JSON.stringify(text)} contains a quote, backslash or line break`,
    );
  if (typeof value !== 'string' && !('ne' in value)) {
    const problem = labelRegexProblem(text);
    if (problem)
      report(
        'route/matcher',
        path,
        problem,
        'Alertmanager matches with RE2: no lookarounds or back-references',
      );
  }
}

function rangeOf(text: string, names: readonly string[] | undefined, min: number, max: number): boolean {
  const parts = text.split(':');
  if (parts.length > 2) return false;
  const value = (part: string): number | undefined => {
    const named = names?.indexOf(part.toLowerCase()) ?? -1;
    if (named >= 0) return named + min;
    if (!/^-?\d+$/.test(part)) return undefined;
    return Number(part);
  };
  const values = parts.map(value);
  if (values.some((v) => v === undefined || v < -max || v > max || (v === 0 && min > 0))) return false;
  return values.length === 1 || (values[0] as number) <= (values[1] as number) || (values[0] as number) < 0;
}

function checkTimeRange(report: Report, path: Path, range: TimeRangeSpec): void {
  for (const [i, day] of (range.weekdays ?? []).entries())
    if (!day.split(':').every((d) => WEEKDAYS.includes(d.toLowerCase())))
      report(
        'time-interval/weekday',
        [...path, 'weekdays', i],
        `${JSON.stringify(day)} is not a weekday or range (monday:friday)`,
      );
  for (const [i, month] of (range.months ?? []).entries())
    if (!rangeOf(month, MONTHS, 1, 12))
      report(
        'time-interval/month',
        [...path, 'months', i],
        `${JSON.stringify(month)} is not a month or range (january:march)`,
      );
  for (const [i, day] of (range.daysOfMonth ?? []).entries())
    if (!rangeOf(day, undefined, 1, 31))
      report(
        'time-interval/day',
        [...path, 'daysOfMonth', i],
        `${JSON.stringify(day)} is not a day of month or range (1:7, -1)`,
      );
  for (const [i, t] of (range.times ?? []).entries()) {
    const [start, end] = [TIME_OF_DAY.exec(t.start), TIME_OF_DAY.exec(t.end)];
    if (!start || !end)
      report('time-interval/time', [...path, 'times', i], `times must be HH:MM, got ${t.start}-${t.end}`);
    else if (t.start >= t.end)
      report('time-interval/time', [...path, 'times', i], `start ${t.start} is not before end ${t.end}`);
  }
}

const validTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

function checkRouting(report: Report, path: Path, r: AlertRouting): void {
  const receivers = r.receivers;
  for (const [name, receiver] of Object.entries(receivers))
    checkReceiver(report, [...path, 'receivers', name], name, receiver as unknown as Record<string, unknown>);
  const names = Object.keys(receivers).sort();
  const known = (name: string) => Object.hasOwn(receivers, name);
  const intervals = new Set(Object.keys(r.timeIntervals ?? {}));
  const defaultReceiver = receivers[r.defaultReceiver];
  if (!known(r.defaultReceiver))
    report(
      'route/unknown-receiver',
      [...path, 'defaultReceiver'],
      `receiver ${JSON.stringify(r.defaultReceiver)} does not exist`,
      `defined receivers: ${names.join(', ')}`,
    );
  else if (defaultReceiver && isPagingReceiver(defaultReceiver))
    report(
      'route/default-pages',
      [...path, 'defaultReceiver'],
      `the default receiver ${r.defaultReceiver} pages, and would vanish where the environment does not page`,
      'make a chat receiver the default and page from a route',
    );
  checkTiming(report, [...path, 'timing'], r.timing);
  for (const [i, route] of r.routes.entries()) {
    const at: Path = [...path, 'routes', i];
    if (route.receivers.length === 0)
      report('route/receivers', [...at, 'receivers'], 'a route needs a receiver');
    for (const [j, name] of route.receivers.entries())
      if (!known(name))
        report(
          'route/unknown-receiver',
          [...at, 'receivers', j],
          `route to receiver ${JSON.stringify(name)}, which does not exist`,
          `defined receivers: ${names.join(', ')}`,
        );
    if (new Set(route.receivers).size !== route.receivers.length)
      report('route/receivers', [...at, 'receivers'], 'a receiver is listed twice');
    for (const [label, value] of Object.entries(route.match))
      checkMatcher(report, [...at, 'match', label], label, value);
    checkTiming(report, [...at, 'timing'], route.timing);
    for (const key of ['muteTimeIntervals', 'activeTimeIntervals'] as const)
      for (const [j, name] of (route[key] ?? []).entries())
        if (!intervals.has(name))
          report(
            'route/unknown-time-interval',
            [...at, key, j],
            `time interval ${JSON.stringify(name)} does not exist`,
            intervals.size > 0
              ? `defined time intervals: ${[...intervals].join(', ')}`
              : 'define it in timeIntervals',
          );
  }
  for (const [name, ranges] of Object.entries(r.timeIntervals ?? {})) {
    checkName(report, [...path, 'timeIntervals', name], name, 'time interval name');
    for (const [i, range] of ranges.entries())
      checkTimeRange(report, [...path, 'timeIntervals', name, i], range);
  }
  if (r.timeZone !== undefined && !validTimeZone(r.timeZone))
    report(
      'routing/time-zone',
      [...path, 'timeZone'],
      `${JSON.stringify(r.timeZone)} is not an IANA time zone`,
    );
  const emails = Object.values(receivers).some((x) => x.type === 'email');
  if (emails && !r.smtp)
    report('routing/smtp', [...path, 'smtp'], 'email receivers need smtp settings (smarthost, from)');
  if (r.smtp) {
    if (!/^[^\s:]+:\d+$/.test(r.smtp.smarthost))
      report(
        'routing/smtp',
        [...path, 'smtp', 'smarthost'],
        `${JSON.stringify(r.smtp.smarthost)} is not host:port`,
      );
    checkSecretFile(report, [...path, 'smtp', 'authPasswordFile'], r.smtp.authPasswordFile);
  }
  if (r.resolveTimeout !== undefined)
    checkDuration(report, [...path, 'resolveTimeout'], r.resolveTimeout, '5m');
}

/** Reports inline secrets of receivers and SMTP settings of a routing whose shape is wrong; returns their keys. */
function reportInlineSecrets(report: Report, path: Path, alerting: unknown): Set<string> {
  const keys = new Set<string>();
  const receivers = (alerting as { receivers?: unknown }).receivers;
  if (receivers && typeof receivers === 'object')
    for (const [name, receiver] of Object.entries(receivers)) {
      const type = (receiver as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !Object.hasOwn(RECEIVER_FIELDS, type)) continue;
      checkReceiver(report, [...path, 'receivers', name], name, receiver as Record<string, unknown>);
    }
  const smtp = (alerting as { smtp?: unknown }).smtp;
  if (smtp && typeof smtp === 'object')
    for (const key of Object.keys(smtp))
      if (SECRET_FIELD.test(key) && !key.endsWith('File')) {
        keys.add(key);
        report(
          'receiver/inline-secret',
          [...path, 'smtp', key],
          `inline ${key}: secrets are never written into the configuration`,
          'give authPasswordFile: the absolute path of a mounted secret file',
        );
      }
  return keys;
}

/** Same JSON after sorting keys: two definitions of one receiver or interval agree. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

interface PlacedRouting {
  readonly routing: AlertRouting;
  readonly file: string;
  readonly path: Path;
  readonly services: string[];
}

/**
 * Routings of different teams in one environment share one Alertmanager: each routes only its own
 * services' alerts (a sub-tree matched on `service`), and what is global must agree: a receiver
 * or time interval both name, the SMTP settings, the time zone and resolve timeout. A route that
 * matches another team's service can never see it. Each conflict names both files.
 */
function routingConflicts(env: string, placed: readonly PlacedRouting[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const where = (p: PlacedRouting) => `${p.file} (${p.path.join('.')}, services ${p.services.join(', ')})`;
  placed.forEach((b, j) => {
    for (const a of placed.slice(0, j)) {
      const conflict = (path: Path, what: string, hint: string) =>
        out.push({
          code: 'routing/team-conflict',
          severity: 'error',
          file: b.file,
          path: [...b.path, ...path],
          message: `in environment ${env}, ${what} differs from the one in ${where(a)}; both routings share one Alertmanager`,
          hint,
        });
      for (const [name, receiver] of Object.entries(b.routing.receivers)) {
        const other = a.routing.receivers[name];
        if (other && canonical(other) !== canonical(receiver))
          conflict(
            ['receivers', name],
            `receiver ${name}`,
            'give the receiver another name in one of the routings (receiver names are global), or define it identically',
          );
      }
      for (const [name, ranges] of Object.entries(b.routing.timeIntervals ?? {})) {
        const other = a.routing.timeIntervals?.[name];
        if (other && canonical(other) !== canonical(ranges))
          conflict(['timeIntervals', name], `time interval ${name}`, 'rename one of the time intervals');
      }
      const globals: [keyof AlertRoutingSpec, string][] = [
        ['smtp', 'the SMTP settings'],
        ['timeZone', 'the time zone'],
        ['resolveTimeout', 'resolveTimeout'],
      ];
      for (const [key, what] of globals)
        if (
          a.routing[key] !== undefined &&
          b.routing[key] !== undefined &&
          canonical(a.routing[key]) !== canonical(b.routing[key])
        )
          conflict(
            [key],
            what,
            'global settings of one Alertmanager: set them alike in every routing of the environment',
          );
    }
  });
  const all = new Set(placed.flatMap((p) => p.services));
  for (const p of placed)
    p.routing.routes.forEach((route, i) => {
      const matcher = route.match.service;
      if (typeof matcher !== 'string' || p.services.includes(matcher)) return;
      const owner = placed.find((o) => o.services.includes(matcher));
      out.push({
        code: 'routing/foreign-service',
        severity: 'error',
        file: p.file,
        path: [...p.path, 'routes', i, 'match', 'service'],
        message: `in environment ${env}, the route matches service ${matcher}, ${all.has(matcher) && owner ? `whose alerts are routed by ${where(owner)}` : "which is not among this routing's services"}: it never matches`,
        hint: "a routing sees only the alerts of the services using it; route the other service's alerts in its own routing",
      });
    });
  return out;
}

/**
 * Validates the `alerting` of every environment once per distinct routing object, and that the
 * routings of different teams in one environment can share its Alertmanager.
 */
export function validateRouting(
  services: readonly ResolvedService[],
  exports: readonly LoadedExport[],
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const checked = new Set<unknown>();
  const byEnvName = new Map<string, PlacedRouting[]>();
  for (const svc of services)
    for (const env of svc.environments) {
      const alerting = env.alerting;
      if (alerting === undefined) continue;
      const placedList = byEnvName.get(env.name) ?? [];
      byEnvName.set(env.name, placedList);
      const placed = placedList.find((p) => p.routing === alerting);
      if (placed) placed.services.push(svc.name);
      else
        placedList.push({
          routing: alerting,
          ...originOf(alerting, env, svc, exports),
          services: [svc.name],
        });
      if (checked.has(alerting)) continue;
      checked.add(alerting);
      const { file, path } = originOf(alerting, env, svc, exports);
      const report = reporter(file, diagnostics);
      const shape = routing.safeParse(alerting);
      if (!shape.success) {
        // Inline secrets first: a strict-shape "unrecognized key" would hide what is wrong.
        const secretKeys = reportInlineSecrets(report, path, alerting);
        const issues = shape.error.issues.filter(
          (issue) => issue.code !== 'unrecognized_keys' || !issue.keys.every((k) => secretKeys.has(k)),
        );
        reportIssues(report, issues, {
          at: path,
          code: (issue) =>
            issue.path.at(-1) === 'type' && issue.code === 'invalid_value'
              ? 'receiver/unknown-type'
              : undefined,
        });
        continue;
      }
      checkRouting(report, path, alerting);
    }
  if (diagnostics.length > 0) return diagnostics;
  for (const [env, placed] of [...byEnvName.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (placed.length > 1) diagnostics.push(...routingConflicts(env, placed));
  return diagnostics;
}

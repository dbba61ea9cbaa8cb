/**
 * What a change to the definitions does to the generated output, compared as meaning rather than
 * text: SLOs (objective, period, windows), alerts (severity, thresholds, windows, `for`, the
 * receivers they reach), recording rules, routing (receivers reached per tier and category,
 * receivers, routes) and dashboards (panels and their queries). Pure: both sides are compiled
 * projects.
 */
import { type AlertmanagerConfig, type AmRoute, routeReceivers } from '../../compile/alertmanager/index.ts';
import { isAlertingRule, type RuleFile } from '../../compile/prometheus/index.ts';
import { CATEGORIES, LABEL, SEVERITIES } from '../../conventions.ts';
import type { Document, FileTree } from '../../emit/index.ts';
import type { Project } from '../../model/resolved.ts';
import { formatPercent, formatRational, formatSeconds } from '../../model/units.ts';
import { nodesOf, parsePromql, rangeCalls, unwrap } from '../../promql/index.ts';

export type DiffSection = 'slos' | 'alerts' | 'records' | 'routing' | 'dashboards' | 'files';

/** One thing added, removed or changed, in one environment (or none for SLOs and files). */
export interface Change {
  readonly section: DiffSection;
  /** What changed: `malaria-predictor-api/latency`, `HighErrorRate`, `severity=critical category=errors`. */
  readonly subject: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** `for 2m -> 5m`, or the facts of an added or removed thing. */
  readonly details: readonly string[];
  readonly env?: string;
  /** The service it belongs to; none for the routing and files of an environment. */
  readonly service?: string;
}

/** A compiled project as the comparison sees it. */
export interface Compiled {
  readonly project: Project;
  readonly documents: readonly Document[];
  readonly tree: FileTree;
}

type Facts = Readonly<Record<string, string>>;

interface Keyed {
  readonly env?: string;
  readonly service?: string;
  readonly subject: string;
  readonly facts: Facts;
}

const COMPARISONS = new Set(['>', '<', '>=', '<=', '==', '!=']);

/** Comparisons with a number (`> 0.05`) in an expression: the thresholds. */
function thresholdsOf(expr: string): string[] {
  const parsed = parsePromql(expr);
  if (!parsed.ok) return [];
  const out: string[] = [];
  for (const { node } of nodesOf(parsed.root, 'binary')) {
    if (!COMPARISONS.has(node.op)) continue;
    const rhs = unwrap(node.rhs);
    const lhs = unwrap(node.lhs);
    if (rhs.kind === 'number') out.push(`${node.op} ${parsed.text.slice(rhs.from, rhs.to)}`);
    else if (lhs.kind === 'number') out.push(`${parsed.text.slice(lhs.from, lhs.to)} ${node.op}`);
  }
  return out;
}

/** Ranges the expression reads (`5m`, `1w`). */
function windowsOf(expr: string): string[] {
  const parsed = parsePromql(expr);
  if (!parsed.ok) return [];
  return [...new Set(rangeCalls(parsed.root).map((c) => c.range.rangeText))];
}

const ruleFiles = (documents: readonly Document[]) =>
  documents.flatMap((d) => {
    const [, env, service] = /^prometheus\/([^/]+)\/([^/]+)\.rules\.yaml$/.exec(d.path) ?? [];
    return env !== undefined && service !== undefined && d.format === 'yaml'
      ? [{ env, service, file: d.value as RuleFile }]
      : [];
  });

const alertmanagers = (documents: readonly Document[]) =>
  new Map(
    documents.flatMap((d) => {
      const env = /^alertmanager\/([^/]+)\/alertmanager\.yaml$/.exec(d.path)?.[1];
      return env !== undefined && d.format === 'yaml' ? [[env, d.value as AlertmanagerConfig] as const] : [];
    }),
  );

const WINDOW_LABELS: readonly string[] = [LABEL.longWindow, LABEL.shortWindow, LABEL.burnFactor];

function sloFacts(c: Compiled): Keyed[] {
  return c.project.services.flatMap((svc) =>
    svc.slos.map((slo) => ({
      service: svc.name,
      subject: `${svc.name}/${slo.id}`,
      facts: {
        objective: formatPercent(slo.objective),
        period: formatSeconds(slo.period),
        sli: slo.sli.kind,
        ...(slo.groupBy.length > 0 ? { 'grouped by': slo.groupBy.join(', ') } : {}),
        alerts: [
          slo.alerting.page ? 'page' : '',
          slo.alerting.ticket ? 'ticket' : '',
          slo.alerting.noData ? 'no data' : '',
        ]
          .filter(Boolean)
          .join(', '),
        ...Object.fromEntries(
          slo.windows.map((p, i) => [
            `${p.tier} pair ${i % 2 === 0 ? 1 : 2}`,
            `${formatSeconds(p.long)}/${formatSeconds(p.short)} at ${formatRational(p.factor)}x for ${formatSeconds(p.forSeconds)}`,
          ]),
        ),
      },
    })),
  );
}

function alertFacts(c: Compiled): Keyed[] {
  const configs = alertmanagers(c.documents);
  const out: Keyed[] = [];
  // Keyed by service (from the rule file) too: two services' burn alerts share their names.
  for (const { env, service, file } of ruleFiles(c.documents)) {
    const seen = new Map<string, number>();
    for (const group of file.groups)
      for (const rule of group.rules) {
        if (!isAlertingRule(rule)) continue;
        // Burn alerts share a name and differ by their windows: key them by name, other labels and order.
        const identity = Object.entries(rule.labels)
          .filter(([k]) => !WINDOW_LABELS.includes(k) && k !== LABEL.environment)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        const n = seen.get(identity + rule.alert) ?? 0;
        seen.set(identity + rule.alert, n + 1);
        const name =
          rule.labels[LABEL.burnFactor] !== undefined || n > 0
            ? `${rule.alert} (${rule.labels[LABEL.severity] ?? ''} #${n + 1})`
            : rule.alert;
        const subject = `${service}/${name}`;
        const config = configs.get(env);
        const windows = [
          ...(rule.labels[LABEL.longWindow]
            ? [`${rule.labels[LABEL.longWindow]}/${rule.labels[LABEL.shortWindow]}`]
            : []),
          ...windowsOf(rule.expr),
        ];
        out.push({
          env,
          service,
          subject,
          facts: {
            severity: rule.labels[LABEL.severity] ?? '',
            ...(rule.labels[LABEL.burnFactor] ? { 'burn factor': `${rule.labels[LABEL.burnFactor]}x` } : {}),
            threshold: [...new Set(thresholdsOf(rule.expr))].join(', ') || 'none',
            windows: [...new Set(windows)].join(', ') || 'none',
            for: rule.for ?? '0s',
            ...(config
              ? {
                  receivers: routeReceivers(config.route, { alertname: rule.alert, ...rule.labels }).join(
                    ', ',
                  ),
                }
              : {}),
            expression: rule.expr,
            summary: rule.annotations.summary ?? '',
          },
        });
      }
  }
  return out;
}

function recordFacts(c: Compiled): Keyed[] {
  return ruleFiles(c.documents).flatMap(({ env, service, file }) =>
    file.groups.flatMap((group) =>
      group.rules.flatMap((rule) => {
        if (isAlertingRule(rule)) return [];
        const labels = Object.entries(rule.labels ?? {})
          .filter(([k]) => k !== LABEL.environment)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        return [
          { env, service, subject: `${service}/${rule.record}{${labels}}`, facts: { expression: rule.expr } },
        ];
      }),
    ),
  );
}

/** `[path, value]` of every leaf of a plain object (`slack_configs.0.channel`). */
function leaves(value: unknown, path = ''): [string, string][] {
  if (value === null || typeof value !== 'object') return [[path, String(value)]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

/** One line per route: the matchers from the root down, the receiver, whether it continues. */
function routeLines(route: AmRoute, above: readonly string[] = []): string[] {
  const path = [...above, (route.matchers ?? []).join(', ') || (above.length === 0 ? '(root)' : '(any)')];
  const head = `${path.join(' / ')} -> ${route.receiver}${route.continue ? ' (continue)' : ''}`;
  return [head, ...(route.routes ?? []).flatMap((r) => routeLines(r, path))];
}

function routingFacts(c: Compiled): Keyed[] {
  const out: Keyed[] = [];
  for (const [env, config] of alertmanagers(c.documents)) {
    // Rows always name the service: a second service must not rename the first one's rows.
    const services = c.project.services.filter((s) => s.environments.some((e) => e.name === env));
    for (const svc of services)
      for (const severity of SEVERITIES)
        for (const category of CATEGORIES)
          out.push({
            env,
            service: svc.name,
            subject: `${LABEL.severity}=${severity} ${LABEL.category}=${category} ${LABEL.service}=${svc.name}`,
            facts: {
              receivers: routeReceivers(config.route, {
                [LABEL.severity]: severity,
                [LABEL.category]: category,
                [LABEL.environment]: env,
                [LABEL.service]: svc.name,
              }).join(', '),
            },
          });
    for (const receiver of config.receivers) {
      const { name, ...rest } = receiver;
      out.push({ env, subject: `receiver ${name}`, facts: Object.fromEntries(leaves(rest)) });
    }
    out.push({ env, subject: 'route tree', facts: { routes: routeLines(config.route).join('\n') } });
    out.push({
      env,
      subject: 'inhibit rules',
      facts: {
        'inhibit rules': config.inhibit_rules
          .map(
            (r) =>
              `${r.source_matchers.join(', ')} mutes ${r.target_matchers.join(', ')} (equal ${r.equal.join(', ')})`,
          )
          .join('\n'),
      },
    });
  }
  return out;
}

interface DashboardJson {
  readonly uid?: string;
  /** The service's name first (see buildDashboard). */
  readonly tags?: readonly string[];
  readonly title?: string;
  readonly panels?: {
    readonly type?: string;
    readonly title?: string;
    readonly targets?: { expr?: string }[];
  }[];
}

function dashboardFacts(c: Compiled): Keyed[] {
  return c.documents.flatMap((d) => {
    const env = /^grafana\/([^/]+)\/[^/]+\.json$/.exec(d.path)?.[1];
    if (env === undefined || d.format !== 'json') return [];
    const dash = d.value as DashboardJson;
    const facts: Record<string, string> = { title: dash.title ?? '' };
    for (const panel of dash.panels ?? []) {
      if (panel.type === 'row') continue;
      facts[`panel "${panel.title ?? ''}"`] = (panel.targets ?? []).map((t) => t.expr ?? '').join('\n');
    }
    const service = dash.tags?.[0];
    // The title names the service and, last, the environment: without it the rows of the
    // environments merge.
    const title = (dash.title ?? '').replace(` (${env})`, '');
    const subject = title === '' ? (dash.uid ?? d.path) : title;
    return [{ env, subject, facts, ...(service === undefined ? {} : { service }) }];
  });
}

/** Facts listing one item per line, compared line by line. */
const LINE_FACTS = new Set(['routes', 'inhibit rules']);

/** Lines removed (`-`) and added (`+`) between two texts, in order. */
function lineChanges(key: string, before: string, after: string): string[] {
  const [a, b] = [before.split('\n'), after.split('\n')];
  return [
    ...a.filter((l) => !b.includes(l)).map((l) => `${key} - ${l.trim()}`),
    ...b.filter((l) => !a.includes(l)).map((l) => `${key} + ${l.trim()}`),
  ];
}

/** `key old -> new` for each fact that differs; added and removed facts say so. */
function factChanges(before: Facts, after: Facts): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const out: string[] = [];
  for (const key of keys) {
    const [a, b] = [before[key], after[key]];
    if (a === b) continue;
    if (a === undefined) out.push(`${key} added${key.startsWith('panel') ? '' : `: ${b}`}`);
    else if (b === undefined) out.push(`${key} removed`);
    else if (LINE_FACTS.has(key)) out.push(...lineChanges(key, a, b));
    else if (a.includes('\n') || b.includes('\n') || a.length + b.length > 160) out.push(`${key} changed`);
    else out.push(`${key} ${a} -> ${b}`);
  }
  return out;
}

/** Facts shown for an added or removed thing (the long ones left out). */
const summaryOf = (facts: Facts): string[] =>
  Object.entries(facts)
    .filter(
      ([k, v]) =>
        !['expression', 'summary', 'routes', 'rules', 'settings'].includes(k) &&
        !k.startsWith('panel') &&
        v.length <= 120,
    )
    .map(([k, v]) => `${k} ${v}`);

function compareKeyed(section: DiffSection, before: readonly Keyed[], after: readonly Keyed[]): Change[] {
  const key = (k: Keyed) => `${k.service ?? ''}\u0000${k.env ?? ''}\u0000${k.subject}`;
  const old = new Map(before.map((k) => [key(k), k]));
  const now = new Map(after.map((k) => [key(k), k]));
  const out: Change[] = [];
  for (const [id, b] of now) {
    const a = old.get(id);
    const env = {
      ...(b.env === undefined ? {} : { env: b.env }),
      ...(b.service === undefined ? {} : { service: b.service }),
    };
    if (!a) out.push({ section, subject: b.subject, kind: 'added', details: summaryOf(b.facts), ...env });
    else {
      const details = factChanges(a.facts, b.facts);
      if (details.length > 0) out.push({ section, subject: b.subject, kind: 'changed', details, ...env });
    }
  }
  for (const [id, a] of old)
    if (!now.has(id))
      out.push({
        section,
        subject: a.subject,
        kind: 'removed',
        details: [],
        ...(a.env === undefined ? {} : { env: a.env }),
        ...(a.service === undefined ? {} : { service: a.service }),
      });
  return out;
}

/**
 * Files outside the compared targets (runbooks, promtool tests, templates): one change per
 * directory and kind, naming the files.
 */
function fileChanges(before: FileTree, after: FileTree): Change[] {
  const compared = (p: string) =>
    /^(prometheus|grafana)\//.test(p) || /^alertmanager\/[^/]+\/alertmanager\.yaml$/.test(p);
  const other = (tree: FileTree) => new Map([...tree].filter(([p]) => !compared(p)));
  const [a, b] = [other(before), other(after)];
  const found: { dir: string; name: string; kind: Change['kind'] }[] = [];
  const split = (path: string) => ({
    dir: path.slice(0, path.lastIndexOf('/') + 1),
    name: path.slice(path.lastIndexOf('/') + 1),
  });
  for (const [path, text] of b)
    if (!a.has(path)) found.push({ ...split(path), kind: 'added' });
    else if (a.get(path) !== text) found.push({ ...split(path), kind: 'changed' });
  for (const path of a.keys()) if (!b.has(path)) found.push({ ...split(path), kind: 'removed' });
  const groups = new Map<string, Change>();
  for (const f of found) {
    const key = `${f.dir}\u0000${f.kind}`;
    const seen = groups.get(key);
    groups.set(key, {
      section: 'files',
      subject: f.dir,
      kind: f.kind,
      details: [...(seen?.details ?? []), f.name].sort(),
    });
  }
  return [...groups.values()];
}

const EMPTY: Compiled = { project: { services: [] }, documents: [], tree: new Map() };

/** Every change from `base` (undefined: nothing) to `head`, sorted by section, subject, environment. */
export function diffCompiled(base: Compiled | undefined, head: Compiled): Change[] {
  const b = base ?? EMPTY;
  const changes = [
    ...compareKeyed('slos', sloFacts(b), sloFacts(head)),
    ...compareKeyed('alerts', alertFacts(b), alertFacts(head)),
    ...compareKeyed('records', recordFacts(b), recordFacts(head)),
    ...compareKeyed('routing', routingFacts(b), routingFacts(head)),
    ...compareKeyed('dashboards', dashboardFacts(b), dashboardFacts(head)),
    ...fileChanges(b.tree, head.tree),
  ];
  const order: readonly DiffSection[] = ['slos', 'alerts', 'records', 'routing', 'dashboards', 'files'];
  return changes.sort(
    (x, y) =>
      order.indexOf(x.section) - order.indexOf(y.section) ||
      (x.subject < y.subject ? -1 : x.subject > y.subject ? 1 : 0) ||
      ((x.env ?? '') < (y.env ?? '') ? -1 : (x.env ?? '') > (y.env ?? '') ? 1 : 0),
  );
}

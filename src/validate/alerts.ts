/**
 * Alert catalog definitions in, diagnostics or resolved alerts out. Shape is checked with zod;
 * meaning (names, tiers, templates that Prometheus can parse, PromQL that parses, metrics and
 * labels of the contract, proof data that can prove something) by the checks below. Every problem
 * is collected; nothing throws for bad input.
 */
import { basename, extname } from 'node:path';
import { z } from 'zod';
import {
  ALERT_SEVERITIES,
  burnAlertName,
  CATEGORIES,
  type Category,
  type DashboardKind,
  HEARTBEAT_SEVERITY,
  LABEL,
  noDataAlertName,
  SEVERITIES,
} from '../conventions.ts';
import type { LoadedAlert } from '../load/loaded.ts';
import {
  ALERT_KIND,
  type Alert,
  type AlertExample,
  type AlertExprContext,
  type AlertRunbook,
  type AlertSpec,
  type ExampleSeries,
  type ExpectedAlert,
  type FiringExample,
} from '../model/alert.ts';
import {
  type Diagnostic,
  type Path,
  type Report,
  reporter,
  reportIssues,
  warningAt,
} from '../model/diagnostic.ts';
import type { Matchers, Metric, Selector } from '../model/metrics.ts';
import type { ResolvedAlert, ResolvedService } from '../model/resolved.ts';
import type { Duration } from '../model/units.ts';
import { parsePromql, regexProblemsOf, renderSelector, selectorMatchers, textNear } from '../promql/index.ts';
import {
  engineTemplateFindings,
  engineTemplateMessage,
  templateLabelRefs,
  templateProblem,
} from './go-template.ts';
import { checkDuration, checkLabelName, checkLabels, checkLabelValue } from './service.ts';
import { checkedElsewhere, duration, shapeOf } from './shape.ts';

/** Dashboards an alert can link to. */
const DASHBOARD_KINDS: readonly DashboardKind[] = ['sloOverview', 'service', 'infrastructure', 'business'];

/** Which dashboard an alert's `dashboard_url` opens, by category (a definition may override it). */
const CATEGORY_DASHBOARD: Readonly<Record<Category, DashboardKind>> = {
  slo: 'sloOverview',
  availability: 'service',
  errors: 'service',
  latency: 'service',
  business: 'business',
  data: 'business',
  infrastructure: 'infrastructure',
  deployment: 'service',
  capacity: 'infrastructure',
  security: 'service',
};

/**
 * Which panel of that dashboard an alert's `dashboard_url` opens, by category: panels every
 * service's generated dashboards have. Business panels are the service's own (dashboards/), so a
 * business or data alert names its panel, or opens the business dashboard's first panel.
 */
const CATEGORY_PANEL: Readonly<Partial<Record<Category, string>>> = {
  slo: 'alerts',
  availability: 'requests',
  errors: 'errors',
  latency: 'latency',
  infrastructure: 'cpu',
  deployment: 'requests',
  capacity: 'cpu',
  security: 'errors',
};

/** An alert definition as found in a file, before validation. */
const CAMEL = /^[A-Z][A-Za-z0-9]*$/;
const strRecord = z.record(z.string(), z.string());
const HISTOGRAM_SUFFIXES = ['_bucket', '_count', '_sum'] as const;
/** Labels obsgen sets on every catalog alert; a definition cannot set them. */
const RESERVED_LABELS = [
  'alertname',
  LABEL.severity,
  LABEL.category,
  LABEL.service,
  LABEL.environment,
  LABEL.alertFamily,
];
const RESERVED_ANNOTATIONS = ['summary', 'description', 'runbook_url', 'dashboard_url'];

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${what} is required` : `${what} must be text`;

const exampleSeries = shapeOf<ExampleSeries>()(
  z.strictObject({
    // Any metric with a name: checkExampleSeries looks it up in the service's contract.
    metric: checkedElsewhere<Metric>()(
      z.looseObject({ name: z.string(), type: z.string(), labels: z.array(z.string()) }),
    ),
    labels: z.record(z.string(), z.union([z.string(), z.strictObject({ env: z.string() })])),
    values: z.string(),
    suffix: z.enum(HISTOGRAM_SUFFIXES).optional(),
  }),
);
const example = { series: z.array(exampleSeries), interval: duration.optional() };

const alertShape = shapeOf<AlertSpec & { readonly kind: typeof ALERT_KIND }>()(
  z.strictObject({
    kind: z.literal(ALERT_KIND),
    name: z.string({ error: required('name: a CamelCase alert name,') }),
    severity: z.enum(ALERT_SEVERITIES, {
      error: (issue) =>
        issue.input === undefined
          ? `severity is required: one of ${ALERT_SEVERITIES.join(', ')}`
          : `unknown tier ${JSON.stringify(issue.input)}; expected one of ${ALERT_SEVERITIES.join(', ')}`,
    }),
    category: z.enum(CATEGORIES, {
      error: (issue) =>
        issue.input === undefined
          ? `category is required: one of ${CATEGORIES.join(', ')}`
          : `unknown category ${JSON.stringify(issue.input)}; expected one of ${CATEGORIES.join(', ')}`,
    }),
    service: z.string({ error: required('service (the service name)') }),
    for: checkedElsewhere<Duration>()(z.string({ error: required('for (a duration such as 5m, or 0s)') })),
    summary: z.string({
      error: (issue) =>
        issue.input === undefined
          ? 'summary is required: one static sentence ending with a period'
          : 'summary must be text',
    }),
    description: z.string({ error: required('description (a Prometheus template)') }),
    expr: z.custom<Alert['expr']>((value) => typeof value === 'function', {
      error: 'expr must be a function ({ sel, env }) => PromQL text',
    }),
    groupBy: z.array(z.string()).optional(),
    family: z.string().optional(),
    interval: duration.optional(),
    labels: strRecord.optional(),
    annotations: strRecord.optional(),
    dashboard: z.enum(DASHBOARD_KINDS).optional(),
    panel: z.string().optional(),
    runbook: shapeOf<AlertRunbook>()(
      z.strictObject({
        impact: z.string({ error: required('runbook.impact (why the alert matters)') }),
        steps: z.array(z.string()).optional(),
        kubectl: z.array(z.string()).optional(),
        escalation: z.string().optional(),
      }),
    ),
    examples: z.strictObject({
      firing: shapeOf<FiringExample>()(
        z.strictObject({
          ...example,
          firesWithin: duration,
          alerts: z
            .array(
              shapeOf<ExpectedAlert>()(
                z.strictObject({ labels: strRecord.optional(), description: z.string().optional() }),
              ),
            )
            .optional(),
        }),
      ),
      healthy: shapeOf<AlertExample>()(z.strictObject(example)).optional(),
    }),
  }),
);

/** The schemas of an alert definition, bound to the authoring interfaces (see shape.ts). */
export const alertSchemas = { alert: alertShape, exampleSeries };

/** Readable name of an alert for diagnostic paths: its name, else the export. */
const alertKey = (loaded: LoadedAlert): string => {
  const name = (loaded.value as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : loaded.exportName;
};

/** Reports what is wrong with the shape of an alert; false when there was something. */
function checkShape(report: Report, loaded: LoadedAlert): boolean {
  const result = alertShape.safeParse(loaded.value);
  if (result.success) return true;
  reportIssues(report, result.error.issues, {
    at: [alertKey(loaded)],
    code: (issue) => {
      const field = issue.path.at(-1);
      return field === 'severity' && issue.code === 'invalid_value'
        ? 'alert/unknown-tier'
        : field === 'category' && issue.code === 'invalid_value'
          ? 'alert/unknown-category'
          : issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined
            ? 'alert/missing-field'
            : undefined;
    },
  });
  return false;
}

/** Number of samples promtool expands a values string to, or an error message. */
export function seriesSampleCount(values: string): number | string {
  const tokens = values.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return 'values must not be empty';
  const num = String.raw`[+-]?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Inf|NaN)`;
  const expanding = new RegExp(`^(${num})(?:([+-])(\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?))?x(\\d+)$`);
  const single = new RegExp(`^${num}$`);
  let count = 0;
  for (const token of tokens) {
    if (token === '_' || token === 'stale' || single.test(token)) count += 1;
    else if (/^_x\d+$/.test(token)) count += Number(token.slice(2));
    else {
      const match = expanding.exec(token);
      if (!match) return `${JSON.stringify(token)} is not promtool series notation`;
      count += Number(match[4]) + 1;
    }
  }
  return count;
}

/** The first syntax error of a PromQL expression, or undefined. */
export function promqlProblem(expr: string): string | undefined {
  const parsed = parsePromql(expr);
  if (parsed.ok) return regexProblemsOf(parsed.root)[0];
  const at = parsed.error.offset;
  const near = textNear(expr, at).replaceAll('\n', ' ');
  return at >= expr.length
    ? `unexpected end of expression (near ${JSON.stringify(near)})`
    : `syntax error at ${JSON.stringify(near)}`;
}

interface Usage {
  readonly metric: Metric;
  readonly labels: readonly string[];
}

/** Renders `alert.expr` for one environment, recording every contract selection it makes. */
function renderExpr(
  alert: Alert,
  env: ResolvedService['environments'][number],
): { expr?: string; error?: string; used: Usage[] } {
  const used: Usage[] = [];
  const context: AlertExprContext = {
    env,
    sel: (metric, matchers, suffix) => {
      used.push({ metric, labels: Object.keys(matchers ?? {}) });
      const selection: Selector = { metric, matchers: (matchers ?? {}) as Matchers };
      return renderSelector(`${metric.name}${suffix ?? ''}`, selectorMatchers(selection, env), env);
    },
  };
  try {
    const expr = alert.expr(context);
    if (typeof expr !== 'string' || expr.trim() === '')
      return { error: 'expr must return PromQL text', used };
    return { expr: expr.trim(), used };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: `expr threw: ${message.split('\n')[0]}`, used };
  }
}

function checkTemplate(report: Report, path: Path, text: string, allowed: ReadonlySet<string>): void {
  const problem = templateProblem(text);
  if (problem) {
    const near = text.slice(problem.offset, problem.offset + 40).replaceAll('\n', ' ');
    report(
      'alert/template',
      path,
      `does not parse as a Prometheus template: ${problem.message} (at ${JSON.stringify(near)})`,
      'Prometheus reads annotations as Go templates: {{ $labels.name }}, {{ $value | humanize }}',
    );
    return;
  }
  for (const label of templateLabelRefs(text))
    if (!allowed.has(label))
      report(
        'alert/template-label',
        path,
        `reads $labels.${label}, but the expression does not keep a ${label} label (groupBy: [${[...allowed].join(', ')}])`,
        `keep it in the expression (by (${label})) and list it in groupBy; rule labels such as severity are not in $labels`,
      );
}

function checkExampleSeries(report: Report, path: Path, s: ExampleSeries, svc: ResolvedService): void {
  const declared = svc.metrics[s.metric.name];
  if (!declared) {
    report(
      'metric/unknown',
      [...path, 'metric'],
      `metric ${JSON.stringify(s.metric.name)} is not in the metric contract of ${svc.name}`,
      'declare it in defineMetrics() or fix the name',
    );
    return;
  }
  if (declared.type === 'histogram' && !s.suffix)
    report(
      'alert/example-suffix',
      path,
      `${declared.name} is a histogram: give the series suffix (_bucket, _count or _sum)`,
    );
  if (declared.type !== 'histogram' && s.suffix)
    report('alert/example-suffix', path, `${declared.name} is a ${declared.type}, not a histogram`);
  const allowed = new Set([...declared.labels, ...(s.suffix === '_bucket' ? ['le'] : [])]);
  for (const [label, value] of Object.entries(s.labels)) {
    if (!allowed.has(label))
      report(
        'metric/unknown-label',
        [...path, 'labels', label],
        `label ${JSON.stringify(label)} is not declared on ${declared.name} (declared: ${[...allowed].join(', ')})`,
      );
    if (typeof value === 'string') checkLabelValue(report, [...path, 'labels', label], value);
    else
      for (const env of svc.environments)
        if (env.vars?.[value.env] === undefined)
          report(
            'env/unknown-var',
            [...path, 'labels', label],
            `environment ${env.name} has no vars.${value.env}`,
          );
  }
  if (s.suffix === '_bucket' && s.labels.le === undefined)
    report('alert/example-bucket', [...path, 'labels'], 'a _bucket series needs its le label');
  const count = seriesSampleCount(s.values);
  if (typeof count === 'string') report('alert/example-values', [...path, 'values'], count);
}

/** Seconds the samples of an example span (first to last sample), or undefined when unknown. */
function exampleSpan(seriesList: readonly ExampleSeries[], interval: number): number | undefined {
  const counts = seriesList.map((s) => seriesSampleCount(s.values));
  if (counts.some((c) => typeof c === 'string') || counts.length === 0) return undefined;
  return (Math.max(...(counts as number[])) - 1) * interval;
}

/** Duration or `0s`/`0m`; seconds, or undefined after reporting. */
function checkForDuration(report: Report, path: Path, text: string): number {
  if (/^0+(ms|s|m|h|d|w|y)$/.test(text)) return 0;
  return checkDuration(report, path, text, text);
}

function checkAlert(
  report: Report,
  loaded: LoadedAlert,
  services: ReadonlyMap<string, ResolvedService>,
): ResolvedAlert | undefined {
  const a = loaded.value as Alert;
  const key = alertKey(loaded);
  const at = (...rest: Path): Path => [key, ...rest];
  if (!CAMEL.test(a.name))
    report(
      'alert/name',
      at('name'),
      `alert name ${JSON.stringify(a.name)} is not CamelCase`,
      'start with a capital letter and use letters and digits only: HighErrorRate',
    );
  const tierFile = basename(loaded.file, extname(loaded.file));
  if ((SEVERITIES as readonly string[]).includes(tierFile) && tierFile !== a.severity)
    report(
      'alert/tier-file',
      at('severity'),
      `a ${a.severity} alert in the ${tierFile} tier file`,
      `move it to alerts/${a.severity}.ts or set severity: '${tierFile}'`,
    );
  const forSeconds = checkForDuration(report, at('for'), a.for);
  const intervalSeconds =
    a.interval === undefined ? undefined : checkDuration(report, at('interval'), a.interval, a.interval);
  if (a.summary.trim() === '') report('alert/summary', at('summary'), 'summary must not be empty');
  else if (a.summary.includes('{{'))
    report(
      'alert/summary',
      at('summary'),
      'summary must be static (no templates): it titles notifications that group many alerts',
      'move the values into description',
    );
  else if (!a.summary.trimEnd().endsWith('.'))
    report('alert/summary', at('summary'), 'summary must be one sentence ending with a period');
  if (a.description.trim() === '')
    report('alert/description', at('description'), 'description must not be empty');
  if (a.runbook.impact.trim() === '')
    report('alert/runbook', at('runbook', 'impact'), 'runbook.impact must say why the alert matters');
  const groupBy = a.groupBy ?? [];
  for (const [i, label] of groupBy.entries()) checkLabelName(report, at('groupBy', i), label);
  const family = a.family ?? a.name;
  if (a.family !== undefined && !CAMEL.test(a.family))
    report('alert/family', at('family'), `family ${JSON.stringify(a.family)} is not CamelCase`);
  checkLabels(report, at('labels'), a.labels);
  for (const label of Object.keys(a.labels ?? {}))
    if (RESERVED_LABELS.includes(label))
      report(
        'alert/label-reserved',
        at('labels', label),
        `label ${label} is set by obsgen`,
        `use the ${label === 'alert_family' ? 'family' : label} field`,
      );
  // Prometheus fills `$labels` with the expression's output labels only, not the rule's labels.
  const labelNames = new Set(groupBy);
  checkTemplate(report, at('description'), a.description, labelNames);
  for (const [name, text] of Object.entries(a.annotations ?? {})) {
    if (RESERVED_ANNOTATIONS.includes(name))
      report('alert/annotation-reserved', at('annotations', name), `annotation ${name} is set by obsgen`);
    checkTemplate(report, at('annotations', name), text, labelNames);
  }

  const svc = services.get(a.service);
  if (!svc) {
    report(
      'alert/unknown-service',
      at('service'),
      `no service named ${JSON.stringify(a.service)}`,
      services.size > 0
        ? `defined services: ${[...services.keys()].join(', ')}`
        : 'define the service in slos/',
    );
    return undefined;
  }

  const templates: [Path, string][] = [
    [at('description'), a.description],
    ...Object.entries(a.annotations ?? {}).map(([name, text]): [Path, string] => [
      at('annotations', name),
      text,
    ]),
  ];
  for (const [path, text] of templates)
    for (const finding of engineTemplateFindings(text, svc.environments))
      report(
        'alert/template-engine',
        path,
        engineTemplateMessage(finding),
        'write the annotation with functions every engine of the service defines, or link with the URL fields',
      );

  const exprs: Record<string, string> = {};
  let readsMetrics = false;
  for (const env of svc.environments) {
    const rendered = renderExpr(a, env);
    if (rendered.used.length > 0) readsMetrics = true;
    for (const use of rendered.used) {
      const declared = svc.metrics[use.metric.name];
      if (!declared) {
        report(
          'metric/unknown',
          at('expr'),
          `metric ${JSON.stringify(use.metric.name)} is not in the metric contract of ${svc.name}`,
          'declare it in defineMetrics() or fix the name',
        );
        continue;
      }
      const allowed = new Set([...declared.labels, ...(declared.type === 'histogram' ? ['le'] : [])]);
      for (const label of use.labels)
        if (!allowed.has(label))
          report(
            'metric/unknown-label',
            at('expr'),
            `label ${JSON.stringify(label)} is not declared on ${declared.name} (declared: ${declared.labels.join(', ')})`,
          );
    }
    if (rendered.error !== undefined) {
      report('alert/expr', at('expr'), `in ${env.name}: ${rendered.error}`);
      continue;
    }
    const expr = rendered.expr as string;
    const problem = promqlProblem(expr);
    if (problem)
      report('alert/promql-syntax', at('expr'), `in ${env.name}: PromQL does not parse: ${problem}`);
    exprs[env.name] = expr;
  }

  if (a.severity === HEARTBEAT_SEVERITY && readsMetrics)
    report(
      'alert/severity-none',
      at('severity'),
      `severity ${HEARTBEAT_SEVERITY} is for an always-firing heartbeat, but ${a.name} reads metrics`,
      `no tier route, inhibition or digest takes a ${HEARTBEAT_SEVERITY} alert: give it a tier (critical, warning, info)`,
    );
  const { firing, healthy } = a.examples;
  const firesWithin = checkDuration(report, at('examples', 'firing', 'firesWithin'), firing.firesWithin, '');
  if (!healthy && readsMetrics)
    report(
      'alert/example-healthy',
      at('examples', 'healthy'),
      'examples.healthy is missing: give series on which the alert stays silent',
      'only an alert that reads no metric (the always-firing Watchdog) may leave it out',
    );
  const scenarios = healthy
    ? ([
        ['firing', firing],
        ['healthy', healthy],
      ] as const)
    : ([['firing', firing]] as const);
  for (const [kind, ex] of scenarios) {
    const interval = checkDuration(report, at('examples', kind, 'interval'), ex.interval, '1m');
    if (ex.series.length === 0 && readsMetrics)
      report('alert/example-series', at('examples', kind, 'series'), 'an example needs input series');
    for (const [i, s] of ex.series.entries())
      checkExampleSeries(report, at('examples', kind, 'series', i), s, svc);
    const span = interval > 0 ? exampleSpan(ex.series, interval) : undefined;
    if (span !== undefined && firesWithin > 0 && span < firesWithin)
      report(
        'alert/example-span',
        at('examples', kind, 'series'),
        `the series end after ${span}s, before firesWithin (${firing.firesWithin}): the ${kind} check would read no data`,
        'give samples up to firesWithin',
      );
  }
  if (firesWithin > 0 && firesWithin < forSeconds)
    report(
      'alert/example-fires-within',
      at('examples', 'firing', 'firesWithin'),
      `firesWithin ${firing.firesWithin} is shorter than for ${a.for}: the alert cannot fire by then`,
    );
  const expected = firing.alerts ?? [{}];
  if (expected.length === 0)
    report(
      'alert/example-alerts',
      at('examples', 'firing', 'alerts'),
      'the firing example must expect an alert',
    );
  const groupSet = [...groupBy].sort().join(',');
  for (const [i, exp] of expected.entries()) {
    if (exp.description === undefined && a.description.includes('{{'))
      report(
        'alert/example-description',
        at('examples', 'firing', 'alerts', i, 'description'),
        'the description has templates: state how Prometheus renders it for this alert',
        'write the expected text, values filled in; promtool compares it',
      );
    const keys = Object.keys(exp.labels ?? {})
      .sort()
      .join(',');
    if (keys !== groupSet)
      report(
        'alert/example-labels',
        at('examples', 'firing', 'alerts', i, 'labels'),
        `expected alert labels {${keys}} must be exactly the groupBy labels {${groupSet}}`,
      );
  }

  return {
    name: a.name,
    severity: a.severity,
    category: a.category,
    service: a.service,
    forSeconds,
    intervalSeconds,
    summary: a.summary,
    description: a.description,
    exprs,
    groupBy,
    family,
    labels: a.labels ?? {},
    annotations: a.annotations ?? {},
    dashboard: a.dashboard ?? CATEGORY_DASHBOARD[a.category],
    ...((a.panel ?? CATEGORY_PANEL[a.category]) ? { panel: a.panel ?? CATEGORY_PANEL[a.category] } : {}),
    runbook: {
      impact: a.runbook.impact,
      steps: a.runbook.steps ?? [],
      kubectl: a.runbook.kubectl ?? [],
      escalation: a.runbook.escalation,
    },
    examples: healthy ? { firing, healthy } : { firing },
    file: loaded.file,
  };
}

const severityRank = (s: string): number => (ALERT_SEVERITIES as readonly string[]).indexOf(s);

/** Catalog order: service, category (as listed in CATEGORIES), severity, name. */
export function compareAlerts(a: ResolvedAlert, b: ResolvedAlert): number {
  const keys = (x: ResolvedAlert) =>
    [
      x.service,
      (CATEGORIES as readonly string[]).indexOf(x.category),
      severityRank(x.severity),
      x.name,
    ] as const;
  const [ka, kb] = [keys(a), keys(b)];
  for (let i = 0; i < ka.length; i++) {
    const [x, y] = [ka[i] as string | number, kb[i] as string | number];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Validates the loaded catalog against the validated services. */
export function validateAlerts(
  loaded: readonly LoadedAlert[],
  services: readonly ResolvedService[],
): { diagnostics: Diagnostic[]; alerts: ResolvedAlert[] } {
  const diagnostics: Diagnostic[] = [];
  const byService = new Map(services.map((s) => [s.name, s]));
  const resolved: ResolvedAlert[] = [];
  for (const item of loaded) {
    const report = reporter(item.file, diagnostics);
    if (!checkShape(report, item)) continue;
    const before = diagnostics.length;
    const alert = checkAlert(report, item, byService);
    if (alert && diagnostics.length === before) resolved.push(alert);
  }

  const sloAlerts = new Map<string, string>();
  for (const svc of services)
    for (const slo of svc.slos)
      for (const name of [burnAlertName(slo.id), noDataAlertName(slo.id)]) sloAlerts.set(name, svc.file);
  const firstByName = new Map<string, LoadedAlert>();
  for (const item of loaded) {
    const name = (item.value as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') continue;
    const first = firstByName.get(name);
    if (first)
      diagnostics.push({
        code: 'alert/duplicate',
        severity: 'error',
        file: item.file,
        path: [name, 'name'],
        message: `alert ${name} is also defined in ${first.file} (${first.exportName})`,
        hint: 'an alert name is its runbook file name: give each alert its own name',
      });
    else firstByName.set(name, item);
    const sloFile = sloAlerts.get(name);
    if (sloFile)
      diagnostics.push({
        code: 'alert/name-clash',
        severity: 'error',
        file: item.file,
        path: [name, 'name'],
        message: `${name} is the name of an SLO alert generated from ${sloFile}`,
        hint: 'rename the catalog alert',
      });
  }

  // Inhibition compares groupBy labels: alerts of one family must be split by the same labels.
  const families = new Map<string, ResolvedAlert>();
  for (const alert of resolved) {
    const key = `${alert.service}/${alert.family}`;
    const first = families.get(key);
    if (!first) families.set(key, alert);
    else if ([...first.groupBy].sort().join(',') !== [...alert.groupBy].sort().join(','))
      diagnostics.push({
        code: 'alert/family-scope',
        severity: 'error',
        file: alert.file,
        path: [alert.name, 'groupBy'],
        message: `family ${alert.family} mixes groupBy [${alert.groupBy.join(', ')}] with [${first.groupBy.join(', ')}] of ${first.name} (${first.file})`,
        hint: 'alerts of one family must be split by the same labels, or inhibition cannot pair them',
      });
  }
  // kube-prometheus-stack's InfoInhibitor mutes the severity=info alerts of a healthy namespace.
  for (const alert of resolved)
    if (alert.severity === 'info' && alert.examples.healthy === undefined)
      diagnostics.push(
        warningAt(
          alert.file,
          [alert.name, 'severity'],
          'alert/heartbeat-severity',
          `${alert.name} always fires, at severity info: kube-prometheus-stack's default InfoInhibitor mutes info alerts of a namespace while nothing worse fires there, so this heartbeat goes quiet exactly when all is well`,
          `set severity: '${HEARTBEAT_SEVERITY}', as kube-prometheus labels its Watchdog`,
        ),
      );
  resolved.sort(compareAlerts);
  return { diagnostics, alerts: resolved };
}

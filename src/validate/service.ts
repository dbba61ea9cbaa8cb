/**
 * Definitions in, diagnostics or a resolved model out. Shape is checked with zod; meaning (units,
 * references into the metric contract, safe label values) by the checks below. Every problem is
 * collected; nothing throws for bad input.
 */

import { z } from 'zod';
import {
  DEFAULT_CLUSTER_LABEL,
  DEFAULT_EVALUATION_INTERVAL,
  DEFAULT_SCRAPE_INTERVAL,
  LABEL,
} from '../conventions.ts';
import type { LoadedService } from '../load/loaded.ts';
import { type Diagnostic, type Path, type Report, reporter, reportIssues } from '../model/diagnostic.ts';
import type { KubernetesSpec } from '../model/kubernetes.ts';
import type { Matchers, MatcherValue, Metric, Selector } from '../model/metrics.ts';
import type { Project, ResolvedService, ResolvedSlo } from '../model/resolved.ts';
import type { AlertRouting } from '../model/routing.ts';
import {
  clusterLabelOf,
  type defineService,
  type Environment,
  type EnvironmentSpec,
  RULE_ENGINES,
  type RuleEngine,
  type RulerSpec,
  type SERVICE_KIND,
  type Service,
} from '../model/service.ts';
import type {
  ExplicitBurnWindow,
  FreshnessSli,
  LatencySli,
  ProbeSli,
  RatioSli,
  RawSli,
  Sli,
  Slo,
  SloAlerting,
  SloSpec,
  ThresholdSli,
} from '../model/slo.ts';
import { sampleKindOf, sliSelectors } from '../model/slo.ts';
import {
  compare,
  durationProblem,
  formatPeriod,
  formatRational,
  formatSeconds,
  humanizeSeconds,
  parseDurationMs,
  type Rational,
  rational,
  rationalOf,
  sub,
  toNumber,
} from '../model/units.ts';
import {
  baseWindow,
  burnWindowPairs,
  defaultWindowPolicy,
  errorRatioThreshold,
  explicitWindowPairs,
  firstPage,
  type WindowPair,
  WORKBOOK_PERIOD_RANGE,
  workbookFits,
} from '../model/windows.ts';
import { labelRegexProblem, parsePromql, regexProblemsOf } from '../promql/index.ts';
import { engineTemplateFindings, engineTemplateMessage, templateProblem } from './go-template.ts';
import { urlSecret } from './secrets.ts';
import { checkedElsewhere, duration, shapeOf } from './shape.ts';

const DEFAULT_PERIOD = '30d';

const KEBAB = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Characters that break PromQL strings, `{{ $labels.x }}` templates or one-line YAML. */
const UNSAFE_LABEL_VALUE = /["\n\r{}\\]/;

const strRecord = z.record(z.string(), z.string());
const matcherValue = shapeOf<MatcherValue>()(
  z.union([
    z.string(),
    z.strictObject({ re: z.string() }),
    z.strictObject({ ne: z.string() }),
    z.strictObject({ nre: z.string() }),
    z.strictObject({ env: z.string() }),
  ]),
);
const matchers = shapeOf<Matchers>()(z.record(z.string(), matcherValue));
const metric = shapeOf<Metric>()(
  z.strictObject({
    name: z.string(),
    type: z.enum(['counter', 'gauge', 'histogram', 'summary']),
    labels: z.array(z.string()),
    help: z.string(),
    buckets: z.array(z.number()).optional(),
    unit: z.string().optional(),
    constLabels: strRecord.optional(),
    values: z.record(z.string(), z.array(z.string())).optional(),
  }),
);
const selector = shapeOf<Selector>()(z.strictObject({ metric, matchers }));

const sliShapes = {
  ratio: shapeOf<RatioSli>()(
    z.strictObject({
      kind: z.literal('ratio'),
      bad: selector.optional(),
      good: selector.optional(),
      total: selector,
    }),
  ),
  latency: shapeOf<LatencySli>()(
    z.strictObject({
      kind: z.literal('latency'),
      // Any metric type: checkSelector reports a histogram field naming no histogram (metric/type).
      histogram: checkedElsewhere<LatencySli['histogram']>()(selector),
      threshold: z.number(),
    }),
  ),
  probe: shapeOf<ProbeSli>()(z.strictObject({ kind: z.literal('probe'), gauge: selector })),
  freshness: shapeOf<FreshnessSli>()(
    z.strictObject({ kind: z.literal('freshness'), timestamp: selector, maxAge: duration }),
  ),
  threshold: shapeOf<ThresholdSli>()(
    z.strictObject({ kind: z.literal('threshold'), gauge: selector, below: z.number() }),
  ),
  raw: shapeOf<RawSli>()(
    z.strictObject({
      kind: z.literal('raw'),
      bad: z.string(),
      total: z.string(),
      samples: z.enum(['requests', 'time']).optional(),
    }),
  ),
} as const satisfies Record<Sli['kind'], z.ZodType>;

export const SLI_KINDS = Object.keys(sliShapes) as [Sli['kind'], ...Sli['kind'][]];

// Only the kind: shapeDiagnostics checks the rest against the kind's shape in sliShapes.
const sliKind = checkedElsewhere<Sli>()(
  z.looseObject({
    kind: z.enum(SLI_KINDS, {
      error: (issue) =>
        `unknown SLI kind ${JSON.stringify(issue.input)}; expected one of ${SLI_KINDS.join(', ')}`,
    }),
  }),
);

const slo = shapeOf<SloSpec>()(
  z.strictObject({
    id: z.string(),
    description: z.string(),
    objective: z.number(),
    period: duration.optional(),
    sli: sliKind,
    groupBy: z.array(z.string()).optional(),
    alerting: shapeOf<SloAlerting>()(
      z.strictObject({
        windows: z
          .array(
            shapeOf<ExplicitBurnWindow>()(
              z.strictObject({
                long: duration,
                short: duration.optional(),
                factor: z.number(),
                severity: z.enum(['critical', 'warning']),
                for: duration.optional(),
              }),
            ),
          )
          .optional(),
        page: z.boolean().optional(),
        ticket: z.boolean().optional(),
        noData: z.boolean().optional(),
        labels: strRecord.optional(),
        annotations: strRecord.optional(),
        runbookUrl: z.string().optional(),
        pageWithin: duration.optional(),
      }),
    ).optional(),
    windows: z.enum(['workbook', 'scaled']).optional(),
  }),
);

const environment = shapeOf<EnvironmentSpec>()(
  z.strictObject({
    name: z.string(),
    namespace: z.string(),
    paging: z.boolean().optional(),
    selectorLabels: strRecord.optional(),
    vars: strRecord.optional(),
    runbookBaseUrl: z.string(),
    grafanaBaseUrl: z.string(),
    ruleSelectorLabels: strRecord.optional(),
    clusters: z
      .strictObject({
        label: z.string().optional(),
        aggregate: z.enum(['per-cluster', 'global']).optional(),
      })
      .optional(),
    // validateKubernetes (kubernetes.ts) checks it and names the file defining it.
    kubernetes: checkedElsewhere<KubernetesSpec>()(z.unknown()).optional(),
    // validateRouting (routing.ts) checks it and names the file defining it.
    alerting: checkedElsewhere<AlertRouting>()(z.unknown()).optional(),
    engine: z.enum(RULE_ENGINES).optional(),
    ruler: shapeOf<RulerSpec>()(
      z.strictObject({
        queryOffset: duration.optional(),
        partialResponseStrategy: z.enum(['warn', 'abort']).optional(),
        tenant: z.string().optional(),
        namespace: z.string().optional(),
      }),
    ).optional(),
  }),
);

const service = shapeOf<ReturnType<typeof defineService>>()(
  z.strictObject({
    // Any text: definitions are told apart by kind before they are validated.
    kind: checkedElsewhere<typeof SERVICE_KIND>()(z.string()),
    name: z.string(),
    team: z.string(),
    description: z.string().optional(),
    environments: z.array(environment),
    metrics: z.record(z.string(), metric),
    slos: z.array(slo),
    scrapeInterval: duration.optional(),
    evaluationInterval: duration.optional(),
  }),
);

/** The schemas of a service definition, bound to the authoring interfaces (see shape.ts). */
export const serviceSchemas = { service, environment, slo, sli: sliShapes, metric, selector, matchers };

/** Readable path: SLOs and environments by id instead of array index. */
function readablePath(value: unknown, path: readonly PropertyKey[]): Path {
  const out: Path = [];
  let node: unknown = value;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<PropertyKey, unknown>)[key as PropertyKey]
        : undefined;
    const prev = path[i - 1];
    if (typeof key === 'number' && (prev === 'slos' || prev === 'environments')) {
      const named = node as { id?: unknown; name?: unknown } | undefined;
      const id = prev === 'slos' ? named?.id : named?.name;
      out.pop();
      out.push(typeof id === 'string' && id !== '' ? id : `${String(prev)}[${key}]`);
      continue;
    }
    out.push(typeof key === 'symbol' ? key.toString() : (key as string | number));
  }
  return out;
}

function reportShape(report: Report, value: unknown): void {
  const result = service.safeParse(value);
  const issues = result.success ? [] : result.error.issues;
  const slos = (value as { slos?: unknown[] } | undefined)?.slos;
  // An SLI whose kind is known gets its kind's strict shape checked too.
  const sliIssues = Array.isArray(slos)
    ? slos.flatMap((s, i) => {
        const sli = (s as { sli?: { kind?: unknown } } | undefined)?.sli;
        const shape = sliShapes[sli?.kind as keyof typeof sliShapes];
        if (!shape) return [];
        const parsed = shape.safeParse(sli);
        return parsed.success
          ? []
          : parsed.error.issues.map((issue) => ({ ...issue, path: ['slos', i, 'sli', ...issue.path] }));
      })
    : [];
  reportIssues(report, [...issues, ...sliIssues], {
    path: (issue) => readablePath(value, issue.path),
    code: (issue) =>
      issue.code === 'invalid_value' && issue.path.at(-1) === 'kind' ? 'sli/unknown-kind' : undefined,
  });
}

export function checkDuration(
  report: Report,
  path: Path,
  text: string | undefined,
  fallback: string,
): number {
  const value = text ?? fallback;
  const problem = durationProblem(value);
  if (problem === 'zero') {
    report('duration/zero', path, `${JSON.stringify(value)} is zero; this needs a positive duration`);
    return 0;
  }
  if (problem === 'too-long') {
    report(
      'duration/too-long',
      path,
      `${JSON.stringify(value)} is longer than Prometheus accepts (292 years)`,
    );
    return 0;
  }
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    report(
      'duration/malformed',
      path,
      `${JSON.stringify(value)} is not a duration`,
      'write whole numbers with units, largest unit first and each unit once: 30d, 6h, 1h30m, 30s',
    );
    return 0;
  }
  if (ms % 1000 !== 0) {
    report(
      'duration/sub-second',
      path,
      `${JSON.stringify(value)} is not a whole number of seconds`,
      'use whole seconds: 30s, 1m',
    );
  }
  return ms / 1000;
}

export function checkName(report: Report, path: Path, value: string, what: string): void {
  if (value === '')
    report(
      'name/empty',
      path,
      `${what} must not be empty`,
      'use a lower-case kebab name such as malaria-predictor-api',
    );
  else if (!KEBAB.test(value))
    report(
      'name/format',
      path,
      `${what} ${JSON.stringify(value)} is not a lower-case kebab name`,
      'use a-z, 0-9 and inner dashes only',
    );
}

export function checkLabelValue(report: Report, path: Path, value: string): void {
  if (UNSAFE_LABEL_VALUE.test(value)) {
    report(
      'label/unsafe-value',
      path,
      `label value ${JSON.stringify(value)} contains a quote, backslash, brace or line break`,
      'label values must be one plain line: they are spliced into PromQL, alert templates and YAML',
    );
  }
}

export function checkLabelName(report: Report, path: Path, name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__'))
    report(
      'label/name',
      path,
      `${JSON.stringify(name)} is not a valid label name`,
      'use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __',
    );
}

export function checkLabels(
  report: Report,
  path: Path,
  labels: Readonly<Record<string, string>> | undefined,
): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    checkLabelName(report, [...path, key], key);
    checkLabelValue(report, [...path, key], value);
  }
}

const EXPECTED_TYPES: Record<string, readonly Metric['type'][]> = {
  bad: ['counter'],
  good: ['counter'],
  total: ['counter'],
  histogram: ['histogram'],
  gauge: ['gauge'],
  timestamp: ['gauge'],
};

function checkSelector(
  report: Report,
  path: Path,
  role: string,
  sel: Selector,
  contract: Readonly<Record<string, Metric>>,
  environments: readonly Environment[],
): void {
  const declared = contract[sel.metric.name];
  if (!declared) {
    report(
      'metric/unknown',
      [...path, 'metric'],
      `metric ${JSON.stringify(sel.metric.name)} is not in the service's metric contract`,
      'declare it in defineMetrics() or fix the name',
    );
    return;
  }
  const expected = EXPECTED_TYPES[role] ?? [];
  if (!expected.includes(declared.type))
    report(
      'metric/type',
      [...path, 'metric'],
      `${role} needs a ${expected.join(' or ')}, but ${declared.name} is a ${declared.type}`,
    );
  for (const [label, value] of Object.entries(sel.matchers) as [string, MatcherValue][]) {
    if (!declared.labels.includes(label))
      report(
        'metric/unknown-label',
        [...path, 'matchers', label],
        `label ${JSON.stringify(label)} is not declared on ${declared.name} (declared: ${declared.labels.join(', ')})`,
      );
    if (typeof value === 'string') checkLabelValue(report, [...path, 'matchers', label], value);
    else if ('env' in value) {
      for (const env of environments)
        if (env.vars?.[value.env] === undefined)
          report(
            'env/unknown-var',
            [...path, 'matchers', label],
            `environment ${env.name} has no vars.${value.env}`,
            `add vars: { ${value.env}: '...' } to the ${env.name} environment`,
          );
    } else if ('ne' in value) checkLabelValue(report, [...path, 'matchers', label], value.ne);
    else {
      const problem = labelRegexProblem('re' in value ? value.re : value.nre);
      if (problem)
        report(
          'metric/regex',
          [...path, 'matchers', label],
          problem,
          'Prometheus matches label values with RE2: no lookarounds, back-references or possessive quantifiers',
        );
    }
  }
}

function checkSlo(
  report: Report,
  path: Path,
  s: Slo,
  svc: Service,
  scrape: number,
  evaluation: number,
): ResolvedSlo {
  checkName(report, [...path, 'id'], s.id, 'SLO id');
  if (s.description.trim() === '')
    report('slo/description', [...path, 'description'], 'description must not be empty');
  let objectiveOk = true;
  if (!(s.objective > 0 && s.objective < 1)) {
    objectiveOk = false;
    // 99.9 for 99.9%: the common slip. Values such as 1.5 are no percentage anyone means.
    const percent = s.objective >= 50 && s.objective < 100;
    report(
      'slo/objective-range',
      [...path, 'objective'],
      `must be a fraction in (0, 1), got ${s.objective}`,
      percent ? `write ${rationalText(s.objective / 100)} for ${s.objective}%` : 'write 0.999 for 99.9%',
    );
  }
  const period = checkDuration(report, [...path, 'period'], s.period, DEFAULT_PERIOD);
  const sli = s.sli;
  const sliPath = [...path, 'sli'];
  const contract = svc.metrics;
  for (const [role, sel] of sliSelectors(sli))
    checkSelector(report, [...sliPath, role], role, sel, contract, svc.environments);
  if (sli.kind === 'ratio' && (sli.bad === undefined) === (sli.good === undefined))
    report(
      'sli/ratio-events',
      sliPath,
      'a ratio SLI needs exactly one of bad and good',
      'give bad (failed events) or good (successful events), not both',
    );
  if (sli.kind === 'latency') {
    const buckets = contract[sli.histogram.metric.name]?.buckets ?? [];
    if (!buckets.includes(sli.threshold))
      report(
        'sli/latency-bucket',
        [...sliPath, 'threshold'],
        `${sli.threshold} is not a bucket of ${sli.histogram.metric.name} (buckets: ${buckets.join(', ')})`,
        'the threshold must be an exact bucket bound, or the SLI cannot be computed',
      );
  }
  if (sli.kind === 'freshness') checkDuration(report, [...sliPath, 'maxAge'], sli.maxAge, sli.maxAge);
  if (sli.kind === 'raw') {
    for (const role of ['bad', 'total'] as const)
      if (!sli[role].includes('{{.window}}') && !sli[role].includes('{{ .window }}'))
        report(
          'sli/raw-window',
          [...sliPath, role],
          'raw PromQL must contain the {{.window}} placeholder',
          'write rate(x[{{.window}}]) so the base window is filled in',
        );
      else {
        const parsed = parsePromql(sli[role].replaceAll(/\{\{ ?\.window ?\}\}/g, '5m'));
        for (const problem of parsed.ok ? regexProblemsOf(parsed.root) : [])
          report('sli/regex', [...sliPath, role], problem);
      }
  }
  const groupBy = s.groupBy ?? [];
  for (const [i, label] of groupBy.entries()) {
    checkLabelName(report, [...path, 'groupBy', i], label);
    for (const [role, sel] of sliSelectors(sli)) {
      const declared = contract[sel.metric.name];
      if (declared && !declared.labels.includes(label))
        report(
          'slo/group-label',
          [...path, 'groupBy', i],
          `grouping label ${JSON.stringify(label)} is not declared on ${declared.name} (${role})`,
        );
    }
  }
  checkLabels(report, [...path, 'alerting', 'labels'], s.alerting?.labels);
  if (s.alerting?.runbookUrl !== undefined)
    checkUrl(report, [...path, 'alerting', 'runbookUrl'], s.alerting.runbookUrl);
  for (const [name, text] of Object.entries(s.alerting?.annotations ?? {})) {
    const problem = templateProblem(text);
    if (problem)
      report(
        'slo/annotation-template',
        [...path, 'alerting', 'annotations', name],
        `does not parse as a Prometheus template: ${problem.message}`,
        'Prometheus reads annotations as Go templates: {{ $labels.name }}, {{ $value | humanize }}',
      );
    for (const finding of engineTemplateFindings(text, svc.environments))
      report(
        'slo/annotation-template-engine',
        [...path, 'alerting', 'annotations', name],
        engineTemplateMessage(finding),
        'write the annotation with functions every engine of the service defines',
      );
  }
  const objective = objectiveOk ? rationalOf(s.objective) : rational(999n, 1000n);
  const errorBudget = sub(rational(1n), objective);
  const policy = s.windows ?? defaultWindowPolicy(period);
  const explicit = s.alerting?.windows;
  if (!explicit && policy === 'workbook' && period > 0 && !workbookFits(period))
    report(
      'slo/window-policy',
      [...path, 'windows'],
      `the workbook windows (1h/5m, 6h/30m, 1d/2h, 3d/6h) are written for periods of ${formatPeriod(WORKBOOK_PERIOD_RANGE.min)} to ${formatPeriod(WORKBOOK_PERIOD_RANGE.max)}, not ${formatPeriod(period)}: their burn rates would spend a different share of the budget than they say`,
      "write windows: 'scaled' (windows scaled with the period), or a period of 28d to 30d",
    );
  const windows =
    period > 0 && scrape > 0 && evaluation > 0
      ? explicit
        ? checkedExplicitWindows(report, [...path, 'alerting', 'windows'], explicit, scrape, evaluation)
        : burnWindowPairs({
            period,
            scrapeInterval: scrape,
            evaluationInterval: evaluation,
            errorBudget,
            samples: sampleKindOf(sli),
            policy,
          })
      : [];
  const alerting = {
    page: s.alerting?.page ?? true,
    ticket: s.alerting?.ticket ?? true,
    noData: s.alerting?.noData ?? true,
    labels: s.alerting?.labels ?? {},
    annotations: s.alerting?.annotations ?? {},
    runbookUrl: s.alerting?.runbookUrl,
  };
  if (objectiveOk) {
    for (const [i, pair] of windows.entries()) {
      const at: Path = explicit ? [...path, 'alerting', 'windows', i] : [...path, 'alerting', pair.tier];
      const enabled = pair.tier === 'page' ? alerting.page : alerting.ticket;
      const threshold = errorRatioThreshold(pair, errorBudget);
      if (enabled && pair.long > period)
        report(
          'slo/window-exceeds-period',
          at,
          `the ${pair.tier} window ${formatSeconds(pair.long)} is longer than the ${formatSeconds(period)} period: at this objective one bad sample needs ${formatSeconds(pair.long)} of good ones to stay under the ${toNumber(pair.factor)}x threshold`,
          `scrape more often, lengthen the period, or set alerting.${pair.tier}: false`,
        );
      if (enabled && compare(threshold, rational(1n)) >= 0)
        report(
          'slo/unreachable-burn',
          at,
          `the ${pair.tier} burn rate ${toNumber(pair.factor)}x needs an error ratio of ${toNumber(threshold)}, which can never be reached with objective ${s.objective}`,
          `raise the objective or set alerting.${pair.tier}: false`,
        );
    }
    checkPageWithin(
      report,
      [...path, 'alerting', 'pageWithin'],
      s.alerting?.pageWithin,
      windows,
      alerting.page,
      errorBudget,
      period,
    );
  }
  return {
    id: s.id,
    description: s.description,
    objective,
    errorBudget,
    period,
    sli,
    groupBy,
    alerting,
    windows,
    baseWindow: windows.length > 0 ? baseWindow(windows) : 0,
  };
}

/**
 * A stated detection bound (`alerting.pageWithin`) holds: a total outage pages by then with the
 * windows chosen, `for` included, as `explain` computes it.
 */
function checkPageWithin(
  report: Report,
  path: Path,
  bound: string | undefined,
  windows: readonly WindowPair[],
  page: boolean,
  errorBudget: Rational,
  period: number,
): void {
  if (bound === undefined) return;
  const seconds = checkDuration(report, path, bound, bound);
  if (seconds <= 0 || windows.length === 0) return;
  const first = page ? firstPage(windows, errorBudget, period) : undefined;
  const after = first?.firesAfterSeconds;
  if (after === undefined)
    report(
      'slo/page-too-late',
      path,
      `a total outage never pages (${page ? 'no page pair can fire at this objective' : 'alerting.page is false'}), but the SLO states it pages within ${bound}`,
      'enable alerting.page, or remove the bound',
    );
  else if (after > seconds)
    report(
      'slo/page-too-late',
      path,
      `a total outage pages after ${humanizeSeconds(Math.ceil(after))} (the ${formatSeconds(first?.pair.long ?? 0)}/${formatSeconds(first?.pair.short ?? 0)} pair, its for ${formatSeconds(first?.pair.forSeconds ?? 0)} included), later than the stated ${bound}`,
      "see `obsgen explain` for what chose the windows; a shorter window policy (windows: 'scaled' for short periods), explicit alerting.windows, or a looser bound",
    );
}

/** The pairs an SLO writes out; each must have a positive factor, short <= long, and be unique. */
function checkedExplicitWindows(
  report: Report,
  path: Path,
  specs: readonly ExplicitBurnWindow[],
  scrape: number,
  evaluation: number,
): WindowPair[] {
  if (specs.length === 0) {
    report(
      'slo/windows-empty',
      path,
      'an empty window list gives no burn alerts',
      'leave windows out for the derived pairs, or set alerting.page and alerting.ticket to false',
    );
    return [];
  }
  const parsed = specs.map((w, i) => {
    const at = [...path, i];
    const long = checkDuration(report, [...at, 'long'], w.long, w.long);
    const short =
      w.short === undefined ? undefined : checkDuration(report, [...at, 'short'], w.short, w.short);
    // `for: 0s` is a real choice here (an imported alert that fires on its first evaluation).
    const forSeconds =
      w.for === undefined
        ? undefined
        : /^0+(ms|s|m|h|d|w|y)$/.test(w.for)
          ? 0
          : checkDuration(report, [...at, 'for'], w.for, w.for);
    if (!(long > 0)) report('slo/window-range', [...at, 'long'], 'the long window must be longer than 0s');
    if (short !== undefined && !(short > 0 && short <= long))
      report(
        'slo/window-range',
        [...at, 'short'],
        `the short window ${w.short} must be longer than 0s and not longer than the long window ${w.long}`,
      );
    if (!(Number.isFinite(w.factor) && w.factor > 0))
      report('slo/window-factor', [...at, 'factor'], `burn factor must be a number above 0, got ${w.factor}`);
    return {
      long,
      ...(short !== undefined ? { short } : {}),
      factor: Number.isFinite(w.factor) && w.factor > 0 ? rationalOf(w.factor) : rational(1n),
      severity: w.severity,
      ...(forSeconds !== undefined ? { forSeconds } : {}),
    };
  });
  const pairs = explicitWindowPairs(parsed, scrape, evaluation);
  const seen = new Set<string>();
  for (const [i, p] of pairs.entries()) {
    const key = `${p.long}/${p.short}/${formatRational(p.factor)}`;
    if (seen.has(key))
      report(
        'slo/window-duplicate',
        [...path, i],
        `a second pair over ${formatSeconds(p.long)}/${formatSeconds(p.short)} at ${formatRational(p.factor)}x: both would compile to the same alert labels`,
      );
    seen.add(key);
  }
  return pairs;
}

const rationalText = (n: number): string => Number(n.toPrecision(12)).toString();

/** A URL written into every alert: http(s), and no secret in any part of it. */
function checkUrl(report: Report, path: Path, text: string): void {
  const secret = urlSecret(text);
  if (secret)
    report(
      'url/secret',
      path,
      `this URL cannot be written into the alerts: ${secret}`,
      'alert annotations are read by everyone who gets a notification: give a URL without credentials, query string or fragment',
    );
  else if (!/^https?:\/\//i.test(text))
    report('url/scheme', path, `${JSON.stringify(text)} is not an http(s) URL`);
}

/** Labels obsgen sets on its series and alerts: a cluster label of the same name would be overwritten. */
const OWN_LABELS: readonly string[] = Object.values(LABEL);

function checkClusters(report: Report, path: Path, env: Environment): void {
  const label = clusterLabelOf(env);
  if (label === undefined) return;
  checkLabelName(report, [...path, 'label'], label);
  if (OWN_LABELS.includes(label))
    report(
      'env/cluster-label',
      [...path, 'label'],
      `${JSON.stringify(label)} is a label obsgen sets itself, not one that tells clusters apart`,
      `name the label your clusters' series carry (an external label such as ${DEFAULT_CLUSTER_LABEL})`,
    );
  if (env.selectorLabels?.[label] !== undefined)
    report(
      'env/cluster-pinned',
      ['environments', env.name, 'selectorLabels', label],
      `selectorLabels pins ${label}=${JSON.stringify(env.selectorLabels[label])}, but clusters says the environment spans several`,
      `drop one: selectorLabels.${label} for one cluster, or clusters to keep every cluster apart`,
    );
}

function checkEnvironment(report: Report, path: Path, env: Environment): void {
  checkName(report, [...path, 'name'], env.name, 'environment name');
  checkUrl(report, [...path, 'runbookBaseUrl'], env.runbookBaseUrl);
  checkUrl(report, [...path, 'grafanaBaseUrl'], env.grafanaBaseUrl);
  checkLabelValue(report, [...path, 'namespace'], env.namespace);
  if (env.namespace === '') report('env/namespace', [...path, 'namespace'], 'namespace must not be empty');
  checkLabels(report, [...path, 'selectorLabels'], env.selectorLabels);
  checkLabels(report, [...path, 'ruleSelectorLabels'], env.ruleSelectorLabels);
  checkClusters(report, [...path, 'clusters'], env);
  for (const [key, value] of Object.entries(env.vars ?? {}))
    checkLabelValue(report, [...path, 'vars', key], value);
  checkRuler(report, [...path, 'ruler'], env.engine ?? 'prometheus', env.ruler ?? {});
}

/** Why an engine refuses a query offset, and what to do instead; undefined where it takes one. */
const QUERY_OFFSET_REFUSAL: Readonly<Record<RuleEngine, { why: string; hint: string } | undefined>> = {
  prometheus: {
    why: 'promtool 2.42 rejects a rule group with query_offset, and a Prometheus evaluates the samples it scraped itself',
    hint: 'remove it; set it for an environment whose engine is thanos-ruler or mimir',
  },
  vmalert: {
    why: 'vmalert rule groups have no query_offset field (vmalert -dryRun refuses it)',
    hint: 'start vmalert with -datasource.lookback=<offset> instead (newer vmalert: -rule.evalDelay)',
  },
  'thanos-ruler': undefined,
  mimir: undefined,
};

/** A Mimir tenant ID or rule namespace: what Mimir accepts in `X-Scope-OrgID`, and safe as a folder name. */
const MIMIR_NAME = /^[A-Za-z0-9!_.*'()-]{1,150}$/;

function checkRuler(report: Report, path: Path, engine: RuleEngine, ruler: RulerSpec): void {
  const refuse = (field: keyof RulerSpec, only: RuleEngine) =>
    report(
      'env/ruler-setting',
      [...path, field],
      `${field} applies to engine ${JSON.stringify(only)} only; this environment's engine is ${JSON.stringify(engine)}`,
      `remove ${field}, or set engine: '${only}'`,
    );
  if (ruler.queryOffset !== undefined) {
    const refusal = QUERY_OFFSET_REFUSAL[engine];
    if (refusal)
      report(
        'env/query-offset',
        [...path, 'queryOffset'],
        `engine ${JSON.stringify(engine)} cannot take a query offset: ${refusal.why}`,
        refusal.hint,
      );
    else checkDuration(report, [...path, 'queryOffset'], ruler.queryOffset, ruler.queryOffset);
  }
  if (ruler.partialResponseStrategy !== undefined && engine !== 'thanos-ruler')
    refuse('partialResponseStrategy', 'thanos-ruler');
  for (const field of ['tenant', 'namespace'] as const) {
    const value = ruler[field];
    if (value === undefined) continue;
    if (engine !== 'mimir') refuse(field, 'mimir');
    else if (!MIMIR_NAME.test(value) || value === '.' || value === '..')
      report(
        'env/mimir-name',
        [...path, field],
        `${JSON.stringify(value)} is not a Mimir ${field}: use letters, digits and !-_.*'() (at most 150), not . or ..`,
      );
  }
}

/** Validates one loaded service; returns its diagnostics and, when there are no errors, the model. */
export function validateService(loaded: LoadedService): {
  diagnostics: Diagnostic[];
  service?: ResolvedService;
} {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(loaded.file, diagnostics);
  reportShape(report, loaded.value);
  if (diagnostics.length > 0) return { diagnostics };
  const svc = loaded.value as Service;
  checkName(report, ['name'], svc.name, 'service name');
  if (svc.team.trim() === '') report('service/team', ['team'], 'team must not be empty');
  const scrape = checkDuration(report, ['scrapeInterval'], svc.scrapeInterval, DEFAULT_SCRAPE_INTERVAL);
  const evaluation = checkDuration(
    report,
    ['evaluationInterval'],
    svc.evaluationInterval,
    DEFAULT_EVALUATION_INTERVAL,
  );
  if (svc.environments.length === 0)
    report('service/environments', ['environments'], 'a service needs at least one environment');
  const envNames = new Set<string>();
  for (const env of svc.environments) {
    checkEnvironment(report, ['environments', env.name], env);
    if (env.engine === 'mimir' && env.ruler?.tenant === undefined && !MIMIR_NAME.test(svc.team))
      report(
        'env/mimir-name',
        ['environments', env.name, 'ruler', 'tenant'],
        `the default Mimir tenant is the team, and ${JSON.stringify(svc.team)} is not a tenant ID (letters, digits and !-_.*'() only)`,
        'set ruler: { tenant: ... } on the environment',
      );
    if (envNames.has(env.name))
      report(
        'env/duplicate',
        ['environments', env.name],
        `environment ${JSON.stringify(env.name)} is listed twice`,
      );
    envNames.add(env.name);
  }
  for (const [key, m] of Object.entries(svc.metrics)) {
    if (m.name !== key) report('metric/name', ['metrics', key], `declared under ${key} but named ${m.name}`);
    for (const label of m.labels) checkLabelName(report, ['metrics', key, 'labels'], label);
    if (m.type === 'histogram' && (m.buckets ?? []).length === 0)
      report('metric/buckets', ['metrics', key, 'buckets'], 'a histogram needs its bucket bounds');
  }
  if (svc.slos.length === 0) report('service/slos', ['slos'], 'a service needs at least one SLO');
  const seen = new Map<string, number>();
  const slos = svc.slos.map((s, i) => {
    const path: Path = [s.id || `slos[${i}]`];
    const first = seen.get(s.id);
    if (first !== undefined)
      report(
        'slo/duplicate-id',
        [...path, 'id'],
        `SLO id ${JSON.stringify(s.id)} is defined twice in this service (slos[${first}] and slos[${i}])`,
      );
    else seen.set(s.id, i);
    return checkSlo(report, path, s, svc, scrape, evaluation);
  });
  if (diagnostics.length > 0) return { diagnostics };
  return {
    diagnostics,
    service: {
      name: svc.name,
      team: svc.team,
      description: svc.description ?? '',
      environments: svc.environments,
      metrics: svc.metrics,
      slos,
      scrapeInterval: scrape,
      evaluationInterval: evaluation,
      file: loaded.file,
    },
  };
}

/** Validates every loaded service and the rules that span files (one definition per service name). */
export function validateProject(loaded: readonly LoadedService[]): {
  diagnostics: Diagnostic[];
  project?: Project;
} {
  const results = loaded.map(validateService);
  const diagnostics = results.flatMap((r) => r.diagnostics);
  const byName = new Map<string, LoadedService>();
  for (const item of loaded) {
    const name = (item.value as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') continue;
    const first = byName.get(name);
    if (first)
      diagnostics.push({
        code: 'service/duplicate',
        severity: 'error',
        file: item.file,
        path: ['name'],
        message: `service ${JSON.stringify(name)} is also defined in ${first.file} (${first.exportName})`,
        hint: 'each service is defined once; merge the SLOs into one definition',
      });
    else byName.set(name, item);
  }
  if (loaded.length === 0)
    diagnostics.push({
      code: 'project/empty',
      severity: 'error',
      file: 'slos/',
      path: [],
      message: 'no service definitions found',
      hint: 'export defineService({...}) from a .ts file in slos/',
    });
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const services = results.flatMap((r) => (r.service ? [r.service] : []));
  services.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { diagnostics, project: { services } };
}

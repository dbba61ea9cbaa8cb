/**
 * Dashboard definitions in, diagnostics or services with their dashboards out. Shape is checked
 * with zod; references (service, contract metrics and labels, metric types) by the checks below.
 */
import { z } from 'zod';
import { DASHBOARD_UID } from '../conventions.ts';
import type { LoadedService } from '../load/loaded.ts';
import type {
  BusinessPanel,
  BusinessRow,
  BusinessSpec,
  DASHBOARDS_KIND,
  DashboardsSpec,
  defineDashboards,
  InfrastructureSpec,
  NetworkSpec,
  RedSpec,
  ResolvedDashboards,
  UsageSpec,
} from '../model/dashboards.ts';
import { type Diagnostic, type Path, type Report, reporter, reportIssues } from '../model/diagnostic.ts';
import type { Metric, MetricType, Selector } from '../model/metrics.ts';
import type { Project, ResolvedService } from '../model/resolved.ts';
import { parseDurationMs } from '../model/units.ts';
import { serviceSchemas } from './service.ts';
import { checkedElsewhere, duration, shapeOf } from './shape.ts';

const KEY = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const selector = shapeOf<Selector>()(
  z.strictObject({
    // Any metric with a name: checkSelector looks it up in the service's contract.
    metric: checkedElsewhere<Metric>()(
      z.looseObject({ name: z.string(), type: z.string(), labels: z.array(z.string()) }),
    ),
    matchers: serviceSchemas.matchers,
  }),
);
const labels = z.array(z.string()).optional();
const usage = shapeOf<UsageSpec>()(
  z.strictObject({ usage: selector, limit: selector, by: z.string().optional() }),
);
const common = {
  key: z.string(),
  title: z.string(),
  description: z.string().optional(),
  unit: z.string().optional(),
  threshold: z.number().optional(),
};
const panel = shapeOf<BusinessPanel>()(
  z.discriminatedUnion('kind', [
    z.strictObject({
      ...common,
      kind: z.literal('value'),
      series: selector,
      by: labels,
      aggregate: z.enum(['max', 'min', 'avg', 'sum']).optional(),
    }),
    z.strictObject({
      key: common.key,
      title: common.title,
      description: common.description,
      kind: z.literal('age'),
      timestamp: selector,
      by: labels,
      maxAge: duration.optional(),
    }),
    z.strictObject({ ...common, kind: z.literal('rate'), counter: selector, by: labels }),
    z.strictObject({ ...common, kind: z.literal('query'), expr: z.string(), legend: z.string().optional() }),
  ]),
);
const dashboards = shapeOf<ReturnType<typeof defineDashboards>>()(
  z.strictObject({
    // Any text: definitions are told apart by kind before they are validated.
    kind: checkedElsewhere<typeof DASHBOARDS_KIND>()(z.string()),
    service: z.string(),
    red: shapeOf<RedSpec>()(
      z.strictObject({
        requests: selector,
        errors: selector,
        duration: selector,
        by: z.string().optional(),
        quantiles: z.array(z.number()).optional(),
        errorRatioThreshold: z.number().optional(),
        latencyThreshold: z.number().optional(),
      }),
    ).optional(),
    infrastructure: shapeOf<InfrastructureSpec>()(
      z.strictObject({
        cpu: usage.optional(),
        memory: usage.optional(),
        disk: usage.optional(),
        network: shapeOf<NetworkSpec>()(
          z.strictObject({ receive: selector, transmit: selector, by: z.string().optional() }),
        ).optional(),
        threshold: z.number().optional(),
      }),
    ).optional(),
    business: shapeOf<BusinessSpec>()(
      z.strictObject({
        rows: z.array(shapeOf<BusinessRow>()(z.strictObject({ title: z.string(), panels: z.array(panel) }))),
      }),
    ).optional(),
  }),
);

/** The schemas of a dashboards definition, bound to the authoring interfaces (see shape.ts). */
export const dashboardSchemas = { dashboards, panel, selector };

/** Checks that a selector names a contract metric of an allowed type and only its labels. */
function checkSelector(
  report: Report,
  path: Path,
  sel: Selector,
  svc: ResolvedService,
  types: readonly MetricType[],
): Metric | undefined {
  const declared = svc.metrics[sel.metric.name];
  if (!declared) {
    report(
      'dashboards/unknown-metric',
      path,
      `metric ${JSON.stringify(sel.metric.name)} is not in the metric contract of ${svc.name} (${svc.file})`,
      'declare it in defineMetrics({...}) of the service',
    );
    return undefined;
  }
  if (!types.includes(declared.type))
    report(
      'dashboards/metric-type',
      path,
      `${declared.name} is a ${declared.type}; this field needs a ${types.join(' or ')}`,
    );
  for (const label of Object.keys(sel.matchers))
    if (!declared.labels.includes(label))
      report(
        'dashboards/unknown-label',
        [...path, 'matchers', label],
        `${declared.name} has no label ${JSON.stringify(label)} (declared: ${declared.labels.join(', ')})`,
      );
  return declared;
}

function checkLabels(
  report: Report,
  path: Path,
  wanted: readonly string[],
  metrics: readonly (Metric | undefined)[],
): void {
  const unique = new Map(metrics.flatMap((m) => (m ? [[m.name, m] as const] : [])));
  for (const metric of unique.values()) {
    const have = metric.type === 'histogram' ? [...metric.labels, 'le'] : metric.labels;
    for (const label of wanted)
      if (!have.includes(label))
        report(
          'dashboards/unknown-label',
          path,
          `${metric.name} has no label ${JSON.stringify(label)} to break down by (declared: ${metric.labels.join(', ')})`,
        );
  }
}

function checkFraction(report: Report, path: Path, value: number | undefined): void {
  if (value !== undefined && !(value > 0 && value < 1))
    report('dashboards/fraction', path, `must be a fraction in (0, 1), got ${value}`, 'write 0.05 for 5%');
}

function checkPanel(report: Report, path: Path, p: BusinessPanel, svc: ResolvedService): void {
  switch (p.kind) {
    case 'value':
      checkLabels(report, [...path, 'by'], p.by ?? [], [
        checkSelector(report, [...path, 'series'], p.series, svc, ['gauge']),
      ]);
      return;
    case 'age':
      checkLabels(report, [...path, 'by'], p.by ?? [], [
        checkSelector(report, [...path, 'timestamp'], p.timestamp, svc, ['gauge']),
      ]);
      if (p.maxAge !== undefined && parseDurationMs(p.maxAge) === undefined)
        report('duration/malformed', [...path, 'maxAge'], `${JSON.stringify(p.maxAge)} is not a duration`);
      return;
    case 'rate':
      checkLabels(report, [...path, 'by'], p.by ?? [], [
        checkSelector(report, [...path, 'counter'], p.counter, svc, ['counter']),
      ]);
      return;
    case 'query':
      if (p.expr.trim() === '') report('dashboards/empty-query', [...path, 'expr'], 'the query is empty');
      return;
  }
}

function checkDefinition(report: Report, spec: DashboardsSpec, svc: ResolvedService): void {
  const { red, infrastructure: infra, business } = spec;
  if (red) {
    const requests = checkSelector(report, ['red', 'requests'], red.requests, svc, ['counter']);
    const errors = checkSelector(report, ['red', 'errors'], red.errors, svc, ['counter']);
    const duration = checkSelector(report, ['red', 'duration'], red.duration, svc, ['histogram']);
    checkLabels(report, ['red', 'by'], [red.by ?? 'handler'], [requests, errors, duration]);
    (red.quantiles ?? []).forEach((q, i) => {
      checkFraction(report, ['red', 'quantiles', i], q);
    });
    checkFraction(report, ['red', 'errorRatioThreshold'], red.errorRatioThreshold);
  }
  if (infra) {
    for (const resource of ['cpu', 'memory', 'disk'] as const) {
      const u = infra[resource];
      if (!u) continue;
      const used = checkSelector(report, ['infrastructure', resource, 'usage'], u.usage, svc, [
        'counter',
        'gauge',
      ]);
      const limit = checkSelector(report, ['infrastructure', resource, 'limit'], u.limit, svc, ['gauge']);
      checkLabels(report, ['infrastructure', resource, 'by'], [u.by ?? 'pod'], [used, limit]);
    }
    if (infra.network) {
      const n = infra.network;
      checkLabels(
        report,
        ['infrastructure', 'network', 'by'],
        [n.by ?? 'pod'],
        [
          checkSelector(report, ['infrastructure', 'network', 'receive'], n.receive, svc, ['counter']),
          checkSelector(report, ['infrastructure', 'network', 'transmit'], n.transmit, svc, ['counter']),
        ],
      );
    }
    checkFraction(report, ['infrastructure', 'threshold'], infra.threshold);
  }
  const keys = new Map<string, string>();
  business?.rows.forEach((row, r) => {
    for (const p of row.panels) {
      const path: Path = ['business', 'rows', r, 'panels', p.key];
      if (!KEY.test(p.key))
        report(
          'dashboards/panel-key',
          [...path, 'key'],
          `panel key ${JSON.stringify(p.key)} is not lower-case kebab`,
          'write a key such as model-accuracy',
        );
      const first = keys.get(p.key);
      if (first !== undefined)
        report(
          'dashboards/duplicate-key',
          [...path, 'key'],
          `panel key ${JSON.stringify(p.key)} is also used by the panel ${JSON.stringify(first)}`,
        );
      else keys.set(p.key, p.title);
      checkPanel(report, path, p, svc);
    }
  });
}

/**
 * Validates the loaded dashboard definitions against the validated project; returns the project
 * with each service's dashboards attached when there are no errors.
 */
export function validateDashboards(
  loaded: readonly LoadedService[],
  project: Project,
): { diagnostics: Diagnostic[]; project?: Project } {
  const diagnostics: Diagnostic[] = [];
  const attached = new Map<string, ResolvedDashboards>();
  const firstFile = new Map<string, string>();
  for (const item of loaded) {
    const report = reporter(item.file, diagnostics);
    const shape = dashboards.safeParse(item.value);
    if (!shape.success) {
      reportIssues(report, shape.error.issues);
      continue;
    }
    const spec = item.value as DashboardsSpec;
    const svc = project.services.find((s) => s.name === spec.service);
    if (!svc) {
      report(
        'dashboards/unknown-service',
        ['service'],
        `no service named ${JSON.stringify(spec.service)} is defined`,
        `defined services: ${project.services.map((s) => s.name).join(', ')}`,
      );
      continue;
    }
    const first = firstFile.get(svc.name);
    if (first !== undefined) {
      report(
        'dashboards/duplicate',
        ['service'],
        `the dashboards of ${svc.name} are also defined in ${first}`,
        'define each service’s dashboards once',
      );
      continue;
    }
    firstFile.set(svc.name, item.file);
    checkDefinition(report, spec, svc);
    attached.set(svc.name, {
      ...(spec.red ? { red: spec.red } : {}),
      ...(spec.infrastructure ? { infrastructure: spec.infrastructure } : {}),
      ...(spec.business ? { business: spec.business } : {}),
      file: item.file,
    });
  }
  if (diagnostics.length > 0) return { diagnostics };
  const services = project.services.map((svc) => {
    const own = attached.get(svc.name);
    return own ? { ...svc, dashboards: own } : svc;
  });
  const collisions = uidCollisions(services);
  if (collisions.length > 0) return { diagnostics: collisions };
  return { diagnostics, project: { ...project, services } };
}

/** A dashboard the project will generate: its uid and the definition it comes from. */
interface PlannedDashboard {
  readonly uid: string;
  readonly file: string;
  readonly path: Path;
  readonly what: string;
}

/** Every dashboard of a service in an environment, by the uid the Grafana target will give it. */
function plannedDashboards(svc: ResolvedService, env: string): PlannedDashboard[] {
  const boards = svc.dashboards;
  const own = (kind: 'service' | 'infrastructure' | 'business', key: string): PlannedDashboard[] =>
    boards?.[key as 'red' | 'infrastructure' | 'business']
      ? [
          {
            uid: DASHBOARD_UID[kind](svc.name, env),
            file: boards.file,
            path: [key],
            what: `${svc.name} ${key}`,
          },
        ]
      : [];
  return [
    {
      uid: DASHBOARD_UID.sloOverview(svc.name, env),
      file: svc.file,
      path: ['name'],
      what: `${svc.name} SLO overview`,
    },
    ...svc.slos.map((slo, i) => ({
      uid: DASHBOARD_UID.sloDetail(svc.name, slo.id, env),
      file: svc.file,
      path: ['slos', i, 'id'],
      what: `${svc.name} SLO ${slo.id}`,
    })),
    ...own('service', 'red'),
    ...own('infrastructure', 'infrastructure'),
    ...own('business', 'business'),
  ];
}

/**
 * Two dashboards of one environment with the same uid (one would overwrite the other in Grafana
 * and in generated/): refused, naming both definitions.
 */
function uidCollisions(services: readonly ResolvedService[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const envs = [...new Set(services.flatMap((s) => s.environments.map((e) => e.name)))].sort();
  for (const env of envs) {
    const seen = new Map<string, PlannedDashboard>();
    for (const svc of services) {
      if (!svc.environments.some((e) => e.name === env)) continue;
      for (const board of plannedDashboards(svc, env)) {
        const first = seen.get(board.uid);
        if (!first) {
          seen.set(board.uid, board);
          continue;
        }
        diagnostics.push({
          code: 'dashboards/duplicate-uid',
          severity: 'error',
          file: board.file,
          path: board.path,
          message: `the ${board.what} dashboard of ${env} gets uid ${JSON.stringify(board.uid)}, as does the ${first.what} dashboard (${first.file}: ${first.path.join('.')})`,
          hint: 'rename the SLO id or service so their dashboard names differ',
        });
      }
    }
  }
  return diagnostics;
}

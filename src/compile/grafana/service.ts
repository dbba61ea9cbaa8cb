/**
 * Dashboards from dashboards/ definitions: service (RED), infrastructure and business. Every
 * series goes through the metric contract; rates use Grafana's `$__rate_interval`.
 */
import { DASHBOARD_UID, dashboardTitle } from '../../conventions.ts';
import type { BusinessPanel, InfrastructureSpec, RedSpec, UsageSpec } from '../../model/dashboards.ts';
import type { Selector } from '../../model/metrics.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { durationSeconds, formatNumber, formatPercent, rationalOf } from '../../model/units.ts';
import { timeseries } from './panels.ts';
import type { DashboardPlan, PanelPlan, RowPlan } from './plan.ts';
import { aggregate, contractSeries, legendOf, RATE_INTERVAL } from './queries.ts';

/** Defaults of dashboards/ definitions. */
const DASHBOARD_DEFAULTS = {
  redBy: 'handler',
  quantiles: [0.5, 0.95, 0.99],
  usageBy: 'pod',
  /** Share of a resource limit drawn as the warning line (the catalog warns at 80%). */
  usageThreshold: 0.8,
} as const;

/** Panel keys of the RED and infrastructure dashboards (business keys come from the definitions). */
export const SERVICE_PANEL = {
  requests: 'requests',
  errors: 'errors',
  /** Latency at quantile q (0.95 -> `latency-p95`). */
  latency: (q: number) => `latency-p${formatNumber(q * 100).replace('.', '-')}`,
  cpu: 'cpu',
  memory: 'memory',
  disk: 'disk',
  network: 'network',
} as const;

const rate = (sel: Selector, env: Environment, name?: string): string =>
  `rate(${contractSeries(sel, env, name)}[${RATE_INTERVAL}])`;

const widthOf = (count: number): number => (count >= 3 ? 8 : 24 / Math.max(count, 1));

function redRows(spec: RedSpec, env: Environment): RowPlan[] {
  const by = spec.by ?? DASHBOARD_DEFAULTS.redBy;
  const quantiles = spec.quantiles ?? DASHBOARD_DEFAULTS.quantiles;
  const requests = aggregate([by], rate(spec.requests, env));
  const errors = aggregate([by], rate(spec.errors, env));
  const bucket = aggregate([by, 'le'], rate(spec.duration, env, `${spec.duration.metric.name}_bucket`));
  const latencyLine =
    spec.latencyThreshold === undefined ? [] : [{ value: spec.latencyThreshold, color: 'red' }];
  return [
    {
      title: 'Requests and errors',
      panels: [
        {
          key: SERVICE_PANEL.requests,
          build: () =>
            timeseries({
              title: `Request rate by ${by}`,
              description: `Requests per second (${spec.requests.metric.name}).`,
              queries: [{ expr: requests, legend: legendOf([by]) }],
              unit: 'reqps',
              min: 0,
              width: 12,
              height: 8,
            }),
        },
        {
          key: SERVICE_PANEL.errors,
          build: () =>
            timeseries({
              title: `Error ratio by ${by}`,
              description: `Failed requests over all requests${spec.errorRatioThreshold === undefined ? '' : `; the line is ${formatPercent(rationalOf(spec.errorRatioThreshold))}`}.`,
              // A handler without failures has no error series: count it as 0, not as missing.
              queries: [{ expr: `(${errors} or 0 * ${requests}) / ${requests}`, legend: legendOf([by]) }],
              unit: 'percentunit',
              min: 0,
              thresholds:
                spec.errorRatioThreshold === undefined
                  ? []
                  : [{ value: spec.errorRatioThreshold, color: 'red' }],
              width: 12,
              height: 8,
            }),
        },
      ],
    },
    {
      title: 'Latency',
      panels: quantiles.map(
        (q): PanelPlan => ({
          key: SERVICE_PANEL.latency(q),
          build: () =>
            timeseries({
              title: `p${formatNumber(q * 100)} latency by ${by}`,
              description: `${formatNumber(q * 100)}th percentile of ${spec.duration.metric.name}, interpolated within histogram buckets.`,
              queries: [
                { expr: `histogram_quantile(${formatNumber(q)}, ${bucket})`, legend: legendOf([by]) },
              ],
              unit: 's',
              min: 0,
              thresholds: latencyLine,
              width: widthOf(quantiles.length),
              height: 8,
            }),
        }),
      ),
    },
  ];
}

/** Usage over limit per `by` value; counters (CPU seconds) are rated first. */
function usagePanel(
  key: string,
  what: string,
  spec: UsageSpec,
  threshold: number,
  env: Environment,
): PanelPlan {
  const by = spec.by ?? DASHBOARD_DEFAULTS.usageBy;
  const used = spec.usage.metric.type === 'counter' ? rate(spec.usage, env) : contractSeries(spec.usage, env);
  return {
    key,
    build: () =>
      timeseries({
        title: `${what} usage / limit by ${by}`,
        description: `${spec.usage.metric.name} over ${spec.limit.metric.name}; the line is ${formatPercent(rationalOf(threshold))} of the limit.`,
        queries: [
          {
            expr: `${aggregate([by], used)} / ${aggregate([by], contractSeries(spec.limit, env))}`,
            legend: legendOf([by]),
          },
        ],
        unit: 'percentunit',
        min: 0,
        thresholds: [{ value: threshold, color: 'orange' }],
        width: 12,
        height: 8,
      }),
  };
}

function infrastructureRows(spec: InfrastructureSpec, env: Environment): RowPlan[] {
  const threshold = spec.threshold ?? DASHBOARD_DEFAULTS.usageThreshold;
  const limits: PanelPlan[] = [];
  if (spec.cpu) limits.push(usagePanel(SERVICE_PANEL.cpu, 'CPU', spec.cpu, threshold, env));
  if (spec.memory) limits.push(usagePanel(SERVICE_PANEL.memory, 'Memory', spec.memory, threshold, env));
  if (spec.disk) limits.push(usagePanel(SERVICE_PANEL.disk, 'Disk', spec.disk, threshold, env));
  const rows: RowPlan[] = limits.length > 0 ? [{ title: 'Resources against limits', panels: limits }] : [];
  const net = spec.network;
  if (net) {
    const by = net.by ?? DASHBOARD_DEFAULTS.usageBy;
    rows.push({
      title: 'Network',
      panels: [
        {
          key: SERVICE_PANEL.network,
          build: () =>
            timeseries({
              title: `Network throughput by ${by}`,
              description:
                'Bytes received and sent per second (Kubernetes sets no network limit to compare with).',
              queries: [
                { expr: aggregate([by], rate(net.receive, env)), legend: legendOf([by], 'receive') },
                { expr: aggregate([by], rate(net.transmit, env)), legend: legendOf([by], 'transmit') },
              ],
              unit: 'Bps',
              min: 0,
              width: 24,
              height: 8,
            }),
        },
      ],
    });
  }
  return rows;
}

function businessPanel(
  p: BusinessPanel,
  width: number,
  env: Environment,
  origin: readonly (string | number)[],
): PanelPlan {
  const plan = (build: PanelPlan['build']): PanelPlan => ({ key: p.key, build, origin });
  const line = (value: number | undefined) => (value === undefined ? [] : [{ value, color: 'red' }]);
  const common = { title: p.title, description: p.description ?? '', width, height: 8 };
  switch (p.kind) {
    case 'value':
      return plan(() =>
        timeseries({
          ...common,
          queries: [
            {
              expr: aggregate(p.by ?? [], contractSeries(p.series, env), p.aggregate ?? 'max'),
              legend: legendOf(p.by ?? []),
            },
          ],
          unit: p.unit ?? 'short',
          thresholds: line(p.threshold),
        }),
      );
    case 'age':
      return plan(() =>
        timeseries({
          ...common,
          queries: [
            {
              expr: `time() - ${aggregate(p.by ?? [], contractSeries(p.timestamp, env), 'max')}`,
              legend: legendOf(p.by ?? []),
            },
          ],
          unit: 's',
          min: 0,
          thresholds: line(p.maxAge === undefined ? undefined : durationSeconds(p.maxAge)),
        }),
      );
    case 'rate':
      return plan(() =>
        timeseries({
          ...common,
          queries: [{ expr: aggregate(p.by ?? [], rate(p.counter, env)), legend: legendOf(p.by ?? []) }],
          unit: p.unit ?? 'short',
          min: 0,
          thresholds: line(p.threshold),
        }),
      );
    case 'query':
      return plan(() =>
        timeseries({
          ...common,
          queries: [{ expr: p.expr, legend: p.legend ?? '__auto' }],
          unit: p.unit ?? 'short',
          thresholds: line(p.threshold),
        }),
      );
  }
}

/** The dashboards a service's dashboards/ definition asks for, in a fixed order. */
export function servicePlans(svc: ResolvedService, env: Environment): DashboardPlan[] {
  const defs = svc.dashboards;
  if (!defs) return [];
  const plans: DashboardPlan[] = [];
  const base = { kind: '', from: 'now-24h', source: defs.file };
  if (defs.red)
    plans.push({
      ...base,
      kind: 'red',
      uid: DASHBOARD_UID.service(svc.name, env.name),
      title: dashboardTitle(svc.name, 'Service (RED)', env.name),
      description: `Request rate, errors and latency of ${svc.name}.`,
      rows: redRows(defs.red, env),
    });
  if (defs.infrastructure)
    plans.push({
      ...base,
      kind: 'infrastructure',
      uid: DASHBOARD_UID.infrastructure(svc.name, env.name),
      title: dashboardTitle(svc.name, 'Infrastructure', env.name),
      description: `CPU, memory, disk and network of the pods of ${svc.name} against their limits.`,
      rows: infrastructureRows(defs.infrastructure, env),
    });
  if (defs.business)
    plans.push({
      ...base,
      kind: 'business',
      uid: DASHBOARD_UID.business(svc.name, env.name),
      title: dashboardTitle(svc.name, 'Business', env.name),
      description: `Business indicators of ${svc.name}.`,
      rows: defs.business.rows.map((row, r) => ({
        title: row.title,
        panels: row.panels.map((p) =>
          businessPanel(p, widthOf(row.panels.length), env, ['business', 'rows', r, 'panels', p.key]),
        ),
      })),
    });
  return plans;
}

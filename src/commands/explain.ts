/** `obsgen explain`: the burn-rate table of every SLO, from the same math the rules use. */
import { burnAlertName } from '../conventions.ts';
import type { Project } from '../model/resolved.ts';
import { alertsAcrossClusters, clusterLabelOf, type Environment } from '../model/service.ts';
import { formatPercent, formatRational, formatSeconds, humanizeSeconds } from '../model/units.ts';
import { explainPairs } from '../model/windows.ts';

export interface ExplainRow {
  readonly service: string;
  readonly environment: string;
  readonly slo: string;
  readonly objective: string;
  readonly period: string;
  readonly alert: string;
  readonly severity: string;
  readonly tier: string;
  readonly enabled: boolean;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly burnFactor: string;
  readonly errorRatioThreshold: string;
  /** The threshold as a percentage, for reading. */
  readonly errorRatioThresholdPercent: string;
  readonly for: string;
  /** Seconds from the start of a total outage until both windows exceed the threshold. */
  readonly conditionAfterSeconds: number | null;
  /** conditionAfterSeconds plus `for`. */
  readonly firesAfterSeconds: number | null;
  /** Share of the period's budget spent by then, as a fraction. */
  readonly budgetSpent: number | null;
  /**
   * Where the alert looks in an environment spanning clusters: `per-cluster` (each cluster's own
   * ratio; the outage figures are of one cluster) or `global` (all clusters' events together; an
   * outage of one cluster of several weighs by its share of the traffic). Absent without clusters.
   */
  readonly clusters?: { readonly label: string; readonly aggregate: 'per-cluster' | 'global' };
}

export interface ExplainOptions {
  /** Only this SLO: its id, or `service/id` to tell two services' SLOs of one id apart. */
  readonly slo?: string;
  /** Only the SLOs of this service. */
  readonly service?: string;
  /** Only this environment. */
  readonly env?: string;
}

/** Whether an SLO is the one `--slo` names (`latency` or `malaria-predictor-api/latency`). */
const sloMatches = (wanted: string | undefined, service: string, slo: string): boolean =>
  wanted === undefined || wanted === slo || wanted === `${service}/${slo}`;

const clustersOf = (env: Environment): Pick<ExplainRow, 'clusters'> => {
  const label = clusterLabelOf(env);
  if (label === undefined) return {};
  return { clusters: { label, aggregate: alertsAcrossClusters(env) ? 'global' : 'per-cluster' } };
};

/** One row per SLO, environment and window pair. */
export function explain(project: Project, options: ExplainOptions = {}): ExplainRow[] {
  return project.services
    .filter((svc) => options.service === undefined || svc.name === options.service)
    .flatMap((svc) =>
      svc.environments
        .filter((env) => options.env === undefined || env.name === options.env)
        .flatMap((env) =>
          svc.slos
            .filter((slo) => sloMatches(options.slo, svc.name, slo.id))
            .flatMap((slo) =>
              explainPairs(slo.windows, slo.errorBudget, slo.period).map((row) => ({
                service: svc.name,
                environment: env.name,
                slo: slo.id,
                objective: formatPercent(slo.objective),
                period: formatSeconds(slo.period),
                alert: burnAlertName(slo.id),
                severity: row.pair.severity,
                tier: row.pair.tier,
                enabled: row.pair.tier === 'page' ? slo.alerting.page : slo.alerting.ticket,
                longWindow: formatSeconds(row.pair.long),
                shortWindow: formatSeconds(row.pair.short),
                burnFactor: formatRational(row.pair.factor),
                errorRatioThreshold: formatRational(row.threshold),
                errorRatioThresholdPercent: formatPercent(row.threshold),
                for: formatSeconds(row.pair.forSeconds),
                conditionAfterSeconds: row.conditionSeconds ?? null,
                firesAfterSeconds: row.firesAfterSeconds ?? null,
                budgetSpent: row.budgetSpent === undefined ? null : Number(row.budgetSpent.toFixed(6)),
                ...clustersOf(env),
              })),
            ),
        ),
    );
}

const pad = (cells: string[], widths: number[]): string =>
  cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();

/** Plain-text tables, one per SLO and environment. */
export function formatExplain(rows: readonly ExplainRow[]): string {
  const blocks = new Map<string, ExplainRow[]>();
  for (const row of rows) {
    const clusters = row.clusters
      ? row.clusters.aggregate === 'global'
        ? `; alerts on all clusters together (${row.clusters.label} summed away): a total outage of every cluster`
        : `; alerts per cluster (label ${row.clusters.label}): a total outage of one cluster`
      : '';
    const key = `${row.service} / ${row.environment} / ${row.slo}  (objective ${row.objective} over ${row.period}${clusters})`;
    blocks.set(key, [...(blocks.get(key) ?? []), row]);
  }
  const head = [
    'severity',
    'windows',
    'burn',
    'error ratio >',
    'for',
    'total outage fires after',
    'budget spent',
  ];
  return [...blocks]
    .map(([title, block]) => {
      const body = block.map((r) => [
        `${r.severity}${r.enabled ? '' : ' (off)'}`,
        `${r.longWindow}/${r.shortWindow}`,
        `${r.burnFactor}x`,
        r.errorRatioThresholdPercent,
        r.for,
        r.firesAfterSeconds === null ? 'never' : humanizeSeconds(r.firesAfterSeconds),
        r.budgetSpent === null ? '-' : `${(r.budgetSpent * 100).toFixed(2)}%`,
      ]);
      const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
      return [title, pad(head, widths), ...body.map((cells) => pad(cells, widths))].join('\n');
    })
    .join('\n\n');
}

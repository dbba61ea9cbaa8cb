/** OpenSLO v1alpha SLOs into model SLOs: one per objective, each with its own ratio queries (as Sloth reads it). */
import type { Environment } from '../../../model/service.ts';
import { defineSlo } from '../../../model/slo.ts';
import { type Duration, formatSeconds } from '../../../model/units.ts';
import { alertingOf } from './alerts.ts';
import { type ServiceContext, sloOptions } from './annotations.ts';
import { type FileReport, objectPath, type Path } from './diagnostics.ts';
import type { Indicator } from './indicator.ts';
import type { V1alphaObject } from './objects.ts';
import { sliFromIndicator } from './sli.ts';
import { type ConvertedSlo, describeSlo, reportSliProblems, sloId, windowsOf } from './slo.ts';
import { checkedSource, type Source } from './source.ts';
import { calendarText } from './v1-slo.ts';
import type { MetricSourceV1alpha } from './v1alpha-schema.ts';

const UNIT_SECONDS: Record<string, number> = {
  Second: 1,
  Day: 86_400,
  Week: 604_800,
  Month: 30 * 86_400,
  Quarter: 90 * 86_400,
};

/** The query of a v1alpha metric source when it is PromQL for Prometheus; reports why not. */
function sourceV1alpha(
  m: MetricSourceV1alpha,
  file: string,
  path: Path,
  report: FileReport,
  environments: readonly Environment[],
): Source | undefined {
  if (!['prometheus', 'sloth'].includes(m.source.toLowerCase())) {
    report(
      file,
      [...path, 'source'],
      'openslo/unsupported-data-source',
      `source ${m.source} is not supported; obsgen compiles Prometheus queries only`,
    );
    return undefined;
  }
  return checkedSource({ query: m.query, file, path: [...path, 'query'] }, report, environments);
}

export function slosV1alpha(
  object: Extract<V1alphaObject, { kind: 'SLO' }>,
  service: ServiceContext,
  report: FileReport,
  environments: readonly Environment[],
  warn: FileReport = report,
): ConvertedSlo[] {
  const at = objectPath(object.index);
  const spec = object.spec;
  const file = object.file;
  const window = spec.timeWindows[0];
  let ok = true;
  if (window?.calendar)
    warn(
      file,
      [at, 'spec', 'timeWindows', 0, 'calendar'],
      'openslo/calendar-as-rolling',
      `the calendar-aligned ${window.count} ${window.unit} window${calendarText(window.calendar)} is compiled as a rolling ${formatSeconds(window.count * (UNIT_SECONDS[window.unit] ?? 0))}: the budget is what the last ${formatSeconds(window.count * (UNIT_SECONDS[window.unit] ?? 0))} spent at any moment, never reset at a calendar boundary (Prometheus evaluates rolling windows only)`,
    );
  if (spec.budgetingMethod === 'Timeslices') {
    ok = false;
    report(
      file,
      [at, 'spec', 'budgetingMethod'],
      'openslo/unsupported-time-slices',
      'v1alpha Timeslices names no slice window, so the slices cannot be computed',
      'use budgetingMethod Occurrences, or openslo/v1 with timeSliceWindow',
    );
  }
  const threshold = spec.indicator
    ? sourceV1alpha(
        spec.indicator.thresholdMetric,
        file,
        [at, 'spec', 'indicator', 'thresholdMetric'],
        report,
        environments,
      )
    : undefined;
  const extra = sloOptions(object, report);
  if (!ok || !window || (spec.indicator && !threshold)) return [];
  const periodSeconds = window.count * (UNIT_SECONDS[window.unit] ?? 0);
  const period = formatSeconds(periodSeconds) as Duration;
  const { base, evaluation } = windowsOf(periodSeconds, service);
  // v1alpha has no alert policies: no burn alerts, as Sloth reads it.
  const alerting = alertingOf({ page: false, ticket: false, noData: false }, extra);
  const out: ConvertedSlo[] = [];
  for (const [k, o] of spec.objectives.entries()) {
    const objectivePath: Path = [at, 'spec', 'objectives', k];
    let indicator: Indicator | undefined;
    if (o.ratioMetrics) {
      const good = sourceV1alpha(
        o.ratioMetrics.good,
        file,
        [...objectivePath, 'ratioMetrics', 'good'],
        report,
        environments,
      );
      const total = sourceV1alpha(
        o.ratioMetrics.total,
        file,
        [...objectivePath, 'ratioMetrics', 'total'],
        report,
        environments,
      );
      if (good && total)
        indicator = { kind: 'ratio', counter: o.ratioMetrics.incremental !== false, good, total };
    } else if (threshold) indicator = { kind: 'threshold', metric: threshold };
    if (!indicator) continue;
    if (!(o.target > 0)) {
      report(
        file,
        [...objectivePath, 'target'],
        'openslo/unsupported-target',
        'a target of 0 leaves the whole period as error budget: nothing to alert on',
      );
      continue;
    }
    const result = sliFromIndicator(indicator, {
      budgeting: 'Occurrences',
      ...(o.op !== undefined ? { op: o.op } : {}),
      ...(o.value !== undefined ? { value: o.value } : {}),
      groupBy: extra.groupBy,
      evaluationInterval: evaluation,
      baseWindow: base,
      ...(service.contract ? { contract: service.contract } : {}),
      verbatim: extra.verbatim,
    });
    if ('problems' in result) {
      reportSliProblems(result.problems, { file, path: objectivePath }, report);
      continue;
    }
    out.push({
      slo: defineSlo({
        id: sloId(object, spec.objectives.length, k),
        description: describeSlo(object, o.displayName),
        objective: o.target,
        period,
        sli: result.sli,
        ...(extra.groupBy.length > 0 ? { groupBy: extra.groupBy } : {}),
        ...(alerting ? { alerting } : {}),
      }),
      origin: {
        file,
        at,
        objective: k,
        indicator: o.ratioMetrics ? ['spec', 'objectives', k] : ['spec', 'indicator'],
      },
    });
  }
  return out;
}

/** OpenSLO v1 SLOs into model SLOs: one per objective, with the tiers their alert policies name. */
import type { Environment } from '../../../model/service.ts';
import { defineSlo, sampleKindOf } from '../../../model/slo.ts';
import { type Duration, div, formatSeconds, rational, rationalOf, toNumber } from '../../../model/units.ts';
import { shorthandSeconds } from '../durations.ts';
import { alertingOf, mapAlerting } from './alerts.ts';
import { type ServiceContext, sloOptions } from './annotations.ts';
import { type FileReport, objectPath, type Path } from './diagnostics.ts';
import type { Indicator } from './indicator.ts';
import type { V1Object } from './objects.ts';
import { attachedPolicies, type ObjectSet } from './references.ts';
import { sliFromIndicator } from './sli.ts';
import { type ConvertedSlo, describeSlo, reportSliProblems, sloId, windowsOf } from './slo.ts';
import { indicatorV1 } from './v1-indicator.ts';

export interface SloContextV1 {
  readonly set: ObjectSet;
  /** Indicators of the set's SLI objects by name; undefined for one that did not convert. */
  readonly indicators: ReadonlyMap<string, Indicator | undefined>;
  readonly report: FileReport;
  /** Changes made on the way (a calendar window compiled as rolling). */
  readonly warn: FileReport;
  readonly environments: readonly Environment[];
}

/** ` (from 2022-01-01 in UTC)` of a calendar, for messages. */
export const calendarText = (c: { startTime?: string | undefined; timeZone?: string | undefined }): string =>
  c.startTime || c.timeZone
    ? ` (from ${c.startTime ?? 'its start'}${c.timeZone ? ` in ${c.timeZone}` : ''})`
    : '';

const targetOf = (o: { target?: number | undefined; targetPercent?: number | undefined }): number =>
  o.target ?? toNumber(div(rationalOf(o.targetPercent ?? 0), rational(100n)));

export function slosV1(
  object: Extract<V1Object, { kind: 'SLO' }>,
  service: ServiceContext,
  ctx: SloContextV1,
): ConvertedSlo[] {
  const { report, set } = ctx;
  const at = objectPath(object.index);
  const spec = object.spec;
  const file = object.file;
  let ok = true;
  const window = spec.timeWindow[0];
  if (window?.calendar)
    ctx.warn(
      file,
      [at, 'spec', 'timeWindow', 0, 'calendar'],
      'openslo/calendar-as-rolling',
      `the calendar-aligned ${window.duration} window${calendarText(window.calendar)} is compiled as a rolling ${formatSeconds(shorthandSeconds(window.duration))}: the budget is what the last ${formatSeconds(shorthandSeconds(window.duration))} spent at any moment, never reset at a calendar boundary (Prometheus evaluates rolling windows only)`,
    );
  if (spec.objectives.some((o) => o.indicator !== undefined || o.indicatorRef !== undefined)) {
    report(
      file,
      [at, 'spec', 'objectives'],
      'openslo/unsupported-composite',
      'composite SLOs (an indicator per objective) are not supported',
      'write one SLO per indicator',
    );
    return [];
  }
  let indicator: Indicator | undefined;
  let indicatorPath: Path = ['spec', 'indicator'];
  if (spec.indicator) {
    indicator = indicatorV1(
      spec.indicator.spec,
      file,
      [at, 'spec', 'indicator', 'spec'],
      set.lookup,
      report,
      ctx.environments,
    );
    ok &&= indicator !== undefined;
  } else if (spec.indicatorRef !== undefined) {
    indicatorPath = ['spec', 'indicatorRef'];
    if (!ctx.indicators.has(spec.indicatorRef)) {
      set.unresolved(file, [at, 'spec', 'indicatorRef'], 'SLI', spec.indicatorRef);
      ok = false;
    } else {
      indicator = ctx.indicators.get(spec.indicatorRef);
      ok &&= indicator !== undefined;
    }
  }
  const { policies, resolved } = attachedPolicies(object, set);
  ok &&= resolved;
  const extra = sloOptions(object, report);
  if (!ok || !indicator || !window) return [];

  const periodSeconds = shorthandSeconds(window.duration);
  const period = formatSeconds(periodSeconds) as Duration;
  const { base, evaluation } = windowsOf(periodSeconds, service);

  const out: ConvertedSlo[] = [];
  for (const [k, o] of spec.objectives.entries()) {
    const target = targetOf(o);
    const objectivePath: Path = [at, 'spec', 'objectives', k];
    if (!(target > 0)) {
      report(
        file,
        [...objectivePath, o.target !== undefined ? 'target' : 'targetPercent'],
        'openslo/unsupported-target',
        'a target of 0 leaves the whole period as error budget: nothing to alert on',
        'write the target as a fraction in (0, 1): 0.999 for 99.9%',
      );
      continue;
    }
    const result = sliFromIndicator(indicator, {
      budgeting: spec.budgetingMethod,
      ...(o.op !== undefined ? { op: o.op } : {}),
      ...(o.value !== undefined ? { value: o.value } : {}),
      ...(o.timeSliceTarget !== undefined ? { timeSliceTarget: o.timeSliceTarget } : {}),
      ...(o.timeSliceWindow !== undefined ? { timeSliceWindow: shorthandSeconds(o.timeSliceWindow) } : {}),
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
    const { pairs } = windowsOf(periodSeconds, service, target, sampleKindOf(result.sli));
    const mapped = mapAlerting(policies, pairs, period);
    for (const p of mapped.problems) report(file, p.path, p.code, p.message, p.hint);
    if (mapped.problems.length > 0) return [];
    const alerting = alertingOf(mapped.alerting, extra);
    out.push({
      slo: defineSlo({
        id: sloId(object, spec.objectives.length, k),
        description: describeSlo(object, o.displayName),
        objective: target,
        period,
        sli: result.sli,
        ...(extra.groupBy.length > 0 ? { groupBy: extra.groupBy } : {}),
        ...(alerting ? { alerting } : {}),
      }),
      origin: { file, at, objective: k, indicator: indicatorPath },
    });
  }
  return out;
}

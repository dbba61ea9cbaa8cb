/**
 * SLO rule groups: base-window recordings, derived window ratios, metadata and the multiwindow
 * multi-burn-rate alerts (one rule per window pair).
 */
import {
  burnAlertName,
  GROUP,
  LABEL,
  NO_DATA_FOR_SECONDS,
  noDataAlertName,
  RECORD,
  runbookFile,
  urlUnder,
} from '../../conventions.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import {
  alertsAcrossClusters,
  clusterLabelOf,
  type Environment,
  recordedLabels,
} from '../../model/service.ts';
import {
  compare,
  div,
  formatPercent,
  formatRational,
  formatSeconds,
  humanizeSeconds,
  mul,
  rational,
  toNumber,
} from '../../model/units.ts';
import { errorRatioThreshold, type WindowPair } from '../../model/windows.ts';
import { quote } from '../../promql/index.ts';
import { dashboardLink, type PanelTarget } from '../grafana/links.ts';
import { byIdentity } from '../memo/index.ts';
import { eventExprs } from './sli.ts';
import type { AlertingRule, RecordingRule, RuleGroup } from './types.ts';

/** Labels every generated series of an SLO carries, sorted by key. */
export const sloSeriesLabels = (
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
): Record<string, string> => ({
  [LABEL.environment]: env.name,
  [LABEL.service]: svc.name,
  [LABEL.slo]: slo.id,
});

/** `{environment="production",service="x",slo="y"}` selecting an SLO's recorded series. */
export const sloMatchers = (svc: ResolvedService, slo: ResolvedSlo, env: Environment): string =>
  `{${Object.entries(sloSeriesLabels(svc, slo, env))
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',')}}`;

/** Every window an SLO's alerts read, ascending, without duplicates. */
export const alertWindows = (slo: ResolvedSlo): number[] =>
  [...new Set(slo.windows.flatMap((p) => [p.short, p.long]))].sort((a, b) => a - b);

const enabledPairs = (slo: ResolvedSlo): WindowPair[] =>
  slo.windows.filter((p) => (p.tier === 'page' ? slo.alerting.page : slo.alerting.ticket));

function sliGroup(svc: ResolvedService, slo: ResolvedSlo, env: Environment, sel: string): RuleGroup {
  const labels = sloSeriesLabels(svc, slo, env);
  const base = formatSeconds(slo.baseWindow);
  // An environment spanning clusters keeps the cluster label on every recorded series.
  const events = eventExprs(svc, { ...slo, groupBy: recordedLabels(slo.groupBy, env) }, env, base);
  const ratio = (window: number): RecordingRule => {
    const w = formatSeconds(window);
    const expr =
      window === slo.baseWindow
        ? `${RECORD.bad(base)}${sel} / ${RECORD.total(base)}${sel}`
        : `sum_over_time(${RECORD.bad(base)}${sel}[${w}]) / sum_over_time(${RECORD.total(base)}${sel}[${w}])`;
    return { record: RECORD.errorRatio(w), expr, labels };
  };
  return {
    name: GROUP.sli(svc.name, slo.id),
    interval: formatSeconds(svc.evaluationInterval),
    rules: [
      { record: RECORD.bad(base), expr: events.bad, labels },
      { record: RECORD.total(base), expr: events.total, labels },
      ...alertWindows(slo).map(ratio),
    ],
  };
}

/**
 * Interval of the meta group, seconds: two minutes, or the service's interval when longer. Its
 * period ratio reads every base-window sample of the period (86,400 per series at 30d and 30s),
 * no alert reads it, and dashboards show a period-long figure; two minutes cut its cost fourfold
 * at 30s and stay well inside the 5m lookback, so instant queries never miss the series.
 */
const META_INTERVAL_SECONDS = 120;

function metaGroup(svc: ResolvedService, slo: ResolvedSlo, env: Environment, sel: string): RuleGroup {
  const labels = sloSeriesLabels(svc, slo, env);
  const base = formatSeconds(slo.baseWindow);
  const period = formatSeconds(slo.period);
  const budget = formatRational(slo.errorBudget);
  return {
    name: GROUP.meta(svc.name, slo.id),
    interval: formatSeconds(Math.max(svc.evaluationInterval, META_INTERVAL_SECONDS)),
    rules: [
      {
        record: RECORD.errorRatio(period),
        expr: `sum_over_time(${RECORD.bad(base)}${sel}[${period}]) / sum_over_time(${RECORD.total(base)}${sel}[${period}])`,
        labels,
      },
      { record: RECORD.objective, expr: `vector(${formatRational(slo.objective)})`, labels },
      { record: RECORD.errorBudget, expr: `vector(${budget})`, labels },
      {
        record: RECORD.periodDays,
        expr: `vector(${formatRational(rational(BigInt(slo.period), 86_400n))})`,
        labels,
      },
      { record: RECORD.currentBurnRate, expr: `${RECORD.errorRatio(base)}${sel} / ${budget}`, labels },
      { record: RECORD.periodBurnRate, expr: `${RECORD.errorRatio(period)}${sel} / ${budget}`, labels },
      { record: RECORD.budgetRemaining, expr: `1 - ${RECORD.periodBurnRate}${sel}`, labels },
    ],
  };
}

/** Static, human sentence naming the SLO; never templated (lint requires it). */
const burnSummary = (svc: ResolvedService, slo: ResolvedSlo, pair: WindowPair): string =>
  `${svc.name} ${slo.id} SLO is burning its error budget ${burnPace(pair)}.`;

/** "14.4 times as fast as the period allows"; a 1x burn is the pace that just empties the budget. */
const burnPace = (pair: WindowPair): string =>
  compare(pair.factor, rational(1n)) === 0
    ? 'at the pace that empties it by the end of the period'
    : `${formatRational(pair.factor)} times as fast as the period allows`;

// The same text for the SLO in every environment and every target that compiles rules.
const burnDescription = byIdentity((slo: ResolvedSlo, pair: WindowPair): string => {
  const threshold = errorRatioThreshold(pair, slo.errorBudget);
  const groups = slo.groupBy.map((label) => `${label} {{ $labels.${label} }}`).join(', ');
  const exhausted = humanizeSeconds(toNumber(div(rational(BigInt(slo.period)), pair.factor)));
  const spent = formatPercent(
    div(mul(pair.factor, rational(BigInt(pair.long))), rational(BigInt(slo.period))),
  );
  return [
    `${groups ? `For ${groups}: e` : 'E'}rror ratio {{ $value | humanizePercentage }} over the last ${formatSeconds(pair.long)}`,
    ` (and over ${formatSeconds(pair.short)}) is above ${formatPercent(threshold)},`,
    ` ${formatRational(pair.factor)}x the ${formatPercent(slo.errorBudget)} error budget of the ${formatPercent(slo.objective)} objective.`,
    ` At this rate ${spent} of the ${formatSeconds(slo.period)} budget burns every ${formatSeconds(pair.long)}`,
    ` and all of it within ${exhausted}.`,
  ].join('');
});

/**
 * Runbook and dashboard of an SLO alert: a burn alert links to its window pair's burn-rate panel,
 * the no-data alert to the SLI's events panel, both on the SLO's detail dashboard.
 */
function alertLinks(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  alert: string,
  pair?: WindowPair,
): Record<string, string> {
  const target: PanelTarget = pair
    ? { dashboard: 'slo-detail', slo: slo.id, panel: 'burn-rate', pair }
    : { dashboard: 'slo-detail', slo: slo.id, panel: 'events' };
  const dashboard = dashboardLink(svc, env, target);
  return {
    runbook_url: slo.alerting.runbookUrl ?? urlUnder(env.runbookBaseUrl, runbookFile(svc.name, alert)),
    ...(dashboard ? { dashboard_url: dashboard } : {}),
  };
}

/** The record with its keys in sorted order (the default sort compares code units, as `<` does). */
function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  // A loop instead of entries/sort/fromEntries: two records per alert, every alert of the fleet.
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) {
    const value = record[key] as string;
    // Assigning `__proto__` would set the prototype instead of adding a key.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

/**
 * Error ratio over `window` seconds that a burn alert compares. Per cluster (and without
 * clusters): the recorded ratio series. Across clusters: the clusters' recorded bad events over
 * their recorded total, summed over the cluster label, so a cluster serving more traffic weighs
 * more (a ratio of sums, never an average of the clusters' ratios).
 */
function alertRatio(slo: ResolvedSlo, env: Environment, sel: string, window: number): string {
  const w = formatSeconds(window);
  const cluster = clusterLabelOf(env);
  if (cluster === undefined || !alertsAcrossClusters(env)) return `${RECORD.errorRatio(w)}${sel}`;
  const base = formatSeconds(slo.baseWindow);
  const summed = (record: string) =>
    window === slo.baseWindow
      ? `sum without (${cluster}) (${record}${sel})`
      : `sum without (${cluster}) (sum_over_time(${record}${sel}[${w}]))`;
  return `(${summed(RECORD.bad(base))} / ${summed(RECORD.total(base))})`;
}

/** Where a burn alert's description says it looked: one cluster, all of them, or nothing to say. */
function clusterScope(env: Environment): string {
  const cluster = clusterLabelOf(env);
  if (cluster === undefined) return '';
  return alertsAcrossClusters(env) ? 'All clusters together: ' : `Cluster {{ $labels.${cluster} }}: `;
}

function burnAlert(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  sel: string,
  pair: WindowPair,
): AlertingRule {
  const threshold = formatRational(errorRatioThreshold(pair, slo.errorBudget));
  const long = formatSeconds(pair.long);
  const short = formatSeconds(pair.short);
  const name = burnAlertName(slo.id);
  return {
    alert: name,
    expr: [
      `${alertRatio(slo, env, sel, pair.long)} > ${threshold}`,
      'and',
      `${alertRatio(slo, env, sel, pair.short)} > ${threshold}`,
    ].join('\n'),
    for: formatSeconds(pair.forSeconds),
    labels: sortedRecord({
      ...slo.alerting.labels,
      ...sloSeriesLabels(svc, slo, env),
      [LABEL.namespace]: env.namespace,
      [LABEL.severity]: pair.severity,
      [LABEL.category]: 'slo',
      [LABEL.longWindow]: long,
      [LABEL.shortWindow]: short,
      [LABEL.burnFactor]: formatRational(pair.factor),
    }),
    annotations: sortedRecord({
      ...slo.alerting.annotations,
      summary: burnSummary(svc, slo, pair),
      description: `${clusterScope(env)}${burnDescription(slo, pair)}`,
      ...alertLinks(svc, slo, env, name, pair),
    }),
  };
}

function noDataAlert(svc: ResolvedService, slo: ResolvedSlo, env: Environment, sel: string): AlertingRule {
  const name = noDataAlertName(slo.id);
  const base = formatSeconds(slo.baseWindow);
  return {
    alert: name,
    expr: `absent(${RECORD.total(base)}${sel})`,
    for: formatSeconds(NO_DATA_FOR_SECONDS),
    labels: sortedRecord({
      ...slo.alerting.labels,
      ...sloSeriesLabels(svc, slo, env),
      [LABEL.namespace]: env.namespace,
      [LABEL.severity]: 'warning',
      [LABEL.category]: 'slo',
    }),
    annotations: sortedRecord({
      ...slo.alerting.annotations,
      summary: `${svc.name} ${slo.id} SLO has no SLI data, so its burn alerts cannot fire.`,
      description: `No ${RECORD.total(base)} series for SLO ${slo.id} in ${env.name} for ${formatSeconds(NO_DATA_FOR_SECONDS)}: the service, its exporter or the scrape is gone, or the metric was renamed.`,
      ...alertLinks(svc, slo, env, name),
    }),
  };
}

function alertGroup(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  sel: string,
): RuleGroup | undefined {
  const rules = [
    ...enabledPairs(slo).map((pair) => burnAlert(svc, slo, env, sel, pair)),
    ...(slo.alerting.noData ? [noDataAlert(svc, slo, env, sel)] : []),
  ];
  if (rules.length === 0) return undefined;
  return { name: GROUP.alerts(svc.name, slo.id), interval: formatSeconds(svc.evaluationInterval), rules };
}

/** All rule groups of one SLO in one environment. */
export function toSloRuleGroups(svc: ResolvedService, slo: ResolvedSlo, env: Environment): RuleGroup[] {
  const sel = sloMatchers(svc, slo, env);
  const alerts = alertGroup(svc, slo, env, sel);
  return [sliGroup(svc, slo, env, sel), metaGroup(svc, slo, env, sel), ...(alerts ? [alerts] : [])];
}

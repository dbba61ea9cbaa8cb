/**
 * SLO dashboards, from the SLO model alone: the overview of every SLO of a service and one
 * detail dashboard per SLO. They read only the recorded `slo:` series (and `ALERTS`), so they
 * cost Prometheus nothing beyond the rules.
 */
import type { Threshold } from '@grafana/grafana-foundation-sdk/dashboard';
import { burnAlertName, DASHBOARD_UID, dashboardTitle, LABEL, RECORD } from '../../conventions.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import { alertsAcrossClusters, type Environment } from '../../model/service.ts';
import { formatPercent, formatRational, formatSeconds, toNumber } from '../../model/units.ts';
import type { WindowPair } from '../../model/windows.ts';
import { renderSelector } from '../../promql/index.ts';
import { type Query, stat, table, timeseries } from './panels.ts';
import type { DashboardPlan, PanelPlan } from './plan.ts';
import {
  clusterMatchers,
  ENVIRONMENT_NAME,
  errorRatio,
  legendOf,
  seriesLabelsOf,
  sloSeries,
} from './queries.ts';

const isTimeBased = (slo: ResolvedSlo): boolean =>
  slo.sli.kind === 'probe' || slo.sli.kind === 'freshness' || slo.sli.kind === 'threshold';

/** Color of a pair's threshold: red pages, orange opens a ticket. */
const tierColor = (pair: WindowPair): string => (pair.tier === 'page' ? 'red' : 'orange');

const pairName = (pair: WindowPair): string =>
  `${formatSeconds(pair.long)}/${formatSeconds(pair.short)} ${pair.tier} at ${formatRational(pair.factor)}x`;

const pairEnabled = (slo: ResolvedSlo, pair: WindowPair): boolean =>
  pair.tier === 'page' ? slo.alerting.page : slo.alerting.ticket;

/** Panel keys the detail dashboard and the alert links share. */
export const SLO_PANEL = {
  sli: 'sli',
  budget: 'budget',
  burnDown: 'burn-down',
  events: 'events',
  /** Burn rate of the window pair at `index` in the SLO's `windows`. */
  burnRate: (index: number) => `burn-rate-${index + 1}`,
  /** Overview panels of one SLO. */
  overview: (slo: string, panel: 'sli' | 'budget') => `${slo}-${panel}`,
  /** Overview burn rate of the window pair at `index`. */
  overviewBurnRate: (slo: string, index: number) => `${slo}-burn-rate-${index + 1}`,
  alerts: 'alerts',
} as const;

const sliThresholds = (slo: ResolvedSlo): Threshold[] => [{ value: toNumber(slo.objective), color: 'green' }];
/** Budget left: red when spent, orange under a quarter. */
const budgetThresholds: Threshold[] = [
  { value: 0, color: 'orange' },
  { value: 0.25, color: 'green' },
];

/** Burn rate of a pair as one number: the smaller of its two windows, which is what must exceed the factor. */
function pairBurnRate(svc: ResolvedService, slo: ResolvedSlo, env: Environment, pair: WindowPair): string {
  const long = errorRatio(svc, slo, env, pair.long);
  const short = errorRatio(svc, slo, env, pair.short);
  // `(a <= b) or b` is the element-wise minimum of two series with the same labels.
  return `((${long} <= ${short}) or ${short}) / ${formatRational(slo.errorBudget)}`;
}

function overviewPanels(svc: ResolvedService, slo: ResolvedSlo, env: Environment): PanelPlan[] {
  const period = formatSeconds(slo.period);
  const labels = seriesLabelsOf(slo, env);
  const legend = (suffix: string) => legendOf(labels, labels.length > 0 ? '' : suffix);
  return [
    {
      key: SLO_PANEL.overview(slo.id, 'sli'),
      build: () =>
        stat({
          title: `${slo.id}: SLI over ${period} (objective ${formatPercent(slo.objective)})`,
          description: `${slo.description} Green at or above the objective, red below.`,
          queries: [
            {
              expr: `1 - ${sloSeries(svc, slo, env, RECORD.errorRatio(period))}`,
              legend: legend(`SLI ${period}`),
              instant: true,
            },
          ],
          unit: 'percentunit',
          decimals: 3,
          base: 'red',
          thresholds: sliThresholds(slo),
          width: 6,
          height: 6,
        }),
    },
    {
      key: SLO_PANEL.overview(slo.id, 'budget'),
      build: () =>
        stat({
          title: `${slo.id}: error budget remaining (${period})`,
          description: `Share of the ${period} error budget (${formatPercent(slo.errorBudget)} of events) not yet spent; negative when overspent.`,
          queries: [
            {
              expr: sloSeries(svc, slo, env, RECORD.budgetRemaining),
              legend: legend('remaining'),
              instant: true,
            },
          ],
          unit: 'percentunit',
          decimals: 1,
          base: 'red',
          thresholds: budgetThresholds,
          width: 6,
          height: 6,
        }),
    },
    ...slo.windows.map(
      (pair, i): PanelPlan => ({
        key: SLO_PANEL.overviewBurnRate(slo.id, i),
        build: () =>
          stat({
            title: `${slo.id}: burn rate ${formatSeconds(pair.long)}/${formatSeconds(pair.short)}`,
            description: `Smaller burn rate of the ${pairName(pair)} window pair (its alert needs both windows above ${formatRational(pair.factor)}x); ${tierColor(pair)} at the ${pair.tier} threshold.`,
            queries: [
              {
                expr: pairBurnRate(svc, slo, env, pair),
                legend: legendOf(seriesLabelsOf(slo, env), 'burn rate'),
                instant: true,
              },
            ],
            unit: 'suffix:x',
            decimals: 2,
            thresholds: [{ value: toNumber(pair.factor), color: tierColor(pair) }],
            width: 3,
            height: 6,
          }),
      }),
    ),
  ];
}

/** SLO overview: firing alerts, then per SLO its SLI, budget and burn rates. */
export function sloOverviewPlan(svc: ResolvedService, env: Environment): DashboardPlan {
  const alerts: Query = {
    expr: renderSelector(
      'ALERTS',
      {
        alertstate: 'firing',
        [LABEL.environment]: ENVIRONMENT_NAME,
        [LABEL.service]: svc.name,
        // Alerts across clusters carry no cluster label: they cover every cluster.
        ...(alertsAcrossClusters(env) ? {} : clusterMatchers(env)),
      },
      env,
    ),
    instant: true,
    table: true,
  };
  return {
    uid: DASHBOARD_UID.sloOverview(svc.name, env.name),
    title: dashboardTitle(svc.name, 'SLOs', env.name),
    description: `Every SLO of ${svc.name}: SLI against objective, error budget left, burn rate per window pair.`,
    kind: 'slo',
    from: 'now-24h',
    source: svc.file,
    rows: [
      {
        title: 'Firing alerts',
        panels: [
          {
            key: SLO_PANEL.alerts,
            build: () =>
              table({
                title: 'Firing alerts',
                description: `Alerts of ${svc.name} firing now in this environment.`,
                queries: [alerts],
                width: 24,
                height: 6,
              }),
          },
        ],
      },
      ...svc.slos.map((slo) => ({
        title: `${slo.id}: ${slo.description}`,
        panels: overviewPanels(svc, slo, env),
      })),
    ],
  };
}

function burnRatePanel(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  pair: WindowPair,
  index: number,
): PanelPlan {
  const budget = formatRational(slo.errorBudget);
  const long = formatSeconds(pair.long);
  const short = formatSeconds(pair.short);
  const alert = pairEnabled(slo, pair)
    ? `${burnAlertName(slo.id)} (${pair.severity}) fires when both windows stay above ${formatRational(pair.factor)}x for ${formatSeconds(pair.forSeconds)}.`
    : `The ${pair.tier} alerts of this SLO are disabled; shown for reference.`;
  return {
    key: SLO_PANEL.burnRate(index),
    build: () =>
      timeseries({
        title: `Burn rate ${pairName(pair)}`,
        description: `Error ratio over ${long} and ${short} divided by the ${formatPercent(slo.errorBudget)} error budget. ${alert}`,
        queries: [
          {
            expr: `${errorRatio(svc, slo, env, pair.long)} / ${budget}`,
            legend: legendOf(seriesLabelsOf(slo, env), long),
          },
          {
            expr: `${errorRatio(svc, slo, env, pair.short)} / ${budget}`,
            legend: legendOf(seriesLabelsOf(slo, env), short),
          },
        ],
        unit: 'suffix:x',
        decimals: 2,
        min: 0,
        thresholds: [{ value: toNumber(pair.factor), color: tierColor(pair) }],
        width: 6,
        height: 8,
      }),
  };
}

/** One SLO in depth: SLI over time, budget burn-down, burn rate per pair, events. */
export function sloDetailPlan(svc: ResolvedService, slo: ResolvedSlo, env: Environment): DashboardPlan {
  const base = formatSeconds(slo.baseWindow);
  const period = formatSeconds(slo.period);
  const grouped = slo.groupBy.length > 0;
  const eventUnit = isTimeBased(slo) ? 'short' : 'reqps';
  const events = isTimeBased(slo) ? `samples per ${base}` : `events per second (${base} rate)`;
  const bad = sloSeries(svc, slo, env, RECORD.bad(base));
  const total = sloSeries(svc, slo, env, RECORD.total(base));
  return {
    uid: DASHBOARD_UID.sloDetail(svc.name, slo.id, env.name),
    title: dashboardTitle(svc.name, `SLO ${slo.id}`, env.name),
    description: `${slo.description} Objective ${formatPercent(slo.objective)} over ${period}${grouped ? `, per ${slo.groupBy.join(', ')}` : ''}.`,
    kind: 'slo',
    from: `now-${period}`,
    source: svc.file,
    rows: [
      {
        title: 'SLI and error budget',
        panels: [
          {
            key: SLO_PANEL.sli,
            build: () =>
              timeseries({
                title: `SLI against the ${formatPercent(slo.objective)} objective`,
                description: `Share of good ${isTimeBased(slo) ? 'time' : 'events'} over ${base} and over the ${period} period; the dashed line is the objective.`,
                queries: [
                  {
                    expr: `1 - ${errorRatio(svc, slo, env, slo.baseWindow)}`,
                    legend: legendOf(seriesLabelsOf(slo, env), `SLI ${base}`),
                  },
                  {
                    expr: `1 - ${errorRatio(svc, slo, env, slo.period)}`,
                    legend: legendOf(seriesLabelsOf(slo, env), `SLI ${period}`),
                  },
                ],
                unit: 'percentunit',
                decimals: 3,
                base: 'red',
                thresholds: sliThresholds(slo),
                width: 12,
                height: 8,
              }),
          },
          {
            key: SLO_PANEL.budget,
            build: () =>
              stat({
                title: 'Error budget remaining',
                description: `Share of the ${period} error budget not yet spent.`,
                queries: [
                  {
                    expr: sloSeries(svc, slo, env, RECORD.budgetRemaining),
                    legend: legendOf(seriesLabelsOf(slo, env), 'remaining'),
                    instant: true,
                  },
                ],
                unit: 'percentunit',
                decimals: 1,
                base: 'red',
                thresholds: budgetThresholds,
                width: 4,
                height: 8,
              }),
          },
          {
            key: SLO_PANEL.burnDown,
            build: () =>
              timeseries({
                title: `Error budget burn-down over ${period}`,
                description: `Budget left over the rolling ${period} period; it reaches 0 when the SLO is missed.`,
                queries: [
                  {
                    expr: sloSeries(svc, slo, env, RECORD.budgetRemaining),
                    legend: legendOf(seriesLabelsOf(slo, env), 'remaining'),
                  },
                ],
                unit: 'percentunit',
                decimals: 1,
                base: 'red',
                thresholds: budgetThresholds,
                width: 8,
                height: 8,
              }),
          },
        ],
      },
      {
        title: 'Burn rate per window pair',
        panels: slo.windows.map((pair, i) => burnRatePanel(svc, slo, env, pair, i)),
      },
      {
        title: grouped ? `Events per ${slo.groupBy.join(', ')}` : 'Events',
        panels: [
          {
            key: SLO_PANEL.events,
            build: () =>
              timeseries({
                title: `Good and bad ${events}`,
                description: `The recorded SLI inputs (${RECORD.total(base)} and ${RECORD.bad(base)}); no lines means no SLI data.`,
                queries: [
                  { expr: `${total} - ${bad}`, legend: legendOf(seriesLabelsOf(slo, env), 'good') },
                  { expr: bad, legend: legendOf(seriesLabelsOf(slo, env), 'bad') },
                ],
                unit: eventUnit,
                min: 0,
                width: 24,
                height: 8,
              }),
          },
        ],
      },
    ],
  };
}

/**
 * What each series of the synthetic service reports over drill time, derived from the model. Pure.
 *
 * - SLI series (requests, latency histogram, probe gauge, data timestamps) come from the SLOs: the
 *   service serves steady traffic, and a scenario's faults break the first group of each broken SLI.
 * - Every other contract series follows the catalog alerts' healthy examples (their last value, or
 *   a counter's last per-second increase); a scenario plays an alert's firing example from the
 *   fault's start, one example step every `interval / factor` seconds.
 * - What neither covers reports 1 (gauges) or grows by 1 per second (counters).
 *
 * Time is compressed for what the rules read as time spans (example steps, data ages: a source is
 * `factor` times older each second), not for rates: a counter's per-second increase is a value
 * (cores, requests per second) the thresholds compare as such.
 */

import { DRILL } from '../../conventions.ts';
import { sliGroups } from '../../derive/tests/sli-series.ts';
import type { ExampleSeries } from '../../model/alert.ts';
import type { Metric, Selector } from '../../model/metrics.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { durationSeconds } from '../../model/units.ts';
import { seriesLabels } from '../../synth/labels.ts';
import { brokenSliKinds, type DrillScenario, sliMetrics } from './scenarios.ts';

/** Series Prometheus makes itself for every scrape target; a synthetic service does not expose them. */
const SCRAPE_SERIES: readonly string[] = ['up'];

/** Where the drill is in time. */
export interface DrillClock {
  /** Unix time now, seconds. */
  readonly now: number;
  /** Seconds since the service started. */
  readonly sinceStart: number;
  /** Seconds since the fault started; undefined before. */
  readonly sinceFault: number | undefined;
}

export type Behaviour =
  /** A gauge's value (undefined: no sample). */
  | { readonly kind: 'gauge'; readonly value: (clock: DrillClock) => number | undefined }
  /** A counter's increase per second. */
  | { readonly kind: 'counter'; readonly rate: (clock: DrillClock) => number }
  /** A histogram: requests per second and how long each takes, seconds. */
  | {
      readonly kind: 'histogram';
      readonly rate: (clock: DrillClock) => number;
      readonly duration: (clock: DrillClock) => number;
    };

export interface SignalPlan {
  readonly metric: Metric;
  /** Every label of the series (constant labels and the environment's included). */
  readonly labels: Readonly<Record<string, string>>;
  readonly behaviour: Behaviour;
  /** What drives it, for the drill's header. */
  readonly source: string;
}

/** promtool's expanding notation: `1x3` (1 four times), `0+60x2`, `400-2x30`, `_x5`, `stale`. */
export function expandValues(text: string): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    if (token === '_' || token === 'stale') {
      out.push(undefined);
      continue;
    }
    const blanks = /^_x(\d+)$/.exec(token);
    if (blanks) {
      for (let i = 0; i < Number(blanks[1]); i++) out.push(undefined);
      continue;
    }
    const series = /^(-?[\d.]+(?:e-?\d+)?)(?:([+-])([\d.]+(?:e-?\d+)?))?x(\d+)$/.exec(token);
    if (series) {
      const start = Number(series[1]);
      const step = series[3] === undefined ? 0 : Number(series[3]) * (series[2] === '-' ? -1 : 1);
      for (let i = 0; i <= Number(series[4]); i++) out.push(start + i * step);
      continue;
    }
    out.push(Number(token));
  }
  return out;
}

/** The last defined value at or before `index` (a gauge holds its last sample). */
function heldAt(values: readonly (number | undefined)[], index: number): number | undefined {
  for (let i = Math.min(index, values.length - 1); i >= 0; i--) if (values[i] !== undefined) return values[i];
  return undefined;
}

/** A counter's increase per second between sample `index` and the next (the last step beyond the end). */
function slopeAt(values: readonly (number | undefined)[], index: number, interval: number): number {
  const last = values.length - 2;
  for (let i = Math.min(index, last); i >= 0; i--) {
    const a = values[i];
    const b = values[i + 1];
    if (a !== undefined && b !== undefined) return Math.max(0, b - a) / interval;
  }
  return 0;
}

const seriesKey = (name: string, labels: Readonly<Record<string, string>>): string =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

/** Every label of an example series in an environment. */
function exampleLabels(s: ExampleSeries, env: Environment): Record<string, string> {
  const declared = new Set(s.metric.labels);
  const labels: Record<string, string> = { ...(s.metric.constLabels as Record<string, string>) };
  if (declared.has('namespace')) labels.namespace = env.namespace;
  for (const [k, v] of Object.entries(env.selectorLabels ?? {})) labels[k] = v;
  for (const [k, v] of Object.entries(s.labels))
    labels[k] = typeof v === 'string' ? v : (env.vars?.[v.env] ?? '');
  return labels;
}

/** A series following an example: played (from the fault's start) or steady (its last step). */
function exampleBehaviour(
  s: ExampleSeries,
  intervalSeconds: number,
  factor: number,
  played: boolean,
): Behaviour {
  const values = expandValues(s.values);
  // Steady: the last step. Played: the first step until the fault (examples start healthy), then
  // one step every interval / factor seconds, holding the last.
  const index = (clock: DrillClock): number =>
    !played
      ? values.length - 1
      : clock.sinceFault === undefined
        ? 0
        : Math.floor((clock.sinceFault * factor) / intervalSeconds);
  if (s.metric.type === 'counter')
    return { kind: 'counter', rate: (clock) => slopeAt(values, index(clock), intervalSeconds) };
  return {
    kind: 'gauge',
    value: (clock) => heldAt(values, index(clock)),
  };
}

function sliSignals(
  svc: ResolvedService,
  env: Environment,
  scenario: DrillScenario,
  factor: number,
): SignalPlan[] {
  const broken = brokenSliKinds(scenario.faults);
  const traffic = DRILL.requestsPerSecond;
  const out: SignalPlan[] = [];
  for (const slo of svc.slos) {
    const sli = slo.sli;
    const breaks = broken.has(sli.kind);
    for (const [index, group] of sliGroups(slo).entries()) {
      const faulty = (clock: DrillClock): boolean => breaks && index === 0 && clock.sinceFault !== undefined;
      const labelsOf = (sel: Selector, avoid?: Selector) =>
        seriesLabels(sel, env, group, avoid?.matchers ?? {});
      const source = `SLO ${slo.id}${Object.keys(group).length > 0 ? ` ${JSON.stringify(group)}` : ''}`;
      switch (sli.kind) {
        case 'ratio': {
          const goodSel = sli.good ?? sli.total;
          const goodLabels = labelsOf(goodSel, sli.bad);
          const badSel = sli.bad ?? sli.total;
          const badLabels = sli.bad ? labelsOf(sli.bad) : labelsOf(sli.total, sli.good);
          if (!goodLabels || !badLabels) break;
          out.push(
            {
              metric: goodSel.metric,
              labels: goodLabels,
              behaviour: { kind: 'counter', rate: (c) => (faulty(c) ? 0 : traffic) },
              source,
            },
            {
              metric: badSel.metric,
              labels: badLabels,
              behaviour: { kind: 'counter', rate: (c) => (faulty(c) ? traffic : 0) },
              source,
            },
          );
          break;
        }
        case 'latency': {
          const labels = labelsOf(sli.histogram);
          if (!labels) break;
          out.push({
            metric: sli.histogram.metric,
            labels,
            behaviour: {
              kind: 'histogram',
              rate: () => traffic,
              duration: (c) => (faulty(c) ? 2 * sli.threshold : sli.threshold / 4),
            },
            source,
          });
          break;
        }
        case 'probe': {
          const labels = labelsOf(sli.gauge);
          if (!labels) break;
          out.push({
            metric: sli.gauge.metric,
            labels,
            behaviour: { kind: 'gauge', value: (c) => (faulty(c) ? 0 : 1) },
            source,
          });
          break;
        }
        case 'freshness': {
          const labels = labelsOf(sli.timestamp);
          if (!labels) break;
          const maxAge = durationSeconds(sli.maxAge);
          // Healthy: ingested every quarter of maxAge (in model time). Stale: at the bound when
          // the fault starts, then ageing `factor` model seconds per second.
          const age = (c: DrillClock): number =>
            faulty(c) ? maxAge + (c.sinceFault ?? 0) * factor : (c.sinceStart * factor) % (maxAge / 4);
          out.push({
            metric: sli.timestamp.metric,
            labels,
            behaviour: { kind: 'gauge', value: (c) => Math.round(c.now - age(c)) },
            source,
          });
          break;
        }
        case 'threshold': {
          const labels = labelsOf(sli.gauge);
          if (!labels) break;
          const below = sli.below;
          out.push({
            metric: sli.gauge.metric,
            labels,
            behaviour: { kind: 'gauge', value: (c) => (faulty(c) ? below * 2 : below / 2) },
            source,
          });
          break;
        }
        case 'raw':
          break;
      }
    }
  }
  return out;
}

/**
 * Every series the synthetic service of `svc` exposes in `env` during `scenario`, with its
 * behaviour. `factor` is the drill's time factor.
 */
export function drillSignals(
  svc: ResolvedService,
  env: Environment,
  scenario: DrillScenario,
  factor: number,
): SignalPlan[] {
  const sli = sliSignals(svc, env, scenario, factor);
  const owned = new Set([...svc.slos.flatMap((slo) => sliMetrics(slo.sli)), ...SCRAPE_SERIES]);
  const plans = new Map<string, SignalPlan>();
  for (const plan of sli) {
    const key = seriesKey(plan.metric.name, plan.labels);
    if (!plans.has(key)) plans.set(key, plan);
  }
  const fromExample = (
    alert: string,
    series: readonly ExampleSeries[],
    interval: string,
    played: boolean,
  ) => {
    for (const s of series) {
      if (owned.has(s.metric.name) || s.suffix !== undefined) continue;
      const labels = exampleLabels(s, env);
      const key = seriesKey(s.metric.name, labels);
      if (plans.has(key) && !played) continue;
      plans.set(key, {
        metric: s.metric,
        labels,
        behaviour: exampleBehaviour(s, durationSeconds(interval), factor, played),
        source: `${alert} ${played ? 'firing' : 'healthy'} example`,
      });
    }
  };
  for (const alert of svc.alerts ?? [])
    if (alert.examples.healthy)
      fromExample(alert.name, alert.examples.healthy.series, alert.examples.healthy.interval ?? '1m', false);
  for (const name of scenario.play) {
    const alert = (svc.alerts ?? []).find((a) => a.name === name);
    if (alert) fromExample(name, alert.examples.firing.series, alert.examples.firing.interval ?? '1m', true);
  }
  const covered = new Set([...plans.values()].map((p) => p.metric.name));
  for (const metric of Object.values(svc.metrics)) {
    if (covered.has(metric.name) || owned.has(metric.name)) continue;
    if (metric.type !== 'gauge' && metric.type !== 'counter') continue;
    const labels = seriesLabels({ metric, matchers: {} }, env);
    if (!labels) continue;
    plans.set(seriesKey(metric.name, labels), {
      metric,
      labels,
      behaviour:
        metric.type === 'gauge' ? { kind: 'gauge', value: () => 1 } : { kind: 'counter', rate: () => 1 },
      source: 'default',
    });
  }
  return [...plans.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, plan]) => plan);
}

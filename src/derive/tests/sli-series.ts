/**
 * Synthetic input series for an SLI, in the metric contract, that hold a given error ratio phase by
 * phase. Counters grow by exact rational increments; time-based SLIs spread their bad samples
 * evenly (sample j of a phase is bad when floor(j * ratio) steps up), so a steady ratio stays
 * steady at every window length the rules look at.
 */

import type { Selector } from '../../model/metrics.ts';
import type { ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import {
  add,
  durationSeconds,
  formatNumber,
  formatRational,
  mul,
  type Rational,
  rational,
  sub,
} from '../../model/units.ts';
import { renderSelector } from '../../promql/index.ts';
import { seriesLabels } from '../../synth/labels.ts';
import type { InputSeries } from './types.ts';

export interface Phase {
  /** Length of the phase, seconds (a multiple of the sample interval). */
  readonly seconds: number;
  /** Share of bad events (or bad time) during the phase. */
  readonly errorRatio: Rational;
}

export interface SeriesOptions {
  /** Sample interval, seconds. */
  readonly step: number;
  /** Requests per second of counter SLIs. @default 10 */
  readonly trafficPerSecond?: number;
  /** How the latency bucket's `le` is printed (`2` by Go clients, `2.0` by Python ones). */
  readonly le?: string;
}

/** Values of the grouping labels, one label set per group; the first group is the one that burns. */
export function sliGroups(slo: ResolvedSlo): Record<string, string>[] {
  const sel = primarySelector(slo);
  if (!sel || slo.groupBy.length === 0) return [{}];
  const [first, ...rest] = slo.groupBy as [string, ...string[]];
  const fixed = Object.fromEntries(
    rest.map((label) => [label, sel.metric.values?.[label]?.[0] ?? 'synthetic']),
  );
  const values = sel.metric.values?.[first] ?? ['synthetic'];
  return values.map((value) => ({ ...fixed, [first]: value }));
}

/** The selector whose series every SLI kind reads; undefined for raw PromQL. */
export function primarySelector(slo: ResolvedSlo): Selector | undefined {
  const sli = slo.sli;
  switch (sli.kind) {
    case 'ratio':
      return sli.total;
    case 'latency':
      return sli.histogram;
    case 'probe':
      return sli.gauge;
    case 'freshness':
      return sli.timestamp;
    case 'threshold':
      return sli.gauge;
    case 'raw':
      return undefined;
  }
}

const seriesText = (name: string, labels: Readonly<Record<string, string>>, env: Environment): string =>
  renderSelector(name, labels, env);

/** `start+incxN` tokens of a counter growing by `inc` per sample through each phase. */
function counterValues(
  phases: readonly Phase[],
  step: number,
  traffic: number,
  share: (p: Phase) => Rational,
): string {
  let value = rational(0n);
  const tokens: string[] = [];
  phases.forEach((phase, i) => {
    const samples = phase.seconds / step;
    const inc = mul(share(phase), rational(BigInt(traffic * step)));
    const start = i === 0 ? value : add(value, inc);
    const repeats = i === 0 ? samples : samples - 1;
    tokens.push(`${formatRational(start)}+${formatRational(inc)}x${repeats}`);
    value = add(start, mul(inc, rational(BigInt(repeats))));
  });
  return tokens.join(' ');
}

/** Per sample (the initial one first, always good), whether it is bad. */
function badSamples(phases: readonly Phase[], step: number): boolean[] {
  const out = [false];
  for (const phase of phases) {
    const { num, den } = phase.errorRatio;
    for (let j = 1n; j <= BigInt(phase.seconds / step); j++)
      out.push((j * num) / den > ((j - 1n) * num) / den);
  }
  return out;
}

/** Consecutive runs of equal flags: [flag, start index, length]. */
function runs(flags: readonly boolean[]): [boolean, number, number][] {
  const out: [boolean, number, number][] = [];
  flags.forEach((flag, i) => {
    const last = out.at(-1);
    if (last && last[0] === flag) last[2] += 1;
    else out.push([flag, i, 1]);
  });
  return out;
}

type Run = readonly [isBad: boolean, start: number, length: number];

const gaugeValues = (bad: readonly Run[]): string =>
  bad.map(([isBad, , length]) => `${isBad ? 0 : 1}x${length - 1}`).join(' ');

/** Timestamp gauge: equal to the sample time when fresh, older than maxAge when stale. */
const timestampValues = (bad: readonly Run[], step: number, maxAge: number): string =>
  bad
    .map(([isBad, start, length]) => `${start * step - (isBad ? maxAge + step : 0)}+${step}x${length - 1}`)
    .join(' ');

/** What a series of an SLI holds: a counter of good, bad or all events, or a time-based gauge. */
type SeriesRole = 'good' | 'bad' | 'all' | 'gauge' | 'timestamp' | 'threshold';

interface NamedSeries {
  readonly series: string;
  readonly role: SeriesRole;
}

/** The series of each group of an SLI in `env`, in file order; undefined without a contract. */
function nameSeries(slo: ResolvedSlo, env: Environment, le: string | undefined): NamedSeries[][] | undefined {
  const sli = slo.sli;
  const groups: NamedSeries[][] = [];
  for (const group of sliGroups(slo)) {
    const labelsOf = (sel: Selector, avoid?: Selector) =>
      seriesLabels(sel, env, group, avoid?.matchers ?? {});
    switch (sli.kind) {
      case 'ratio': {
        const badSel = sli.bad ?? sli.total;
        const goodSel = sli.good ?? sli.total;
        const goodLabels = labelsOf(goodSel, sli.bad);
        const badLabels = sli.bad ? labelsOf(sli.bad) : labelsOf(sli.total, sli.good);
        if (!goodLabels || !badLabels) return undefined;
        groups.push([
          { series: seriesText(goodSel.metric.name, goodLabels, env), role: 'good' },
          { series: seriesText(badSel.metric.name, badLabels, env), role: 'bad' },
        ]);
        break;
      }
      case 'latency': {
        const labels = labelsOf(sli.histogram);
        if (!labels) return undefined;
        const name = sli.histogram.metric.name;
        groups.push([
          {
            series: seriesText(`${name}_bucket`, { ...labels, le: le ?? formatNumber(sli.threshold) }, env),
            role: 'good',
          },
          { series: seriesText(`${name}_bucket`, { ...labels, le: '+Inf' }, env), role: 'all' },
          { series: seriesText(`${name}_count`, labels, env), role: 'all' },
        ]);
        break;
      }
      case 'probe': {
        const labels = labelsOf(sli.gauge);
        if (!labels) return undefined;
        groups.push([{ series: seriesText(sli.gauge.metric.name, labels, env), role: 'gauge' }]);
        break;
      }
      case 'freshness': {
        const labels = labelsOf(sli.timestamp);
        if (!labels) return undefined;
        groups.push([{ series: seriesText(sli.timestamp.metric.name, labels, env), role: 'timestamp' }]);
        break;
      }
      case 'threshold': {
        const labels = labelsOf(sli.gauge);
        if (!labels) return undefined;
        groups.push([{ series: seriesText(sli.gauge.metric.name, labels, env), role: 'threshold' }]);
        break;
      }
      case 'raw':
        return undefined;
    }
  }
  return groups;
}

// Every scenario of an SLO (ten or so per environment) reads the same series with other values,
// so they are named once per SLO, environment and `le` spelling (the model is never changed).
const named = new WeakMap<ResolvedSlo, WeakMap<Environment, Map<string, NamedSeries[][] | undefined>>>();
function namedSeries(
  slo: ResolvedSlo,
  env: Environment,
  le: string | undefined,
): NamedSeries[][] | undefined {
  let bySlo = named.get(slo);
  if (!bySlo) {
    bySlo = new WeakMap();
    named.set(slo, bySlo);
  }
  let byEnv = bySlo.get(env);
  if (!byEnv) {
    byEnv = new Map();
    bySlo.set(env, byEnv);
  }
  const key = le === undefined ? '' : `le=${le}`;
  if (!byEnv.has(key)) byEnv.set(key, nameSeries(slo, env, le));
  return byEnv.get(key);
}

const ONE = rational(1n);

/** Values of a series of `role` through the phases (`maxAge`, seconds, for timestamps only). */
function seriesValues(
  role: SeriesRole,
  phases: readonly Phase[],
  step: number,
  traffic: number,
  maxAge: number,
): string {
  switch (role) {
    case 'good':
      return counterValues(phases, step, traffic, (p) => sub(ONE, p.errorRatio));
    case 'bad':
      return counterValues(phases, step, traffic, (p) => p.errorRatio);
    case 'all':
      return counterValues(phases, step, traffic, () => ONE);
    case 'gauge':
      return gaugeValues(runs(badSamples(phases, step)));
    case 'timestamp':
      return timestampValues(runs(badSamples(phases, step)), step, maxAge);
    case 'threshold':
      // `maxAge` carries the bound: twice it while bad, half of it while good.
      return runs(badSamples(phases, step))
        .map(([isBad, , length]) => `${isBad ? maxAge * 2 : maxAge / 2}x${length - 1}`)
        .join(' ');
  }
}

/**
 * Values depend on the SLO's shape, not on the service, and a three-day phase of a time-based SLI
 * is thousands of bigint divisions, so every service with an SLO of the same shape shares them
 * (a handful of shapes in a fleet; the bound only guards odd callers).
 */
const valuesCache = new Map<string, string>();
function cachedValues(
  role: SeriesRole,
  phases: readonly Phase[],
  step: number,
  traffic: number,
  maxAge: number,
): string {
  const shape = phases.map((p) => `${p.seconds}:${p.errorRatio.num}/${p.errorRatio.den}`).join(',');
  const key = `${role}|${step}|${traffic}|${role === 'timestamp' || role === 'threshold' ? maxAge : ''}|${shape}`;
  let found = valuesCache.get(key);
  if (found === undefined) {
    if (valuesCache.size >= 4096) valuesCache.clear();
    found = seriesValues(role, phases, step, traffic, maxAge);
    valuesCache.set(key, found);
  }
  return found;
}

/**
 * Input series holding the phases' error ratios on the first group (other groups stay healthy).
 * Undefined for raw PromQL SLIs, which have no contract to synthesize from.
 */
export function sliInputSeries(
  slo: ResolvedSlo,
  env: Environment,
  phases: readonly Phase[],
  options: SeriesOptions,
): InputSeries[] | undefined {
  const groups = namedSeries(slo, env, options.le);
  if (!groups) return undefined;
  const step = options.step;
  const traffic = options.trafficPerSecond ?? 10;
  const maxAge =
    slo.sli.kind === 'freshness'
      ? durationSeconds(slo.sli.maxAge)
      : slo.sli.kind === 'threshold'
        ? slo.sli.below
        : 0;
  const healthy = phases.map((p) => ({ ...p, errorRatio: rational(0n) }));
  return groups.flatMap((series, index) =>
    series.map(({ series, role }) => ({
      series,
      values: cachedValues(role, index === 0 ? phases : healthy, step, traffic, maxAge),
    })),
  );
}

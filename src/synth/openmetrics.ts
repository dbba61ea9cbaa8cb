/**
 * Synthetic series in a service's metric contract, for benchmarks and drills: OpenMetrics text for
 * `promtool tsdb create-blocks-from openmetrics` (history) and the Prometheus text format for a live
 * scrape target (the present), both from the same pure functions of time, so the live series
 * continue the backfilled ones without a counter reset.
 *
 * Pure: no clock, no randomness (per-value weights come from a hash of the label value), no I/O.
 * History is produced in time chunks and in pieces of text, so days of history at thousands of
 * series never sit in memory at once.
 */
import type { Metric, MetricContract } from '../model/metrics.ts';

const DAY = 86_400;

/** A time span in which the service misbehaves. Times are unix seconds, `[start, end)`. */
export interface Incident {
  readonly start: number;
  readonly end: number;
  /** Share of requests answered with a 5xx status during the incident. */
  readonly errorRatio?: number;
  /** Median request latency during the incident, seconds. */
  readonly latencyMedian?: number;
  /** Gauges (by metric name) that read 0 during the incident (`probe_success`, `pg_up`). */
  readonly down?: readonly string[];
  /** Timestamp gauges (by metric name) that stop advancing during the incident. */
  readonly stale?: readonly string[];
}

/** How the synthetic service behaves. */
export interface TrafficProfile {
  /**
   * Requests per second of one combination of the non-status labels (one handler and method of one
   * job), averaged over a day; a label value's hash makes some busier than others. @default 2
   */
  readonly requestsPerSecond?: number;
  /** Relative amplitude of the daily traffic wave, in [0, 1). @default 0.3 */
  readonly dailyAmplitude?: number;
  /** Share of requests answered with a 5xx status outside incidents. @default 0.001 */
  readonly errorRatio?: number;
  /** Median request latency outside incidents, seconds (log-normal, sigma 0.8). @default 0.2 */
  readonly latencyMedian?: number;
  /** Timestamp gauges advance in steps of this many seconds (an ingestion job's period). @default 900 */
  readonly timestampStep?: number;
  /** Value of gauges that are neither 0/1 (`_up`, `_success`) nor timestamps. @default 0.9 */
  readonly gaugeValue?: number;
  /** Misbehaviour; incidents that set the same field must not overlap. @default [] */
  readonly incidents?: readonly Incident[];
}

/** Which series to synthesize. */
export interface WorkloadSpec {
  /** The metric contract; constant labels are taken from it. */
  readonly metrics: MetricContract;
  /** Values of every non-constant label (`handler`, `method`, `status`, `namespace`, ...). */
  readonly labelValues: Readonly<Record<string, readonly string[]>>;
  /** Only these metrics (by contract name). @default every metric of the contract */
  readonly only?: readonly string[];
  /** Counters are zero at this time (unix seconds): the process start of the synthetic service. */
  readonly origin: number;
  readonly profile?: TrafficProfile;
}

export interface SynthSeries {
  /** Sample name as exposed (`http_requests_total`, `http_request_duration_seconds_bucket`). */
  readonly name: string;
  /** Rendered label set, `{a="1",b="2"}`, labels sorted. */
  readonly labels: string;
  /** Value at unix time `t` (seconds). */
  at(t: number): number;
}

export interface SynthFamily {
  /** Family name (OpenMetrics: counters without `_total`). */
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'unknown';
  readonly help: string;
  readonly series: readonly SynthSeries[];
}

/** FNV-1a of a string, as a fraction in [0, 1). */
function hash01(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

const escapeLabel = (value: string): string =>
  value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

const renderLabels = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`)
    .join(',')}}`;

/** Every combination of the given label values, in a stable order. */
function combinations(
  names: readonly string[],
  values: Readonly<Record<string, readonly string[]>>,
): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const name of names) {
    const options = values[name];
    if (!options || options.length === 0) throw new Error(`no values given for label ${name}`);
    combos = combos.flatMap((combo) => options.map((v) => ({ ...combo, [name]: v })));
  }
  return combos;
}

/** Abramowitz and Stegun 7.1.26: enough for a synthetic latency distribution. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

const LATENCY_SIGMA = 0.8;
/** Share of log-normal latencies (median `median`) at or under `bound`. */
const latencyCdf = (bound: number, median: number): number =>
  bound === Number.POSITIVE_INFINITY
    ? 1
    : 0.5 * (1 + erf(Math.log(bound / median) / (LATENCY_SIGMA * Math.SQRT2)));

/** A piecewise constant factor: `base` outside incidents, the incident's value inside. */
interface Piecewise {
  readonly base: number;
  readonly pieces: readonly { readonly start: number; readonly end: number; readonly value: number }[];
}

const piecewise = (
  base: number,
  incidents: readonly Incident[],
  pick: (i: Incident) => number | undefined,
): Piecewise => ({
  base,
  pieces: incidents.flatMap((i) => {
    const value = pick(i);
    return value === undefined ? [] : [{ start: i.start, end: i.end, value }];
  }),
});

/**
 * Integrals over time of the traffic rate `r (1 + a sin(2 pi s / day))` weighted by piecewise
 * constant factors, from `origin` to `t`: counters are these integrals, so they are monotonic and
 * defined at any instant.
 */
class Traffic {
  private readonly cosOrigin: number;
  constructor(
    private readonly origin: number,
    private readonly amplitude: number,
  ) {
    this.cosOrigin = Math.cos((2 * Math.PI * origin) / DAY);
  }

  /** Integral of the unit-rate wave from origin to t. */
  wave(t: number): number {
    if (t <= this.origin) return 0;
    return (
      t -
      this.origin +
      ((this.amplitude * DAY) / (2 * Math.PI)) * (this.cosOrigin - Math.cos((2 * Math.PI * t) / DAY))
    );
  }

  /** Integral of the wave times `f` from origin to t. */
  weighted(f: Piecewise, t: number): number {
    let total = f.base * this.wave(t);
    for (const p of f.pieces) {
      if (t <= p.start) continue;
      total +=
        (p.value - f.base) * (this.wave(Math.min(t, p.end)) - this.wave(Math.max(p.start, this.origin)));
    }
    return total;
  }
}

/**
 * Caches values by time: many series share one integral, and a document walks the same few hundred
 * instants once per series. The cache is dropped when it grows past a few thousand instants.
 */
function perInstant(compute: (t: number) => number): (t: number) => number {
  const cache = new Map<number, number>();
  return (t) => {
    let value = cache.get(t);
    if (value === undefined) {
      if (cache.size >= 4096) cache.clear();
      value = compute(t);
      cache.set(t, value);
    }
    return value;
  };
}

const inIncident = (incidents: readonly Incident[], t: number, pick: (i: Incident) => boolean): boolean =>
  incidents.some((i) => pick(i) && t >= i.start && t < i.end);

const isErrorStatus = (status: string): boolean => status.startsWith('5');

/**
 * Weight of one label value: mean 1 over the label's values, spread by a hash so some handlers
 * are busier than others (between 0.5 and 1.5 before normalisation).
 */
function valueWeights(label: string, values: readonly string[]): Map<string, number> {
  const raw = values.map((v) => 0.5 + hash01(`${label}=${v}`));
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return new Map(values.map((v, i) => [v, (raw[i] ?? 1) / mean]));
}

/**
 * Share of a status among its class (successes or failures): the first success status listed
 * takes 90% of the successes, the others share the rest; failures share evenly.
 */
function statusShares(statuses: readonly string[]): Map<string, number> {
  const ok = statuses.filter((s) => !isErrorStatus(s));
  const bad = statuses.filter(isErrorStatus);
  const shares = new Map<string, number>();
  ok.forEach((s, i) => {
    shares.set(s, ok.length === 1 ? 1 : i === 0 ? 0.9 : 0.1 / (ok.length - 1));
  });
  for (const s of bad) shares.set(s, 1 / bad.length);
  return shares;
}

const familyName = (metric: Metric): { name: string; type: SynthFamily['type'] } => {
  if (metric.type === 'counter')
    return metric.name.endsWith('_total')
      ? { name: metric.name.slice(0, -'_total'.length), type: 'counter' }
      : { name: metric.name, type: 'unknown' };
  if (metric.type === 'histogram') return { name: metric.name, type: 'histogram' };
  return { name: metric.name, type: 'gauge' };
};

/**
 * The synthetic series of a workload. Counters split the traffic over their label combinations
 * (a `status` label splits it into successes and 5xx failures by the error ratio); histograms
 * hold log-normal latencies; gauges named `*_timestamp_seconds` hold the time of the last
 * ingestion step, `*_up`, `*_success` and `up` are 1 (0 while an incident lists them as down),
 * other gauges hold `gaugeValue`. Summaries are not synthesized.
 */
export function syntheticFamilies(spec: WorkloadSpec): SynthFamily[] {
  const profile = spec.profile ?? {};
  const rps = profile.requestsPerSecond ?? 2;
  const incidents = profile.incidents ?? [];
  const traffic = new Traffic(spec.origin, profile.dailyAmplitude ?? 0.3);
  const errorRatio = piecewise(profile.errorRatio ?? 0.001, incidents, (i) => i.errorRatio);
  const successRatio: Piecewise = {
    base: 1 - errorRatio.base,
    pieces: errorRatio.pieces.map((p) => ({ ...p, value: 1 - p.value })),
  };
  const median = piecewise(profile.latencyMedian ?? 0.2, incidents, (i) => i.latencyMedian);
  const all = perInstant((t) => traffic.wave(t));
  const ok = perInstant((t) => traffic.weighted(successRatio, t));
  const failed = perInstant((t) => traffic.weighted(errorRatio, t));
  const names = (spec.only ?? Object.keys(spec.metrics)).filter((n) => spec.metrics[n]?.type !== 'summary');

  return names.map((metricName) => {
    const metric = spec.metrics[metricName] as Metric;
    const constLabels = (metric.constLabels ?? {}) as Record<string, string>;
    const free = metric.labels.filter((l) => !(l in constLabels));
    const combos = combinations(free, spec.labelValues).map((c) => ({ ...constLabels, ...c }));
    const weights = new Map(free.map((l) => [l, valueWeights(l, spec.labelValues[l] ?? [])]));
    const weightOf = (labels: Record<string, string>): number =>
      free
        .filter((l) => l !== 'status')
        .reduce((w, l) => w * (weights.get(l)?.get(labels[l] ?? '') ?? 1), rps);
    const { name, type } = familyName(metric);
    const series: SynthSeries[] = [];

    if (metric.type === 'counter') {
      const shares = statusShares(spec.labelValues.status ?? []);
      for (const labels of combos) {
        const w = weightOf(labels);
        const status = labels.status;
        const integral = status === undefined ? all : isErrorStatus(status) ? failed : ok;
        const scale = w * (status === undefined ? 1 : (shares.get(status) ?? 0));
        series.push({
          name: metric.name,
          labels: renderLabels(labels),
          at: (t) => Math.floor(scale * integral(t)),
        });
      }
    } else if (metric.type === 'histogram') {
      const bounds = [...(metric.buckets ?? []), Number.POSITIVE_INFINITY];
      const below = bounds.map((bound) => {
        const share: Piecewise = {
          base: latencyCdf(bound, median.base),
          pieces: median.pieces.map((p) => ({ ...p, value: latencyCdf(bound, p.value) })),
        };
        return perInstant((t) => traffic.weighted(share, t));
      });
      const meanFactor = Math.exp((LATENCY_SIGMA * LATENCY_SIGMA) / 2);
      const meanLatency: Piecewise = {
        base: median.base * meanFactor,
        pieces: median.pieces.map((p) => ({ ...p, value: p.value * meanFactor })),
      };
      const seconds = perInstant((t) => traffic.weighted(meanLatency, t));
      for (const labels of combos) {
        const w = weightOf(labels);
        bounds.forEach((bound, i) => {
          const le = bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound);
          const integral = below[i] as (t: number) => number;
          series.push({
            name: `${metric.name}_bucket`,
            labels: renderLabels({ ...labels, le }),
            at: (t) => Math.floor(w * integral(t)),
          });
        });
        series.push({
          name: `${metric.name}_count`,
          labels: renderLabels(labels),
          at: (t) => Math.floor(w * all(t)),
        });
        series.push({
          name: `${metric.name}_sum`,
          labels: renderLabels(labels),
          at: (t) => Math.round(w * seconds(t) * 1000) / 1000,
        });
      }
    } else if (metric.name.endsWith('_timestamp_seconds')) {
      const step = profile.timestampStep ?? 900;
      for (const labels of combos) {
        // Each label set ingests at its own offset within the step.
        const offset = Math.floor(hash01(renderLabels(labels)) * step);
        const last = (t: number): number => Math.floor((t - offset) / step) * step + offset;
        series.push({
          name: metric.name,
          labels: renderLabels(labels),
          at: (t) => {
            const stale = incidents.find((i) => i.stale?.includes(metric.name) && t >= i.start && t < i.end);
            return stale ? last(Math.min(t, stale.start)) : last(t);
          },
        });
      }
    } else {
      const binary = metric.name === 'up' || /_(up|success)$/.test(metric.name);
      const value = profile.gaugeValue ?? 0.9;
      for (const labels of combos)
        series.push({
          name: metric.name,
          labels: renderLabels(labels),
          at: binary
            ? (t) => (inIncident(incidents, t, (i) => i.down?.includes(metric.name) ?? false) ? 0 : 1)
            : () => value,
        });
    }
    return { name, type, help: metric.help, series };
  });
}

/** Shortest exact text of a sample value (`String` never uses an exponent below 1e21). */
const sampleValue = (v: number): string => String(v);

const header = (f: SynthFamily): string =>
  `# HELP ${f.name} ${f.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n# TYPE ${f.name} ${f.type}\n`;

/**
 * One OpenMetrics document holding every sample at `from, from + step, ...` below `to` (unix
 * seconds), family by family and series by series in time order, as pieces of about
 * `pieceBytes` characters; the last piece ends with `# EOF`.
 */
export function* openMetricsDocument(
  families: readonly SynthFamily[],
  from: number,
  to: number,
  step: number,
  pieceBytes = 1 << 20,
): Generator<string> {
  const times: number[] = [];
  for (let t = from; t < to; t += step) times.push(t);
  let piece = '';
  for (const family of families) {
    piece += header(family);
    for (const series of family.series) {
      const prefix = `${series.name}${series.labels} `;
      for (const t of times) piece += `${prefix}${sampleValue(series.at(t))} ${t}\n`;
      if (piece.length >= pieceBytes) {
        yield piece;
        piece = '';
      }
    }
  }
  yield `${piece}# EOF\n`;
}

/**
 * Time chunks `[from, to)` covering `[start, end)`, cut at multiples of `chunk` seconds since the
 * epoch. With the TSDB block length (2h) as `chunk`, each chunk becomes exactly one block, and
 * promtool reads each file once.
 */
export function* timeChunks(start: number, end: number, chunk: number): Generator<[number, number]> {
  for (let from = start; from < end; ) {
    const to = Math.min(end, (Math.floor(from / chunk) + 1) * chunk);
    yield [from, to];
    from = to;
  }
}

/** Prometheus text exposition (format 0.0.4, no timestamps) of every series at unix time `t`. */
export function exposition(families: readonly SynthFamily[], t: number): string {
  const parts: string[] = [];
  for (const family of families) {
    const type = family.type === 'unknown' ? 'untyped' : family.type;
    const name = family.type === 'counter' ? `${family.name}_total` : family.name;
    parts.push(`# HELP ${name} ${family.help}\n# TYPE ${name} ${type}\n`);
    for (const series of family.series)
      parts.push(`${series.name}${series.labels} ${sampleValue(series.at(t))}\n`);
  }
  return parts.join('');
}

/** Number of series of the families. */
export const seriesCount = (families: readonly SynthFamily[]): number =>
  families.reduce((n, f) => n + f.series.length, 0);

import type { Metric, Selector } from './metrics.ts';
import type { Duration } from './units.ts';
import type { SampleKind, WindowPolicy } from './windows.ts';

/** Bad (or good) events over all events, both counters: `rate()` of each. */
export interface RatioSli {
  readonly kind: 'ratio';
  /** Counter of failed events. Exactly one of `bad` and `good`. */
  readonly bad?: Selector;
  /** Counter of successful events. Exactly one of `bad` and `good`. */
  readonly good?: Selector;
  /** Counter of all events. */
  readonly total: Selector;
}

/** Requests faster than a histogram bucket bound over all requests. */
export interface LatencySli {
  readonly kind: 'latency';
  /** The histogram (declared by base name in the contract). */
  readonly histogram: Selector<Metric<string, string, 'histogram'>>;
  /** Bound in the histogram's unit (seconds): must be one of its declared buckets. */
  readonly threshold: number;
}

/** A 0/1 gauge such as `probe_success`: the share of samples that were 0 (time-based). */
export interface ProbeSli {
  readonly kind: 'probe';
  /** The 0/1 gauge. */
  readonly gauge: Selector;
}

/** Age of a unix-seconds timestamp gauge above a bound counts as bad time (time-based). */
export interface FreshnessSli {
  readonly kind: 'freshness';
  /** Gauge holding the unix time in seconds of the last success. */
  readonly timestamp: Selector;
  /** Largest acceptable age. */
  readonly maxAge: Duration;
}

/**
 * A gauge under a bound is good time (consumer lag under 300 seconds, queue depth under 1000):
 * the share of rule evaluations at which the gauge was at or above `below` is bad (time-based,
 * like probe and freshness).
 */
export interface ThresholdSli {
  readonly kind: 'threshold';
  /** The gauge compared with the bound. */
  readonly gauge: Selector;
  /** Values strictly below this are good, in the gauge's unit. */
  readonly below: number;
}

/**
 * Escape hatch: PromQL for bad and total events over a window. `{{.window}}` is replaced by the
 * base window (`5m`); `{{.namespace}}` and `{{.vars.NAME}}` by the environment's values;
 * `{{.selector}}` by the environment's matchers (`namespace="x",cluster="eu-1"`: its namespace and
 * `selectorLabels`), to write inside braces: `x{code=~"5..",{{.selector}}}`. Each expression must
 * return one series per grouping label set.
 */
export interface RawSli {
  readonly kind: 'raw';
  /** Bad events in the window, e.g. `sum(rate(x{code=~"5.."}[{{.window}}]))`. */
  readonly bad: string;
  /** All events in the window. */
  readonly total: string;
  /**
   * What one sample of the expressions is: `requests` (a rate over many events, counters) or
   * `time` (one probe, one evaluation step, one time slice). Only `time` SLIs get windows long
   * enough that one bad sample never pages. @default 'requests'
   */
  readonly samples?: SampleKind;
}

export type Sli = RatioSli | LatencySli | ProbeSli | FreshnessSli | ThresholdSli | RawSli;

/**
 * One burn-rate window pair written out, for alert policies imported from OpenSLO, Sloth or Pyrra
 * that name their own pairs. Fires when the error ratio over both windows is above
 * `factor` x (1 - objective).
 */
export interface ExplicitBurnWindow {
  /** Long window (`1h`). */
  readonly long: Duration;
  /** Short window (`5m`); must not be longer than `long`. @default long / 12, at least four scrape intervals */
  readonly short?: Duration;
  /** Burn rate in multiples of the sustainable rate (14.4): > 0. */
  readonly factor: number;
  /** `critical` belongs to the page tier (`alerting.page`), `warning` to the ticket tier (`alerting.ticket`). */
  readonly severity: 'critical' | 'warning';
  /** `for` of the alert rule (`0s` for none). @default one evaluation interval, as for derived pairs */
  readonly for?: Duration;
}

/** Alerting options of one SLO. */
export interface SloAlerting {
  /**
   * Explicit burn-rate window pairs, replacing the pairs derived from the period (the Workbook
   * table scaled to the period). @default the derived pairs
   */
  readonly windows?: readonly ExplicitBurnWindow[];
  /** Emit the page (severity critical) window pairs. @default true */
  readonly page?: boolean;
  /** Emit the ticket (severity warning) window pairs. @default true */
  readonly ticket?: boolean;
  /** Emit the warning when the SLI series are absent. @default true */
  readonly noData?: boolean;
  /** Extra labels on every alert of this SLO. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra annotations on every alert of this SLO. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Runbook URL; by default the environment's runbook base plus the alert name. */
  readonly runbookUrl?: string;
  /**
   * The latest a total outage may page (`'5m'`): generation fails, naming this field, when the
   * windows chosen (policy, floors, `for`) page later than this, or never. `obsgen explain` shows
   * the time. @default no bound
   */
  readonly pageWithin?: Duration;
}

/** How an SLO is written in a definition file. */
export interface SloSpec {
  /** Identifier, the `slo` label: lower-case kebab (`error-rate`). */
  readonly id: string;
  /** One sentence for humans. */
  readonly description: string;
  /** Target as a fraction in (0, 1): 0.999 for 99.9%. */
  readonly objective: number;
  /** Rolling compliance period. @default '30d' */
  readonly period?: Duration;
  /** Indicator. */
  readonly sli: Sli;
  /** Labels the SLO is evaluated per (`['source']`): each value gets its own budget and alerts. @default [] */
  readonly groupBy?: readonly string[];
  /** Alerting options. */
  readonly alerting?: SloAlerting;
  /**
   * How the burn-rate windows are chosen. `workbook`: the SRE Workbook's 1h/5m, 6h/30m, 1d/2h,
   * 3d/6h, as Sloth and Pyrra use them (periods of 28 to 30 days only). `scaled`: those windows
   * scaled with the period (a 7d SLO pages on 14m/2m). Time-based SLIs (probe, freshness) may get
   * longer windows at strict objectives so one failed probe never pages (see `obsgen explain`).
   * @default 'workbook' for periods of 28 to 30 days, 'scaled' otherwise
   */
  readonly windows?: WindowPolicy;
}

export type Slo = Readonly<SloSpec>;

/** Declares an SLO; returns the frozen definition unchanged (validation happens on load). */
export function defineSlo<const S extends SloSpec>(spec: S): S {
  return Object.freeze(spec);
}

/** Ratio SLI: `bad` (or `good`) counter events over `total`. */
export const ratioSli = (spec: Omit<RatioSli, 'kind'>): RatioSli => Object.freeze({ kind: 'ratio', ...spec });
/** Latency SLI: requests under `threshold` seconds, from a histogram. */
export const latencySli = (spec: Omit<LatencySli, 'kind'>): LatencySli =>
  Object.freeze({ kind: 'latency', ...spec });
/** Probe SLI: share of time a 0/1 gauge was 1. */
export const probeSli = (spec: Omit<ProbeSli, 'kind'>): ProbeSli => Object.freeze({ kind: 'probe', ...spec });
/** Freshness SLI: share of time a timestamp was younger than `maxAge`. */
export const freshnessSli = (spec: Omit<FreshnessSli, 'kind'>): FreshnessSli =>
  Object.freeze({ kind: 'freshness', ...spec });
/** Threshold SLI: share of time a gauge stayed below `below`. */
export const thresholdSli = (spec: Omit<ThresholdSli, 'kind'>): ThresholdSli =>
  Object.freeze({ kind: 'threshold', ...spec });
/** Raw PromQL SLI with a `{{.window}}` placeholder. */
export const rawSli = (spec: Omit<RawSli, 'kind'>): RawSli => Object.freeze({ kind: 'raw', ...spec });

/** What one sample of an SLI is: an event itself for time-based SLIs, a rate over events otherwise. */
export const sampleKindOf = (sli: Sli): SampleKind =>
  sli.kind === 'probe' || sli.kind === 'freshness' || sli.kind === 'threshold'
    ? 'time'
    : sli.kind === 'raw'
      ? (sli.samples ?? 'requests')
      : 'requests';

/** The contract selectors an SLI reads, by the field that holds them (none for a raw SLI). */
export function sliSelectors(sli: Sli): [string, Selector][] {
  switch (sli.kind) {
    case 'ratio':
      return [
        ...(sli.bad ? [['bad', sli.bad] as [string, Selector]] : []),
        ...(sli.good ? [['good', sli.good] as [string, Selector]] : []),
        ['total', sli.total],
      ];
    case 'latency':
      return [['histogram', sli.histogram]];
    case 'probe':
    case 'threshold':
      return [['gauge', sli.gauge]];
    case 'freshness':
      return [['timestamp', sli.timestamp]];
    case 'raw':
      return [];
  }
}

/**
 * Burn-rate window math. Pure and exact: windows are whole seconds, factors and thresholds rationals.
 *
 * Windows scale with the SLO period (a 7d SLO's first page pair is 14m/2m, not 1h/5m), so each pair
 * keeps the Workbook meaning "this share of the budget burns within the long window" and its factor
 * (14.4, 6, 3, 1) stays >= 1 for every period. Windows shorter than four scrape intervals are
 * raised to that floor, and a long window must hold more than 1/threshold samples, so that one
 * bad sample (a failed probe, one stale evaluation) cannot trip a pair on its own; this binds only
 * for short periods (a 24h SLO's first page pair is 4m/2m, not 2m/2m). A raised window keeps its
 * factor, so it spends more budget before it fires, which `explain` shows.
 */
import { div, mul, type Rational, rational, toNumber } from './units.ts';

/** The period the SRE Workbook table is written for; other periods scale its windows. */
export const REFERENCE_PERIOD_SECONDS = 30 * 86_400;

export type BurnTier = 'page' | 'ticket';

export interface BurnPolicy {
  readonly tier: BurnTier;
  readonly severity: 'critical' | 'warning';
  /** Share of the period's error budget that burns within the long window at this rate. */
  readonly budgetShare: Rational;
  /** Long window for a 30 day period, seconds. */
  readonly referenceLongWindow: number;
}

/**
 * Google SRE Workbook, "Alerting on SLOs", multiwindow multi-burn-rate table for 30 days:
 * 2% in 1h (14.4x) and 5% in 6h (6x) page; 10% in 1d (3x) and 10% in 3d (1x) open a ticket.
 */
export const BURN_POLICIES: readonly BurnPolicy[] = [
  { tier: 'page', severity: 'critical', budgetShare: rational(2n, 100n), referenceLongWindow: 3_600 },
  { tier: 'page', severity: 'critical', budgetShare: rational(5n, 100n), referenceLongWindow: 6 * 3_600 },
  { tier: 'ticket', severity: 'warning', budgetShare: rational(10n, 100n), referenceLongWindow: 86_400 },
  { tier: 'ticket', severity: 'warning', budgetShare: rational(10n, 100n), referenceLongWindow: 3 * 86_400 },
];

/** Short window = long window / 12 (the Workbook's reset-time choice). */
export const SHORT_WINDOW_DIVISOR = 12;
/** `rate()` needs several samples: no window shorter than this many scrape intervals. */
export const MIN_WINDOW_SCRAPES = 4;
/** Burn alerts wait long/30 before firing (1h -> 2m, 6h -> 12m), rounded up to evaluations. */
export const FOR_DIVISOR = 30;

export interface WindowPair {
  readonly tier: BurnTier;
  readonly severity: BurnPolicy['severity'];
  /** Long window, seconds. */
  readonly long: number;
  /** Short window, seconds. */
  readonly short: number;
  /** Burn rate: multiples of the error budget rate that trigger the pair. */
  readonly factor: Rational;
  /** `for` of the alert rule, seconds. */
  readonly forSeconds: number;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
const ceilToMultiple = (value: number, step: number): number => Math.ceil(value / step) * step;

export interface WindowOptions {
  /** SLO period, seconds. */
  readonly period: number;
  /** Scrape interval of the SLI's targets, seconds. */
  readonly scrapeInterval: number;
  /** Rule evaluation interval, seconds. */
  readonly evaluationInterval: number;
  /** 1 - objective. */
  readonly errorBudget: Rational;
}

/** Seconds of the smallest whole-minute window holding more than 1/threshold samples of `step`. */
function singleSampleFloor(threshold: Rational, step: number): number {
  if (threshold.num <= 0n) return 0;
  const samples = threshold.den / threshold.num + 1n;
  return Math.ceil((Number(samples) * step) / 60) * 60;
}

/** factor = share of budget x reference period / reference long window: the same for every period. */
const burnFactor = (policy: BurnPolicy): Rational =>
  div(
    mul(policy.budgetShare, rational(BigInt(REFERENCE_PERIOD_SECONDS))),
    rational(BigInt(policy.referenceLongWindow)),
  );

/** The window pairs of an SLO (see the module comment for the rules). */
export function burnWindowPairs(options: WindowOptions): WindowPair[] {
  const { period, scrapeInterval, evaluationInterval, errorBudget } = options;
  const floor = MIN_WINDOW_SCRAPES * scrapeInterval;
  const sampleStep = Math.max(scrapeInterval, evaluationInterval);
  return BURN_POLICIES.map((policy) => {
    const scaledLong = Number(
      ceilDiv(BigInt(policy.referenceLongWindow) * BigInt(period), BigInt(REFERENCE_PERIOD_SECONDS)),
    );
    const factor = burnFactor(policy);
    const sampleFloor = singleSampleFloor(mul(factor, errorBudget), sampleStep);
    const long = Math.max(scaledLong, floor, sampleFloor);
    const short = Math.max(Math.ceil(scaledLong / SHORT_WINDOW_DIVISOR), floor);
    // Whole minutes once past a minute, so `for` reads 12m rather than 690s.
    const forSeconds = defaultForSeconds(long, evaluationInterval);
    return { tier: policy.tier, severity: policy.severity, long, short, factor, forSeconds };
  });
}

/** An explicit pair in seconds (`alerting.windows` of an SLO, durations already parsed). */
export interface ExplicitWindowSeconds {
  readonly long: number;
  /** Undefined: long / 12, at least four scrape intervals. */
  readonly short?: number;
  readonly factor: Rational;
  readonly severity: 'critical' | 'warning';
  /** Undefined: long / 30 rounded up as for derived pairs. */
  readonly forSeconds?: number;
}

/** `for` of a pair whose long window is `long`: long / 30 in whole evaluations, whole minutes past a minute. */
export function defaultForSeconds(long: number, evaluationInterval: number): number {
  const forStep = long / FOR_DIVISOR > 60 ? Math.max(60, evaluationInterval) : evaluationInterval;
  return ceilToMultiple(long / FOR_DIVISOR, forStep);
}

/** Window pairs written out by the SLO (imported alert policies), in the order given. */
export function explicitWindowPairs(
  windows: readonly ExplicitWindowSeconds[],
  scrapeInterval: number,
  evaluationInterval: number,
): WindowPair[] {
  const floor = MIN_WINDOW_SCRAPES * scrapeInterval;
  return windows.map((w) => ({
    tier: w.severity === 'critical' ? 'page' : 'ticket',
    severity: w.severity,
    long: w.long,
    short: w.short ?? Math.min(w.long, Math.max(Math.ceil(w.long / SHORT_WINDOW_DIVISOR), floor)),
    factor: w.factor,
    forSeconds: w.forSeconds ?? defaultForSeconds(w.long, evaluationInterval),
  }));
}

/** The one window raw series are read over: the shortest window of all pairs. */
export const baseWindow = (pairs: readonly WindowPair[]): number => Math.min(...pairs.map((p) => p.short));

/** Error ratio above which a pair's windows trigger: factor x (1 - objective). */
export const errorRatioThreshold = (pair: WindowPair, errorBudget: Rational): Rational =>
  mul(pair.factor, errorBudget);

/**
 * Seconds after the start of a total outage until the error ratio over `window` exceeds
 * `threshold`, for the generated rule shape: raw series are averaged over `base` first (the base
 * window rate), longer windows sum those recorded values, so the error ratio ramps up
 * quadratically for one base window, then linearly. Undefined when it never exceeds it.
 */
export function outageCrossingSeconds(window: number, base: number, threshold: number): number | undefined {
  if (threshold >= 1) return undefined;
  if (window <= base) return threshold * window;
  // ratio(t) = t^2 / (2 * base * window) while t <= base, then (t - base / 2) / window.
  const bound = threshold * window;
  return bound <= base / 2 ? Math.sqrt(2 * base * window * threshold) : bound + base / 2;
}

export interface PairExplanation {
  readonly pair: WindowPair;
  /** Error ratio the pair triggers at. */
  readonly threshold: Rational;
  /** Seconds from the start of a total outage until both windows exceed the threshold. */
  readonly conditionSeconds: number | undefined;
  /** conditionSeconds plus the rule's `for`: when the alert fires. */
  readonly firesAfterSeconds: number | undefined;
  /** Share of the period's budget a total outage spends before the alert fires. */
  readonly budgetSpent: number | undefined;
}

/** Detection time and budget spent of each pair, for a total outage (error ratio 1). */
export function explainPairs(
  pairs: readonly WindowPair[],
  errorBudget: Rational,
  period: number,
): PairExplanation[] {
  const base = baseWindow(pairs);
  return pairs.map((pair) => {
    const threshold = errorRatioThreshold(pair, errorBudget);
    const t = toNumber(threshold);
    const long = outageCrossingSeconds(pair.long, base, t);
    const short = outageCrossingSeconds(pair.short, base, t);
    const conditionSeconds =
      long === undefined || short === undefined ? undefined : Math.ceil(Math.max(long, short));
    const firesAfterSeconds = conditionSeconds === undefined ? undefined : conditionSeconds + pair.forSeconds;
    const budgetSpent =
      firesAfterSeconds === undefined ? undefined : firesAfterSeconds / (period * toNumber(errorBudget));
    return { pair, threshold, conditionSeconds, firesAfterSeconds, budgetSpent };
  });
}

/**
 * Burn-rate window math. Pure and exact: windows are whole seconds, factors and thresholds rationals.
 *
 * Two window policies. `workbook` is the SRE Workbook table (1h/5m, 6h/30m, 1d/2h, 3d/6h) as
 * written, for periods of 28 to 30 days only, so windows read as everywhere else. `scaled` scales
 * those windows with the period (a 7d SLO's first page pair is 14m/2m), keeping the meaning "this
 * share of the budget burns within the long window". Both keep the factors (14.4, 6, 3, 1).
 *
 * Two floors. No window is shorter than four scrape intervals (`rate()` needs samples). And where
 * the SLI's samples are the events (probe, freshness: time-based SLIs), a long window must hold
 * more than 1/threshold samples, so one failed probe cannot trip a pair on its own. That floor
 * binds whenever factor x budget is small: short periods and strict objectives alike (a 99.99%
 * probe SLO pages on 348m, not 1h). Request-based SLIs (ratio, latency, raw) never get it: there a
 * sample is a rate over many requests, and one bad request is 1/requests of the ratio, so their
 * windows stay the policy's and a total outage at 99.99% pages within minutes. A raised window
 * keeps its factor, so it spends more budget before it fires, which `explain` shows.
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

/**
 * How the windows of an SLO are chosen: `workbook`, the Workbook table as written (periods of 28
 * to 30 days only); `scaled`, the table scaled with the period.
 */
export type WindowPolicy = 'workbook' | 'scaled';

/** Periods the Workbook table is used for as written (Sloth and Pyrra use it for 28d and 30d). */
export const WORKBOOK_PERIOD_RANGE = { min: 28 * 86_400, max: 30 * 86_400 } as const;

/** Whether the `workbook` policy fits a period, seconds. */
export const workbookFits = (period: number): boolean =>
  period >= WORKBOOK_PERIOD_RANGE.min && period <= WORKBOOK_PERIOD_RANGE.max;

/** The policy of an SLO that names none: `workbook` where it fits, `scaled` otherwise. */
export const defaultWindowPolicy = (period: number): WindowPolicy =>
  workbookFits(period) ? 'workbook' : 'scaled';

/**
 * What a sample of the SLI is: `requests`, a rate over many events (ratio, latency, raw over
 * counters); `time`, one event itself (a probe result, a freshness check).
 */
export type SampleKind = 'requests' | 'time';

/** Which rule set a window: the policy, the four-scrape floor or the one-bad-sample floor. */
export type WindowRule = 'policy' | 'scrape-floor' | 'sample-floor';

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
  /** The policy the windows come from; `explicit` for pairs written out by the SLO. */
  readonly policy: WindowPolicy | 'explicit';
  /** What set the long window. */
  readonly longRule: WindowRule;
  /** What set the short window. */
  readonly shortRule: Exclude<WindowRule, 'sample-floor'>;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

export interface WindowOptions {
  /** SLO period, seconds. */
  readonly period: number;
  /** Scrape interval of the SLI's targets, seconds. */
  readonly scrapeInterval: number;
  /** Rule evaluation interval, seconds. */
  readonly evaluationInterval: number;
  /** 1 - objective. */
  readonly errorBudget: Rational;
  /** What a sample of the SLI is; only `time` gets the one-bad-sample floor. */
  readonly samples: SampleKind;
  /** @default defaultWindowPolicy(period) */
  readonly policy?: WindowPolicy;
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

/** Long window of a Workbook row under a policy, before the floors. */
const policyLongWindow = (row: BurnPolicy, policy: WindowPolicy, period: number): number =>
  policy === 'workbook'
    ? row.referenceLongWindow
    : Number(ceilDiv(BigInt(row.referenceLongWindow) * BigInt(period), BigInt(REFERENCE_PERIOD_SECONDS)));

/**
 * `for` of every pair: one evaluation. The short window already proves the burn is still going
 * on, which is why the Workbook and Sloth use no `for`; a longer one only delays (long/30 made a
 * 1d ticket wait 48 minutes after its condition held). One evaluation, not none, so that a single
 * bad evaluation (a scrape gap, a restart) never notifies on its own.
 */
export const pairForSeconds = (evaluationInterval: number): number => evaluationInterval;

/** The largest of the candidates and the rule that chose it (the first on a tie). */
function largest<R extends string>(candidates: readonly (readonly [number, R])[]): readonly [number, R] {
  return candidates.reduce((best, c) => (c[0] > best[0] ? c : best));
}

/** The window pairs of an SLO (see the module comment for the rules). */
export function burnWindowPairs(options: WindowOptions): WindowPair[] {
  const { period, scrapeInterval, evaluationInterval, errorBudget, samples } = options;
  const policy = options.policy ?? defaultWindowPolicy(period);
  const floor = MIN_WINDOW_SCRAPES * scrapeInterval;
  const sampleStep = Math.max(scrapeInterval, evaluationInterval);
  return BURN_POLICIES.map((row) => {
    const policyLong = policyLongWindow(row, policy, period);
    const factor = burnFactor(row);
    const sampleFloor = samples === 'time' ? singleSampleFloor(mul(factor, errorBudget), sampleStep) : 0;
    const [long, longRule] = largest<WindowRule>([
      [policyLong, 'policy'],
      [floor, 'scrape-floor'],
      [sampleFloor, 'sample-floor'],
    ]);
    const [short, shortRule] = largest<'policy' | 'scrape-floor'>([
      [Math.ceil(policyLong / SHORT_WINDOW_DIVISOR), 'policy'],
      [floor, 'scrape-floor'],
    ]);
    const forSeconds = pairForSeconds(evaluationInterval);
    return {
      tier: row.tier,
      severity: row.severity,
      long,
      short,
      factor,
      forSeconds,
      policy,
      longRule,
      shortRule,
    };
  });
}

/** An explicit pair in seconds (`alerting.windows` of an SLO, durations already parsed). */
export interface ExplicitWindowSeconds {
  readonly long: number;
  /** Undefined: long / 12, at least four scrape intervals. */
  readonly short?: number;
  readonly factor: Rational;
  readonly severity: 'critical' | 'warning';
  /** Undefined: one evaluation, as for derived pairs. */
  readonly forSeconds?: number;
}

/** Window pairs written out by the SLO (imported alert policies), in the order given. */
export function explicitWindowPairs(
  windows: readonly ExplicitWindowSeconds[],
  scrapeInterval: number,
  evaluationInterval: number,
): WindowPair[] {
  const floor = MIN_WINDOW_SCRAPES * scrapeInterval;
  return windows.map((w) => {
    const [short, shortRule] =
      w.short !== undefined
        ? ([w.short, 'policy'] as const)
        : largest<'policy' | 'scrape-floor'>([
            [Math.ceil(w.long / SHORT_WINDOW_DIVISOR), 'policy'],
            [floor, 'scrape-floor'],
          ]);
    return {
      tier: w.severity === 'critical' ? 'page' : 'ticket',
      severity: w.severity,
      long: w.long,
      short: Math.min(w.long, short),
      factor: w.factor,
      forSeconds: w.forSeconds ?? pairForSeconds(evaluationInterval),
      policy: 'explicit',
      longRule: 'policy',
      shortRule,
    };
  });
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

/**
 * Detection time and budget spent of each pair, for a steady error ratio starting at once: 1 for
 * a total outage, 10 x budget for a 10x burn.
 */
export function explainPairs(
  pairs: readonly WindowPair[],
  errorBudget: Rational,
  period: number,
  errorRatio = 1,
): PairExplanation[] {
  const base = baseWindow(pairs);
  return pairs.map((pair) => {
    const threshold = errorRatioThreshold(pair, errorBudget);
    // A ratio r crosses t when the outage's ramp crosses t / r.
    const t = toNumber(threshold) / errorRatio;
    const long = outageCrossingSeconds(pair.long, base, t);
    const short = outageCrossingSeconds(pair.short, base, t);
    const conditionSeconds =
      long === undefined || short === undefined ? undefined : Math.ceil(Math.max(long, short));
    const firesAfterSeconds = conditionSeconds === undefined ? undefined : conditionSeconds + pair.forSeconds;
    const budgetSpent =
      firesAfterSeconds === undefined
        ? undefined
        : (firesAfterSeconds * errorRatio) / (period * toNumber(errorBudget));
    return { pair, threshold, conditionSeconds, firesAfterSeconds, budgetSpent };
  });
}

/** The first page of a steady error ratio: the earliest page pair to fire, or undefined for never. */
export function firstPage(
  pairs: readonly WindowPair[],
  errorBudget: Rational,
  period: number,
  errorRatio = 1,
): PairExplanation | undefined {
  const fired = explainPairs(pairs, errorBudget, period, errorRatio).filter(
    (e) => e.pair.tier === 'page' && e.firesAfterSeconds !== undefined,
  );
  return fired.reduce<PairExplanation | undefined>(
    (best, e) =>
      best === undefined || (e.firesAfterSeconds ?? 0) < (best.firesAfterSeconds ?? 0) ? e : best,
    undefined,
  );
}

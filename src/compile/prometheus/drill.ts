/**
 * Drill mode: the generated rules with time compressed by one factor, for `obsgen drill` only.
 * Every range, subquery range and step, offset, `for` and group interval is divided by the factor;
 * names, labels, annotations and thresholds stay as generated (so the drill's alerts carry the
 * windows of the real rules: `long_window="1h"`). Values that are not windows (a 7200 s age bound,
 * `predict_linear`'s horizon) are left alone. Pure.
 */
import { DRILL } from '../../conventions.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import { formatDurationMs, parseDurationMs } from '../../model/units.ts';
import { explainPairs, MIN_WINDOW_SCRAPES } from '../../model/windows.ts';
import { durationSpans, scaleDurations } from '../../promql/index.ts';
import { isAlertingRule, type RuleFile } from './types.ts';

export interface DrillFactor {
  /** Every window and `for` is divided by it. */
  readonly factor: number;
  /** The shortest range of the rules, seconds (before scaling). */
  readonly shortestRangeSeconds: number;
  /** Seconds after which a total outage fires the fastest page (explain), before scaling. */
  readonly fastestPageSeconds: number | undefined;
}

export type DrillFactorResult =
  | { readonly ok: true; readonly value: DrillFactor }
  | { readonly ok: false; readonly message: string };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Every duration of a rule file in milliseconds, and the ranges among them. */
function ruleDurations(rules: RuleFile): { all: number[]; ranges: number[] } {
  const all: number[] = [];
  const ranges: number[] = [];
  for (const group of rules.groups) {
    const interval = group.interval ? parseDurationMs(group.interval) : undefined;
    if (interval) all.push(interval);
    for (const rule of group.rules) {
      if (isAlertingRule(rule) && rule.for) {
        const ms = parseDurationMs(rule.for);
        if (ms) all.push(ms);
      }
      for (const span of durationSpans(rule.expr)) {
        all.push(span.ms);
        if (span.role === 'range') ranges.push(span.ms);
      }
    }
  }
  return { all, ranges };
}

/**
 * The time factor of a drill, from the model: the largest whole number that divides every duration
 * of the service's rules (and its scrape interval) into whole seconds while keeping every range at
 * least MIN_WINDOW_SCRAPES drill scrapes long. The fastest page of a total outage (as `explain`
 * predicts it) must then fire within DRILL.fastestPageSeconds.
 */
export function drillFactor(svc: ResolvedService, rules: RuleFile): DrillFactorResult {
  const { all, ranges } = ruleDurations(rules);
  const seconds = [...all.map((ms) => ms / 1000), svc.scrapeInterval, svc.evaluationInterval].filter(
    (s) => s > 0,
  );
  if (seconds.some((s) => !Number.isInteger(s)))
    return { ok: false, message: 'the rules hold durations that are not whole seconds' };
  const divisor = seconds.reduce(gcd);
  const shortestRange = Math.min(...ranges.map((ms) => ms / 1000), svc.scrapeInterval * MIN_WINDOW_SCRAPES);
  const bound = Math.floor(shortestRange / (MIN_WINDOW_SCRAPES * DRILL.scrapeIntervalSeconds));
  let factor = 1;
  for (let f = Math.min(bound, divisor); f >= 1; f--)
    if (divisor % f === 0) {
      factor = f;
      break;
    }
  const pages = svc.slos.flatMap((slo) =>
    slo.alerting.page
      ? explainPairs(slo.windows, slo.errorBudget, slo.period)
          .filter((e) => e.pair.tier === 'page')
          .flatMap((e) => (e.firesAfterSeconds === undefined ? [] : [e.firesAfterSeconds]))
      : [],
  );
  const fastest = pages.length > 0 ? Math.min(...pages) : undefined;
  if (fastest !== undefined && fastest / factor > DRILL.fastestPageSeconds)
    return {
      ok: false,
      message: `with a time factor of ${factor} (the most the shortest range, ${formatDurationMs(shortestRange * 1000)}, allows) the fastest page fires after ${Math.ceil(fastest / factor)}s, more than ${DRILL.fastestPageSeconds}s`,
    };
  return { ok: true, value: { factor, shortestRangeSeconds: shortestRange, fastestPageSeconds: fastest } };
}

function scaled(duration: string, factor: number): string {
  const ms = parseDurationMs(duration);
  return ms === undefined ? duration : formatDurationMs(Math.round(ms / factor));
}

/** The rule file with every range, offset, subquery step, `for` and group interval divided by `factor`. */
export function toDrillRuleFile(rules: RuleFile, factor: number): RuleFile {
  return {
    groups: rules.groups.map((group) => ({
      ...group,
      ...(group.interval ? { interval: scaled(group.interval, factor) } : {}),
      rules: group.rules.map((rule) =>
        isAlertingRule(rule)
          ? {
              ...rule,
              expr: scaleDurations(rule.expr, factor),
              ...(rule.for ? { for: scaled(rule.for, factor) } : {}),
            }
          : { ...rule, expr: scaleDurations(rule.expr, factor) },
      ),
    })),
  };
}

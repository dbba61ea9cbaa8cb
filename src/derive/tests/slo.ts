/**
 * promtool unit tests proving each SLO's burn alerts, derived from the model and the same window
 * math `obsgen explain` prints:
 *
 * - outage: a healthy hour, then a total outage; the first page pair fires by the time explain
 *   predicts plus one evaluation interval, nothing fires while healthy, and after recovery the
 *   page resolves within its short window (what the short window is for); a second, longer
 *   outage fires every other enabled pair by its own predicted time;
 * - burst: a total outage short enough for the long window to absorb does not page (what the long
 *   window is for), though it is long enough to keep the short window over the threshold;
 * - half-budget: a steady burn at half the budget rate for three days fires nothing;
 * - budget-rate: a steady burn at exactly the budget rate (1x) never pages, over twice the longest
 *   page window;
 * - one-bad-sample (time-based SLIs): one failed probe among good ones fires nothing, over the
 *   longest window;
 * - between: a steady burn between the ticket and page factors fires the first ticket pair and
 *   never a page;
 * - each window pair's threshold from both sides: 0.9x its error ratio stays silent, 1.1x fires;
 * - no-data: without SLI series the no-data alert fires, with its labels and annotations.
 *
 * Latency SLOs repeat the outage with the histogram's `le` printed both ways (`2` and `2.0`).
 */

import { type AlertingRule, isAlertingRule, type RuleFile } from '../../compile/prometheus/index.ts';
import { burnAlertName, LABEL, NO_DATA_FOR_SECONDS, noDataAlertName } from '../../conventions.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { sampleKindOf } from '../../model/slo.ts';
import {
  add,
  div,
  formatNumber,
  formatSeconds,
  humanizeSeconds,
  mul,
  type Rational,
  rational,
  sub,
  toNumber,
} from '../../model/units.ts';
import { errorRatioThreshold, explainPairs, type WindowPair } from '../../model/windows.ts';
import { quote } from '../../promql/index.ts';
import { seriesName } from './catalog.ts';
import { type Phase, primarySelector, sliGroups, sliInputSeries } from './sli-series.ts';
import type { ExpectedSample, PromqlExprTest, Proof, Scenario, ScenarioKind } from './types.ts';

const HOUR = 3_600;
const DAY = 86_400;

/**
 * Length of the half-budget run: every enabled window full and its `for` held, in whole hours. A
 * steady ratio reads the same over every window, so a longer run proves nothing more (three days
 * for the Workbook's 3d ticket, 17h for a 7d period's scaled windows).
 */
const steadyRun = (ctx: Context): number =>
  ceilTo(
    Math.max(...ctx.slo.windows.filter((p) => enabled(ctx.slo, p)).map((p) => p.long + p.forSeconds), HOUR) +
      2 * ctx.evaluation,
    HOUR,
  );

const labelText = (labels: Readonly<Record<string, string>>): string =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${quote(labels[k] ?? '')}`)
    .join(',')}}`;

const ceilTo = (seconds: number, step: number): number => Math.ceil(seconds / step) * step;
const floorTo = (seconds: number, step: number): number => Math.floor(seconds / step) * step;

interface Context {
  readonly svc: ResolvedService;
  readonly slo: ResolvedSlo;
  readonly env: Environment;
  /** Sample interval of the input series: the service's scrape interval. */
  readonly step: number;
  /** Evaluation interval promtool replays the rules at, seconds. */
  readonly evaluation: number;
  /** Labels of each generated burn alert, by pair index. */
  readonly alertLabels: readonly Readonly<Record<string, string>>[];
  /** The SLO's no-data alert rule, when it has one. */
  readonly noData: { readonly alert: string; readonly rule: AlertingRule } | undefined;
}

/** ALERTS labels of a pair's alert on the burning group. */
function firingLabels(ctx: Context, pairIndex: number): Record<string, string> {
  const group = sliGroups(ctx.slo)[0] ?? {};
  return {
    ...ctx.alertLabels[pairIndex],
    ...group,
    alertname: burnAlertName(ctx.slo.id),
    alertstate: 'firing',
  };
}

/** Selector of the SLO's firing burn alerts, narrowed by extra label matchers. */
const alertsSelector = (ctx: Context, extra: Readonly<Record<string, string>> = {}): string =>
  `ALERTS${labelText({ alertname: burnAlertName(ctx.slo.id), alertstate: 'firing', ...extra })}`;

/** Whether the pair's alert was firing at any time in the last `seconds` at `at`. */
function firedDuring(
  ctx: Context,
  pair: WindowPair,
  at: number,
  seconds: number,
  expected: boolean,
): PromqlExprTest {
  const index = ctx.slo.windows.indexOf(pair);
  const exp: ExpectedSample[] = expected ? [{ labels: labelText(firingLabels(ctx, index)), value: 1 }] : [];
  return {
    expr: `max_over_time(${alertsSelector(ctx, windowLabels(pair))}[${formatSeconds(seconds)}])`,
    eval_time: formatSeconds(at),
    exp_samples: exp,
  };
}

const windowLabels = (pair: WindowPair): Record<string, string> => ({
  [LABEL.longWindow]: formatSeconds(pair.long),
  [LABEL.shortWindow]: formatSeconds(pair.short),
});

/** A proof about one window pair's burn alert. */
const pairProof = (ctx: Context, pair: WindowPair, fires: boolean): Proof => ({
  alert: burnAlertName(ctx.slo.id),
  labels: { ...windowLabels(pair), [LABEL.severity]: pair.severity },
  fires,
});

function test(
  ctx: Context,
  kind: ScenarioKind,
  name: string,
  phases: Phase[],
  checks: PromqlExprTest[],
  proves: Proof[],
  le?: string,
): Scenario | undefined {
  const series = sliInputSeries(ctx.slo, ctx.env, phases, { step: ctx.step, ...(le ? { le } : {}) });
  if (!series) return undefined;
  return {
    name: `${ctx.slo.id}: ${name}`,
    owner: `${ctx.svc.name}/${ctx.slo.id}`,
    kind,
    alerts: [...new Set([burnAlertName(ctx.slo.id), ...proves.map((p) => p.alert)])],
    proves,
    metrics: [...new Set(series.map((s) => seriesName(s.series)))].sort(),
    interval: formatSeconds(ctx.step),
    seconds: phases.reduce((sum, p) => sum + p.seconds, 0),
    input_series: series,
    promql_expr_test: checks,
  };
}

const enabled = (slo: ResolvedSlo, pair: WindowPair): boolean =>
  pair.tier === 'page' ? slo.alerting.page : slo.alerting.ticket;

/** When each enabled pair fires on a total outage: its condition, its `for`, one evaluation. */
function outageDeadlines(ctx: Context): { pair: WindowPair; deadline: number }[] {
  const evaluation = ctx.evaluation;
  return explainPairs(ctx.slo.windows, ctx.slo.errorBudget, ctx.slo.period)
    .filter((e) => enabled(ctx.slo, e.pair) && e.firesAfterSeconds !== undefined)
    .map((e) => ({
      pair: e.pair,
      deadline: ceilTo(
        (e.conditionSeconds ?? e.firesAfterSeconds ?? 0) + ceilTo(e.pair.forSeconds, evaluation) + evaluation,
        evaluation,
      ),
    }))
    .sort((a, b) => a.deadline - b.deadline);
}

/**
 * Healthy hour, then a total outage just long enough for the first pair to fire by the time
 * explain predicts, then recovery: the page resolves within its short window. Kept short (the
 * first pair only) so that it replays in minutes and a mutated window or threshold fails it.
 */
function outageTest(ctx: Context, le?: string): Scenario | undefined {
  const evaluation = ctx.evaluation;
  const [first] = outageDeadlines(ctx);
  if (!first) return undefined;
  const healthy = HOUR;
  const outage = ceilTo(first.deadline + evaluation, ctx.step);
  // The short window's job: once the outage ends, the page resolves within it (plus the base
  // window's smoothing and two evaluations), while the long window alone would keep it firing.
  const reset = ceilTo(first.pair.short + ctx.slo.baseWindow + 2 * evaluation, evaluation);
  const phases: Phase[] = [
    { seconds: healthy, errorRatio: rational(0n) },
    { seconds: outage, errorRatio: rational(1n) },
    { seconds: ceilTo(reset + 10 * 60, ctx.step), errorRatio: rational(0n) },
  ];
  const index = ctx.slo.windows.indexOf(first.pair);
  const windows = `${formatSeconds(first.pair.long)}/${formatSeconds(first.pair.short)}`;
  return test(
    ctx,
    'outage',
    `total outage fires the ${first.pair.severity} ${windows} alert within ${formatSeconds(first.deadline)} and it resolves ${formatSeconds(reset)} after recovery${le ? ` (le="${le}")` : ''}`,
    phases,
    [
      {
        expr: `max_over_time(${alertsSelector(ctx)}[${formatSeconds(healthy)}])`,
        eval_time: formatSeconds(healthy),
        exp_samples: [],
      },
      {
        expr: alertsSelector(ctx, windowLabels(first.pair)),
        eval_time: formatSeconds(healthy + first.deadline),
        exp_samples: [{ labels: labelText({ __name__: 'ALERTS', ...firingLabels(ctx, index) }), value: 1 }],
      },
      {
        expr: alertsSelector(ctx, windowLabels(first.pair)),
        eval_time: formatSeconds(healthy + outage + reset),
        exp_samples: [],
      },
      // While the SLI's series flow, the no-data alert stays silent, outage or not.
      ...(ctx.noData
        ? [
            {
              expr: `max_over_time(ALERTS${labelText({ alertname: ctx.noData.alert, alertstate: 'firing' })}[${formatSeconds(healthy + outage + reset)}])`,
              eval_time: formatSeconds(healthy + outage + reset),
              exp_samples: [],
            },
          ]
        : []),
    ],
    [pairProof(ctx, first.pair, true), ...(ctx.noData ? [{ alert: ctx.noData.alert, fires: false }] : [])],
    le,
  );
}

/**
 * Healthy hour, then a total outage until every other enabled pair has fired, each by the time
 * explain predicts: every pair, not only the fastest, has a scenario that fires it.
 */
function everyPairOutageTest(ctx: Context): Scenario | undefined {
  const evaluation = ctx.evaluation;
  const deadlines = outageDeadlines(ctx);
  const last = deadlines.at(-1);
  if (deadlines.length < 2 || !last) return undefined;
  const healthy = HOUR;
  const outage = ceilTo(last.deadline + evaluation, ctx.step);
  const phases: Phase[] = [
    { seconds: healthy, errorRatio: rational(0n) },
    { seconds: outage, errorRatio: rational(1n) },
  ];
  return test(
    ctx,
    'outage',
    `total outage fires every pair by its own time (the last in ${formatSeconds(last.deadline)})`,
    phases,
    deadlines
      .slice(1)
      .map(({ pair, deadline }) => firedDuring(ctx, pair, healthy + deadline, deadline, true)),
    deadlines.slice(1).map(({ pair }) => pairProof(ctx, pair, true)),
  );
}

function halfBudgetTest(ctx: Context): Scenario | undefined {
  const ratio = div(ctx.slo.errorBudget, rational(2n));
  const run = steadyRun(ctx);
  const noData = ctx.noData
    ? [
        {
          expr: `max_over_time(ALERTS${labelText({ alertname: ctx.noData.alert, alertstate: 'firing' })}[${formatSeconds(run)}])`,
          eval_time: formatSeconds(run),
          exp_samples: [],
        },
      ]
    : [];
  return test(
    ctx,
    'half-budget',
    `steady burn at half the budget rate fires nothing in ${formatSeconds(run)}${ctx.noData ? ' (nor the no-data alert)' : ''}`,
    [{ seconds: run, errorRatio: ratio }],
    [
      {
        expr: `max_over_time(${alertsSelector(ctx)}[${formatSeconds(run)}])`,
        eval_time: formatSeconds(run),
        exp_samples: [],
      },
      ...noData,
    ],
    [
      { alert: burnAlertName(ctx.slo.id), fires: false },
      ...(ctx.noData ? [{ alert: ctx.noData.alert, fires: false }] : []),
    ],
  );
}

/** A steady 1x burn, which empties the budget exactly at the end of the period, never pages. */
function budgetRateTest(ctx: Context): Scenario | undefined {
  const pages = ctx.slo.windows.filter((p) => p.tier === 'page' && enabled(ctx.slo, p));
  if (pages.length === 0) return undefined;
  const run = ceilTo(2 * Math.max(...pages.map((p) => p.long)) + 2 * ctx.evaluation, HOUR);
  return test(
    ctx,
    'budget-rate',
    `steady burn at the budget rate (1x) never pages in ${formatSeconds(run)}`,
    [{ seconds: run, errorRatio: ctx.slo.errorBudget }],
    [
      {
        expr: `max_over_time(${alertsSelector(ctx, { [LABEL.severity]: 'critical' })}[${formatSeconds(run)}])`,
        eval_time: formatSeconds(run),
        exp_samples: [],
      },
    ],
    pages.map((pair) => pairProof(ctx, pair, false)),
  );
}

/**
 * One failed probe (one stale sample) among good ones never pages: the one-bad-sample floor. The
 * sample comes after a healthy run as long as the longest page window, as in a running
 * Prometheus (a window holding less history reads one sample as a larger share).
 */
function oneBadSampleTest(ctx: Context): Scenario | undefined {
  if (sampleKindOf(ctx.slo.sli) !== 'time') return undefined;
  const pairs = ctx.slo.windows.filter((p) => p.tier === 'page' && enabled(ctx.slo, p));
  if (pairs.length === 0) return undefined;
  const longest = Math.max(...pairs.map((p) => p.long + p.forSeconds));
  const healthy = ceilTo(longest, ctx.step);
  const after = ceilTo(longest + 2 * ctx.evaluation, ctx.step);
  const run = healthy + ctx.step + after;
  return test(
    ctx,
    'one-bad-sample',
    `one failed sample after ${humanizeSeconds(healthy)} of good ones pages nothing in the ${humanizeSeconds(after)} after it`,
    [
      { seconds: healthy, errorRatio: rational(0n) },
      { seconds: ctx.step, errorRatio: rational(1n) },
      { seconds: after, errorRatio: rational(0n) },
    ],
    [
      {
        expr: `max_over_time(${alertsSelector(ctx, { [LABEL.severity]: 'critical' })}[${formatSeconds(run)}])`,
        eval_time: formatSeconds(floorTo(run, ctx.evaluation)),
        exp_samples: [],
      },
    ],
    pairs.map((pair) => pairProof(ctx, pair, false)),
  );
}

/**
 * A third of the way from the highest ticket factor to the lowest page factor (4x for 3x and 6x):
 * time-based SLIs count whole bad samples, and nearer the page factor a window can catch one
 * sample too many.
 */
function betweenFactor(slo: ResolvedSlo): Rational | undefined {
  const ticket = slo.windows.filter((p) => p.tier === 'ticket').map((p) => p.factor);
  const page = slo.windows.filter((p) => p.tier === 'page').map((p) => p.factor);
  if (ticket.length === 0 || page.length === 0) return undefined;
  const maxTicket = ticket.reduce((a, b) => (toNumber(a) >= toNumber(b) ? a : b));
  const minPage = page.reduce((a, b) => (toNumber(a) <= toNumber(b) ? a : b));
  // Explicit pairs may page below a ticket's rate: then no steady burn tells the tiers apart.
  if (toNumber(minPage) <= toNumber(maxTicket)) return undefined;
  return add(maxTicket, div(sub(minPage, maxTicket), rational(3n)));
}

/**
 * Whether a steady burn at `factor` of a time-based SLI stays under every page pair however its
 * failed samples fall. They come one every 1/(factor x budget) samples, so a page's long window
 * holds up to one more than the mean; and each sample is counted once per recorded base-window
 * value that holds it (base / evaluation values, or one more at the edges). Where even the
 * count of one extra sample crosses a page threshold, no steady burn tells the tiers apart at
 * this objective and step: the ticket fires in the every-pair outage instead, and the pages stay
 * silent in the half-budget, budget-rate and one-bad-sample scenarios.
 */
function discreteBurnStaysUnderPages(ctx: Context, factor: Rational): boolean {
  const rate = toNumber(mul(factor, ctx.slo.errorBudget));
  const step = Math.max(ctx.step, 1);
  const overcount = 1 + ctx.evaluation / Math.max(ctx.slo.baseWindow, ctx.evaluation);
  return ctx.slo.windows
    .filter((p) => p.tier === 'page')
    .every((p) => {
      const samples = p.long / step;
      const worst = (Math.floor(samples * rate) + 1) * overcount;
      return worst / samples < toNumber(errorRatioThreshold(p, ctx.slo.errorBudget));
    });
}

function betweenTest(ctx: Context): Scenario | undefined {
  const factor = betweenFactor(ctx.slo);
  const ticket = ctx.slo.windows
    .filter((p) => p.tier === 'ticket')
    .sort((a, b) => toNumber(b.factor) - toNumber(a.factor))[0];
  if (!factor || !ticket || !ctx.slo.alerting.ticket || !ctx.slo.alerting.page) return undefined;
  if (sampleKindOf(ctx.slo.sli) === 'time' && !discreteBurnStaysUnderPages(ctx, factor)) return undefined;
  const longestPage = Math.max(...ctx.slo.windows.filter((p) => p.tier === 'page').map((p) => p.long));
  const run = ceilTo(Math.max(ticket.long, 2 * longestPage) + ticket.forSeconds + 2 * ctx.evaluation, HOUR);
  const ratio = mul(factor, ctx.slo.errorBudget);
  return test(
    ctx,
    'between',
    `steady burn at ${formatNumber(toNumber(factor))}x the budget rate opens the ticket and never pages`,
    [{ seconds: run, errorRatio: ratio }],
    [
      firedDuring(ctx, ticket, run, run, true),
      {
        expr: `max_over_time(${alertsSelector(ctx, { severity: 'critical' })}[${formatSeconds(run)}])`,
        eval_time: formatSeconds(run),
        exp_samples: [],
      },
    ],
    [
      pairProof(ctx, ticket, true),
      ...ctx.slo.windows.filter((p) => p.tier === 'page').map((p) => pairProof(ctx, p, false)),
    ],
  );
}

/** 0.9x and 1.1x of a pair's error-ratio threshold, held for its long window plus `for`. */
function thresholdTests(ctx: Context, pair: WindowPair): Scenario[] {
  const threshold = errorRatioThreshold(pair, ctx.slo.errorBudget);
  const run = ceilTo(pair.long + pair.forSeconds + 2 * ctx.evaluation, ctx.evaluation);
  const label = `${pair.severity} ${formatSeconds(pair.long)}/${formatSeconds(pair.short)}`;
  const sides: [string, Rational, boolean][] = [
    ['just under', rational(9n, 10n), false],
    ['just over', rational(11n, 10n), true],
  ];
  return sides.flatMap(([side, scale, fires]) => {
    const ratio = mul(threshold, scale);
    if (toNumber(ratio) > 1) return [];
    const made = test(
      ctx,
      'threshold',
      `${label} ${side} its threshold (${formatNumber(toNumber(ratio))}) ${fires ? 'fires' : 'stays silent'}`,
      [{ seconds: run, errorRatio: ratio }],
      [firedDuring(ctx, pair, run, run, fires)],
      [pairProof(ctx, pair, fires)],
    );
    return made ? [made] : [];
  });
}

/**
 * Length of a total-outage burst the pair's long window must absorb, seconds, or undefined when no
 * burst tells the windows apart at this sample step. The burst spends at most half of what the
 * long window tolerates (so the long window stays under the threshold), and keeps the short window
 * over the threshold for longer than `for` plus two evaluations (so without the long window the
 * alert would fire).
 */
export function burstSeconds(pair: WindowPair, errorBudget: Rational, step: number, evaluation: number) {
  const threshold = toNumber(errorRatioThreshold(pair, errorBudget));
  const tolerated = threshold * pair.long;
  const half = Math.floor(tolerated / 2 / step) * step;
  const burst = half > 0 ? half : step <= 0.8 * tolerated ? step : 0;
  if (burst === 0) return undefined;
  // The short window's error ratio is over the threshold while it overlaps the burst by more than
  // threshold x short: for burst + short - 2 x threshold x short seconds.
  const overShort = burst + pair.short - 2 * threshold * pair.short;
  return overShort >= pair.forSeconds + 2 * evaluation && burst > threshold * pair.short ? burst : undefined;
}

/** A burst the long window absorbs: the page pair stays silent (a blip must not page). */
function burstTest(ctx: Context, pair: WindowPair | undefined): Scenario | undefined {
  if (!pair) return undefined;
  const burst = burstSeconds(pair, ctx.slo.errorBudget, ctx.step, ctx.evaluation);
  if (burst === undefined) return undefined;
  const after = ceilTo(pair.long + pair.forSeconds + 2 * ctx.evaluation, ctx.step);
  const run = pair.long + burst + after;
  return test(
    ctx,
    'burst',
    `a ${formatSeconds(burst)} total outage does not fire the ${pair.severity} ${formatSeconds(pair.long)}/${formatSeconds(pair.short)} alert (its long window absorbs it)`,
    [
      { seconds: pair.long, errorRatio: rational(0n) },
      { seconds: burst, errorRatio: rational(1n) },
      { seconds: after, errorRatio: rational(0n) },
    ],
    [firedDuring(ctx, pair, floorTo(run, ctx.evaluation), floorTo(run, ctx.evaluation), false)],
    [pairProof(ctx, pair, false)],
  );
}

/** No SLI series at all: the no-data alert fires after its `for`, with its labels and annotations. */
function noDataTest(ctx: Context): Scenario | undefined {
  if (!ctx.noData) return undefined;
  const at = ceilTo(NO_DATA_FOR_SECONDS + 2 * ctx.evaluation, ctx.evaluation);
  const { rule, alert } = ctx.noData;
  const sel = primarySelector(ctx.slo);
  const metric = sel ? sel.metric.name : undefined;
  return {
    name: `${ctx.slo.id}: without SLI series the no-data alert fires within ${formatSeconds(at)}`,
    owner: `${ctx.svc.name}/${ctx.slo.id}`,
    kind: 'no-data',
    alerts: [alert],
    proves: [{ alert, fires: true }],
    metrics: metric ? [metric] : [],
    interval: formatSeconds(ctx.step),
    seconds: at,
    input_series: [],
    alert_rule_test: [
      {
        eval_time: formatSeconds(at),
        alertname: alert,
        exp_alerts: [{ exp_labels: { ...rule.labels }, exp_annotations: { ...rule.annotations } }],
      },
    ],
  };
}

/** Longest window a threshold pair is replayed for; longer ones cost minutes of promtool time. */
const MAX_THRESHOLD_WINDOW = DAY;

/**
 * Pairs whose threshold is tested from both sides with a steady burn. Counter SLIs only: a
 * time-based SLI counts whole bad samples, so a steady 1.1x burn is steady only over many samples
 * and a short window sees either none or one (its thresholds are proven by the outage, half-budget
 * and between tests instead). Pairs beyond a day are covered by the half-budget test (silent) and
 * the outage test (fires).
 */
const thresholdTested = (slo: ResolvedSlo, pair: WindowPair): boolean =>
  enabled(slo, pair) &&
  (slo.sli.kind === 'ratio' || slo.sli.kind === 'latency') &&
  pair.long <= MAX_THRESHOLD_WINDOW;

/**
 * Which of an SLO's scenarios: `own`, those that read its own series (see shapes.ts); `timed` and
 * `steady`, those that prove only its window math (timed ones check when an alert fires, steady
 * ones hold one error ratio); `math`, both; `all`.
 */
export type ScenarioPart = 'own' | 'timed' | 'steady' | 'math' | 'all';

/** The alerting rules of an SLO (its burn and no-data alerts) in a compiled rule file. */
const sloAlertingRules = (rules: RuleFile, slo: ResolvedSlo): AlertingRule[] => {
  const names = new Set([burnAlertName(slo.id), noDataAlertName(slo.id)]);
  return rules.groups.flatMap((g) => g.rules.filter(isAlertingRule)).filter((r) => names.has(r.alert));
};

/**
 * The generated tests of one SLO in one environment, or the part of them `part` names. The alerts
 * they expect are read from `rules`, the compiled rule file the tests run against.
 */
export function toSloScenarios(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  rules: RuleFile,
  evaluation: number,
  part: ScenarioPart = 'all',
): Scenario[] {
  const alerts = sloAlertingRules(rules, slo);
  const burnRules = alerts.filter((rule) => rule.alert === burnAlertName(slo.id));
  const alertLabels = slo.windows.map(
    (pair) =>
      burnRules.find(
        (rule) =>
          rule.labels[LABEL.longWindow] === formatSeconds(pair.long) &&
          rule.labels[LABEL.shortWindow] === formatSeconds(pair.short) &&
          rule.labels[LABEL.severity] === pair.severity,
      )?.labels ?? {},
  );
  const noDataRule = alerts.find((rule) => rule.alert === noDataAlertName(slo.id));
  const ctx: Context = {
    svc,
    slo,
    env,
    step: svc.scrapeInterval,
    evaluation,
    alertLabels,
    noData: noDataRule ? { alert: noDataRule.alert, rule: noDataRule } : undefined,
  };
  const sli = slo.sli;
  const leVariants =
    sli.kind === 'latency'
      ? [
          ...new Set([
            formatNumber(sli.threshold),
            Number.isInteger(sli.threshold) ? `${sli.threshold}.0` : formatNumber(sli.threshold),
          ]),
        ]
      : [undefined];
  const pages = slo.windows.filter((p) => p.tier === 'page' && enabled(slo, p));
  // The SLO's own part: its series feed the math (the first pair fires with its labels and
  // resolves), a blip does not page, and no data fires the no-data alert. Short replays.
  const own = () => [
    ...leVariants.map((le) => outageTest(ctx, le)),
    burstTest(ctx, pages[0]),
    noDataTest(ctx),
  ];
  // The math shape's part: long replays that depend only on the window math. `timed` ones check
  // when something fires; `steady` ones hold one error ratio and check only what fires at all.
  const timed = () => [
    everyPairOutageTest(ctx),
    oneBadSampleTest(ctx),
    ...pages.slice(1).map((pair) => burstTest(ctx, pair)),
  ];
  const steady = () => [
    halfBudgetTest(ctx),
    budgetRateTest(ctx),
    betweenTest(ctx),
    ...slo.windows.filter((p) => thresholdTested(slo, p)).flatMap((pair) => thresholdTests(ctx, pair)),
  ];
  const math = () => [...timed(), ...steady()];
  const parts = { own, timed, steady, math, all: () => [...own(), ...math()] };
  const tests = parts[part]();
  return tests.filter((t): t is Scenario => t !== undefined);
}

/**
 * OpenSLO indicators (SLIs) into the model's SLI kinds.
 *
 * Typed SLIs (ratio, latency, probe, freshness) are recognised only when the service carries a
 * metric contract and the written query reads exactly the series the typed SLI compiles to
 * (the shapes `obsgen export openslo` writes). Everything else becomes the model's raw SLI:
 * PromQL for bad and total events over `{{.window}}`, built as follows.
 *
 * - Occurrences, ratioMetric good/bad + total: the queries over the base window (see
 *   `overBaseWindow`); bad = `(bad or 0 * total)` or `total - (good or 0 * total)`, so a counter
 *   without series yet counts as zero instead of hiding the SLO.
 * - Occurrences, ratioMetric raw: the ratio at each evaluation; bad = the failure ratio,
 *   total = 1 with the same labels, so longer windows average the ratio over time.
 * - Occurrences, thresholdMetric: every rule evaluation step is one occurrence, good when
 *   `value op objective.value` holds (the model's freshness SLI does the same).
 * - Timeslices: slices of `timeSliceWindow`; a slice is good when its SLI reaches
 *   `timeSliceTarget`; RatioTimeslices averages the slices' SLIs. Slices without data are left out.
 */
import { sumBy } from '../../compile/prometheus/promql.ts';
import type { Path } from '../../model/diagnostic.ts';
import type { Matchers, MatcherValue, Metric, MetricContract, Selector } from '../../model/metrics.ts';
import type { Sli } from '../../model/slo.ts';
import { freshnessSli, latencySli, probeSli, ratioSli, rawSli } from '../../model/slo.ts';
import { type Duration, formatNumber, formatSeconds } from '../../model/units.ts';
import {
  ageOfSelector,
  fillWindow,
  type MatcherText,
  operand,
  overBaseWindow,
  parsePromql,
  type Rewrite,
  summedWindowSelector,
  WINDOW,
  wrapSelectors,
} from './promql.ts';

/** A Prometheus query found in an OpenSLO file. */
export interface Source {
  readonly query: string;
  readonly file: string;
  /** Path of the metric source in its file. */
  readonly path: Path;
}

/** An SLI as OpenSLO states it, data source already checked to be Prometheus. */
export type Indicator =
  | {
      readonly kind: 'ratio';
      /** Whether the queries return cumulative counters (v1 `counter`, v1alpha `incremental`). */
      readonly counter: boolean;
      readonly good?: Source;
      readonly bad?: Source;
      readonly total: Source;
    }
  | { readonly kind: 'raw'; readonly rawType: 'success' | 'failure'; readonly raw: Source }
  | { readonly kind: 'threshold'; readonly metric: Source };

export type Operator = 'gt' | 'lt' | 'gte' | 'lte';

/** What decides how an indicator becomes an SLI, besides the indicator. */
export interface SliContext {
  readonly budgeting: 'Occurrences' | 'Timeslices' | 'RatioTimeslices';
  readonly op?: Operator;
  readonly value?: number;
  readonly timeSliceTarget?: number;
  /** Seconds. */
  readonly timeSliceWindow?: number;
  readonly groupBy: readonly string[];
  /** Rule evaluation interval, seconds: the step of per-evaluation subqueries. */
  readonly evaluationInterval: number;
  /** The SLO's base window, seconds. */
  readonly baseWindow: number;
  /** Set when the service declares its metric contract. */
  readonly contract?: MetricContract;
  /** The queries are the model's raw bad/total, verbatim (SLOs exported from a raw SLI). */
  readonly verbatim: boolean;
}

/** A refusal, with the path it concerns. */
export interface SliProblem {
  readonly code: string;
  readonly source?: Source;
  readonly message: string;
  readonly hint?: string;
}

export type SliResult = { readonly sli: Sli } | { readonly problems: SliProblem[] };

const PROM_OP: Record<Operator, string> = { gt: '>', lt: '<', gte: '>=', lte: '<=' };
/** The comparison that makes a point bad: the negation of the objective's `op`. */
const NEGATED: Record<Operator, Operator> = { gt: 'lte', lt: 'gte', gte: 'lt', lte: 'gt' };

const unsupportedQuery = (source: Source, message: string, hint?: string): SliProblem => ({
  code: 'openslo/unsupported-query',
  source,
  message,
  ...(hint ? { hint } : {}),
});

/** Event counts of a ratio query over the base window. */
function events(source: Source, counter: boolean): { text: string } | { problem: SliProblem } {
  const parsed = parsePromql(source.query);
  if (!parsed.ok) return { problem: { code: 'openslo/promql', source, message: parsed.message } };
  const rewrite = overBaseWindow(parsed.query, (q) => wrapSelectors(q, counter ? 'rate' : 'sum_over_time'));
  return rewrite.ok
    ? { text: rewrite.text }
    : {
        problem: unsupportedQuery(
          source,
          rewrite.message,
          `write the range as [${WINDOW}], e.g. sum(rate(http_requests_total[${WINDOW}]))`,
        ),
      };
}

/** A raw ratio query over the base window. */
function ratioQuery(source: Source, evaluation: string): { text: string } | { problem: SliProblem } {
  const parsed = parsePromql(source.query);
  if (!parsed.ok) return { problem: { code: 'openslo/promql', source, message: parsed.message } };
  const rewrite = overBaseWindow(
    parsed.query,
    (q): Rewrite => ({ ok: true, text: `avg_over_time(${operand(q.text)}[${WINDOW}:${evaluation}])` }),
  );
  return rewrite.ok ? { text: rewrite.text } : { problem: unsupportedQuery(source, rewrite.message) };
}

function thresholdQuery(source: Source): { text: string } | { problem: SliProblem } {
  const parsed = parsePromql(source.query);
  return parsed.ok
    ? { text: source.query.trim() }
    : { problem: { code: 'openslo/promql', source, message: parsed.message } };
}

/** Builds the raw SLI; see the module comment for the shapes. */
function rawFromIndicator(indicator: Indicator, ctx: SliContext): SliResult {
  const g = ctx.groupBy;
  const evaluation = formatSeconds(ctx.evaluationInterval);
  const problems: SliProblem[] = [];
  const take = (r: { text: string } | { problem: SliProblem }): string => {
    if ('problem' in r) {
      problems.push(r.problem);
      return '';
    }
    return r.text;
  };

  // The SLI's good ratio per time slice, when budgeting by slices.
  let sliceGood: string | undefined;
  const slice = ctx.timeSliceWindow === undefined ? undefined : formatSeconds(ctx.timeSliceWindow);

  if (indicator.kind === 'ratio') {
    const total = take(events(indicator.total, indicator.counter));
    const good = indicator.good ? take(events(indicator.good, indicator.counter)) : undefined;
    const bad = indicator.bad ? take(events(indicator.bad, indicator.counter)) : undefined;
    if (problems.length > 0) return { problems };
    if (ctx.budgeting === 'Occurrences') {
      if (ctx.verbatim && bad !== undefined) return { sli: rawSli({ bad, total }) };
      const T = operand(total);
      const guarded = (x: string) => `(${operand(x)} or 0 * ${T})`;
      return {
        sli: rawSli({ bad: bad !== undefined ? guarded(bad) : `${T} - ${guarded(good ?? '')}`, total }),
      };
    }
    const inSlice = (x: string) => operand(fillWindow(x, slice ?? ''));
    sliceGood =
      good !== undefined
        ? `${inSlice(good)} / ${inSlice(total)}`
        : `1 - ${inSlice(bad ?? '')} / ${inSlice(total)}`;
  } else if (indicator.kind === 'raw') {
    const ratio = take(ratioQuery(indicator.raw, evaluation));
    if (problems.length > 0) return { problems };
    const failure = indicator.rawType === 'failure' ? ratio : `1 - ${operand(ratio)}`;
    if (ctx.budgeting === 'Occurrences')
      return { sli: rawSli({ bad: failure, total: `${operand(ratio)} * 0 + 1` }) };
    const filled = operand(fillWindow(ratio, slice ?? ''));
    sliceGood = indicator.rawType === 'success' ? filled : `1 - ${filled}`;
  } else {
    const value = take(thresholdQuery(indicator.metric));
    if (problems.length > 0) return { problems };
    if (ctx.op === undefined || ctx.value === undefined)
      return {
        problems: [
          {
            code: 'openslo/required',
            message: 'a thresholdMetric SLI needs op and value on the objective',
            hint: 'add op (gt, gte, lt, lte) and value: the good condition is `value op objective.value`',
          },
        ],
      };
    const Q = operand(value);
    const V = formatNumber(ctx.value);
    if (ctx.budgeting === 'Occurrences')
      return {
        sli: rawSli({
          bad: sumBy(
            g,
            `sum_over_time((${Q} ${PROM_OP[NEGATED[ctx.op]]} bool ${V})[${WINDOW}:${evaluation}])`,
          ),
          total: sumBy(g, `count_over_time(${Q}[${WINDOW}:${evaluation}])`),
        }),
      };
    sliceGood = `avg_over_time((${Q} ${PROM_OP[ctx.op]} bool ${V})[${slice}:${evaluation}])`;
  }

  if (slice === undefined || ctx.timeSliceWindow === undefined)
    return {
      problems: [
        { code: 'openslo/required', message: `budgetingMethod ${ctx.budgeting} needs a timeSliceWindow` },
      ],
    };
  if (ctx.timeSliceWindow > ctx.baseWindow)
    return {
      problems: [
        {
          code: 'openslo/unsupported-time-slices',
          message: `timeSliceWindow ${slice} is longer than the SLO's base window ${formatSeconds(ctx.baseWindow)}, the window its SLI is recorded over`,
          hint: `use a timeSliceWindow of at most ${formatSeconds(ctx.baseWindow)}`,
        },
      ],
    };
  // Slices without data (no traffic: NaN) are left out of both counts.
  const slices = `(${operand(sliceGood)} >= 0)`;
  const bad =
    ctx.budgeting === 'Timeslices'
      ? `sum_over_time((${slices} < bool ${formatNumber(ctx.timeSliceTarget ?? 1)})[${WINDOW}:${slice}])`
      : `sum_over_time((1 - ${slices})[${WINDOW}:${slice}])`;
  return {
    sli: rawSli({ bad: sumBy(g, bad), total: sumBy(g, `count_over_time(${slices}[${WINDOW}:${slice}])`) }),
  };
}

/** Model matchers of a written selector, or undefined when it does not read what the compiler would. */
function selectorFor(metric: Metric, written: readonly MatcherText[]): Selector | undefined {
  const declared = new Set(metric.labels);
  const matchers: Record<string, MatcherValue> = {};
  const seen = new Set<string>();
  for (const m of written) {
    if (seen.has(m.label)) return undefined;
    seen.add(m.label);
    const constant = (metric.constLabels as Record<string, string> | undefined)?.[m.label];
    if (constant !== undefined) {
      if (m.op !== '=' || m.value !== constant) return undefined;
      continue;
    }
    if (m.label === 'namespace' && declared.has('namespace')) {
      if (m.op !== '=' || !/^\{\{\s*\.namespace\s*\}\}$/.test(m.value)) return undefined;
      continue;
    }
    if (!declared.has(m.label)) return undefined;
    const env = /^\{\{\s*\.vars\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(m.value);
    if (env) {
      if (m.op !== '=') return undefined;
      matchers[m.label] = { env: env[1] as string };
    } else if (m.value.includes('{{')) return undefined;
    else if (m.op === '=') matchers[m.label] = m.value;
    else if (m.op === '=~') matchers[m.label] = { re: m.value };
    else if (m.op === '!=') matchers[m.label] = { ne: m.value };
    else matchers[m.label] = { nre: m.value };
  }
  // Every label the compiler would add must have been written.
  for (const label of Object.keys(metric.constLabels ?? {})) if (!seen.has(label)) return undefined;
  if (declared.has('namespace') && !seen.has('namespace')) return undefined;
  return Object.freeze({ metric, matchers: Object.freeze(matchers) as Matchers });
}

const sameLabels = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((label, i) => label === b[i]);

/** The typed SLI the queries spell out, when they match one exactly (see the module comment). */
function typedFromIndicator(indicator: Indicator, ctx: SliContext): Sli | undefined {
  const contract = ctx.contract;
  if (!contract || ctx.budgeting !== 'Occurrences' || ctx.verbatim) return undefined;
  const of = (name: string, type: Metric['type']): Metric | undefined => {
    const metric = contract[name];
    return metric?.type === type ? metric : undefined;
  };
  if (indicator.kind === 'ratio' && indicator.counter) {
    const total = summedWindowSelector(indicator.total.query, 'rate');
    const numerator = indicator.good ?? indicator.bad;
    const part = numerator ? summedWindowSelector(numerator.query, 'rate') : undefined;
    if (!total || !part || !sameLabels(total.by, ctx.groupBy) || !sameLabels(part.by, ctx.groupBy))
      return undefined;
    const histogram = total.name.endsWith('_count')
      ? of(total.name.slice(0, -'_count'.length), 'histogram')
      : undefined;
    if (histogram && indicator.good && part.name === `${histogram.name}_bucket`) {
      const le = part.matchers.filter((m) => m.label === 'le');
      const threshold = le.length === 1 && le[0]?.op === '=' ? Number(le[0].value) : Number.NaN;
      const rest = part.matchers.filter((m) => m.label !== 'le');
      const histogramSel = selectorFor(histogram, total.matchers);
      if (!Number.isFinite(threshold) || !histogramSel) return undefined;
      const bucketSel = selectorFor(histogram, rest);
      if (!bucketSel || JSON.stringify(bucketSel.matchers) !== JSON.stringify(histogramSel.matchers))
        return undefined;
      return latencySli({
        histogram: histogramSel as Selector<Metric<string, string, 'histogram'>>,
        threshold,
      });
    }
    const totalMetric = of(total.name, 'counter');
    const partMetric = of(part.name, 'counter');
    const totalSel = totalMetric && selectorFor(totalMetric, total.matchers);
    const partSel = partMetric && selectorFor(partMetric, part.matchers);
    if (!totalSel || !partSel) return undefined;
    return ratioSli(indicator.good ? { good: partSel, total: totalSel } : { bad: partSel, total: totalSel });
  }
  if (indicator.kind === 'ratio' && !indicator.counter && indicator.good) {
    const good = summedWindowSelector(indicator.good.query, 'sum_over_time');
    const total = summedWindowSelector(indicator.total.query, 'count_over_time');
    if (!good || !total || good.name !== total.name) return undefined;
    if (!sameLabels(good.by, ctx.groupBy) || !sameLabels(total.by, ctx.groupBy)) return undefined;
    if (JSON.stringify(good.matchers) !== JSON.stringify(total.matchers)) return undefined;
    const gauge = of(good.name, 'gauge');
    const sel = gauge && selectorFor(gauge, good.matchers);
    return sel ? probeSli({ gauge: sel }) : undefined;
  }
  if (indicator.kind === 'threshold' && ctx.op === 'lte' && ctx.value !== undefined) {
    const age = ageOfSelector(indicator.metric.query);
    const gauge = age && of(age.name, 'gauge');
    const sel = gauge && age && selectorFor(gauge, age.matchers);
    if (!sel || !Number.isInteger(ctx.value) || ctx.value <= 0) return undefined;
    return freshnessSli({ timestamp: sel, maxAge: formatSeconds(ctx.value) as Duration });
  }
  return undefined;
}

/** The model SLI of an indicator in an SLO. */
export function sliFromIndicator(indicator: Indicator, ctx: SliContext): SliResult {
  const typed = typedFromIndicator(indicator, ctx);
  return typed ? { sli: typed } : rawFromIndicator(indicator, ctx);
}

/** Every `{{...}}` placeholder of an SLI's queries other than the window: names of `vars`, and unknown ones. */
export function placeholdersOf(query: string): { vars: string[]; unknown: string[] } {
  const vars: string[] = [];
  const unknown: string[] = [];
  for (const match of query.matchAll(/\{\{\s*\.([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g)) {
    const key = match[1] as string;
    if (key === 'window' || key === 'namespace') continue;
    if (/^vars\.[A-Za-z_][A-Za-z0-9_]*$/.test(key)) vars.push(key.slice(5));
    else unknown.push(match[0]);
  }
  for (const match of query.matchAll(/\{\{(?!\s*\.[A-Za-z_][A-Za-z0-9_.]*\s*\}\})/g)) unknown.push(match[0]);
  return { vars, unknown };
}

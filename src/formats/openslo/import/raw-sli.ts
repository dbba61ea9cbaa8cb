/**
 * An OpenSLO indicator as the model's raw SLI: PromQL for bad and total events over `{{.window}}`.
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

import { rawSli } from '../../../model/slo.ts';
import { formatNumber, formatSeconds } from '../../../model/units.ts';
import { sumBy } from '../../../promql/index.ts';
import type { Indicator, Operator, SliContext, SliProblem, SliResult } from './indicator.ts';
import {
  fillWindow,
  operand,
  overBaseWindow,
  parsePromql,
  type Rewrite,
  WINDOW,
  wrapSelectors,
} from './query-rewrite.ts';
import type { Source } from './source.ts';

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
export function rawFromIndicator(indicator: Indicator, ctx: SliContext): SliResult {
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
          samples: 'time',
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
    sli: rawSli({
      bad: sumBy(g, bad),
      total: sumBy(g, `count_over_time(${slices}[${WINDOW}:${slice}])`),
      samples: 'time',
    }),
  };
}

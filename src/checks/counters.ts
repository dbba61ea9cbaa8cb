/**
 * Counters, in rules and dashboard panels: `rate`, `irate` and `increase` read only counter-like
 * series (contract counters, histogram and summary `_bucket`/`_count`/`_sum`), never a gauge, a
 * recorded rate or another recorded (aggregated) series, and never a subquery of an aggregation:
 * the rate of a sum mistakes one counter's reset for a drop of the sum. Functions that need two
 * samples read a range of at least two sample intervals.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { formatSeconds } from '../model/units.ts';
import { nodesOf, type Parsed, rangeCalls } from '../promql/index.ts';
import {
  type LintContext,
  type PanelFinding,
  placePanelFindings,
  placeRuleFindings,
  type RuleFinding,
} from './context.ts';
import type { SeriesCatalog } from './series.ts';

/** Functions defined on counters only. */
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
/** Functions that compare two or more samples of their range. */
const TWO_SAMPLE_FUNCTIONS = new Set([
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'predict_linear',
]);
/** The operations part of a recording rule name says it is already a rate. */
const RECORDED_RATE = /:[^:]*rate[^:]*$/;

interface Problem {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

/** Counter problems of one parsed query. `scrape` and `evaluation` are the sample intervals, seconds. */
export function counterProblems(
  parsed: Parsed,
  catalog: SeriesCatalog,
  scrape: number,
  evaluation: number,
): Problem[] {
  if (!parsed.ok) return [];
  const out: Problem[] = [];
  for (const { call, range, selector } of rangeCalls(parsed.root)) {
    const fn = call.fn;
    const info = selector?.name === undefined ? undefined : catalog.get(selector.name);
    if (COUNTER_FUNCTIONS.has(fn)) {
      if (selector && info && !info.counter) {
        const name = info.name;
        if (info.source === 'contract' || info.source === 'alerts')
          out.push({
            code: 'counters/not-a-counter',
            message: `${fn}() reads ${name}, a ${info.source === 'alerts' ? 'series of alert states' : `${info.metric?.type ?? 'non-counter'} in the metric contract`}: ${fn} only means something for counters`,
            hint: 'read a gauge with deriv(), delta() or avg_over_time(), or declare the metric as a counter if it is one',
          });
        else if (RECORDED_RATE.test(name))
          out.push({
            code: 'counters/rate-of-rate',
            message: `${fn}() reads ${name}, a recorded rate: the ${fn} of a rate means nothing`,
            hint: 'read the recorded rate as it is, or average it over time with avg_over_time()',
          });
        else
          out.push({
            code: 'counters/rate-of-sum',
            message: `${fn}() reads ${name}, a recorded (aggregated) series: the ${fn} of a sum of counters mistakes one counter's reset for a drop`,
            hint: 'record sum(rate(counter[w])) and read that instead',
          });
      }
      const aggregation = range.subquery ? nodesOf(range.expr, 'aggregate')[0]?.node : undefined;
      if (aggregation)
        out.push({
          code: 'counters/rate-of-sum',
          message: `${fn}() of a subquery over ${aggregation.op}(...)[${range.rangeText}:]: the ${fn} of a sum of counters mistakes one counter's reset for a drop`,
          hint: `sum the rates instead: sum(${fn}(counter[w]))`,
        });
    }
    if (TWO_SAMPLE_FUNCTIONS.has(fn) && range.range !== undefined) {
      const step = range.subquery ? evaluation : info && info.source !== 'contract' ? evaluation : scrape;
      if (range.range < 2 * step)
        out.push({
          code: 'counters/short-range',
          message: `${fn}() over [${range.rangeText}] holds fewer than two samples at the ${formatSeconds(step)} ${step === scrape ? 'scrape' : 'evaluation'} interval`,
          hint: `use a range of at least ${formatSeconds(2 * step)} (twice the interval; four times is safer)`,
        });
    }
  }
  return out;
}

export function lintCounters(ctx: LintContext): Diagnostic[] {
  const rules: RuleFinding[] = [];
  for (const ref of ctx.rules)
    for (const p of counterProblems(
      ref.parsed,
      ctx.catalog(ref.service, ref.env),
      ref.service.scrapeInterval,
      ref.service.evaluationInterval,
    ))
      rules.push({ ref, field: ['expr'], ...p });
  const panels: PanelFinding[] = [];
  for (const query of ctx.panels)
    for (const p of counterProblems(
      query.parsed,
      ctx.catalog(query.service, query.env),
      query.service.scrapeInterval,
      query.service.evaluationInterval,
    ))
      panels.push({ query, ...p });
  return [...placeRuleFindings(ctx, rules), ...placePanelFindings(panels)];
}

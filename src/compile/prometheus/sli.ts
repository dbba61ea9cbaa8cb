/**
 * Bad and total events of an SLI over the base window: the only expressions that read raw series.
 * Longer windows are derived from these recorded results.
 */
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { durationSeconds, formatNumber, formatSeconds } from '../../model/units.ts';
import { leRegex, renderSelector, selectorMatchers, sumBy } from '../../promql/index.ts';

export interface EventExprs {
  readonly bad: string;
  readonly total: string;
}

/** `namespace="x",cluster="eu-1"`: the matchers every selector of the environment carries. */
export const environmentMatchers = (env: Environment): string => {
  const matchers: Record<string, string> = { namespace: env.namespace, ...(env.selectorLabels ?? {}) };
  const rendered = renderSelector('x', matchers, env);
  return rendered.slice(2, -1);
};

/**
 * Fills `{{.window}}`, `{{.namespace}}`, `{{.selector}}` and `{{.vars.NAME}}` (spaces inside the
 * braces allowed).
 */
export function fillPlaceholders(template: string, window: string, env: Environment): string {
  return template.replace(/\{\{\s*\.([a-zA-Z_.]+)\s*\}\}/g, (whole, key: string) => {
    if (key === 'window') return window;
    if (key === 'namespace') return env.namespace;
    if (key === 'selector') return environmentMatchers(env);
    if (key.startsWith('vars.')) return env.vars?.[key.slice(5)] ?? whole;
    return whole;
  });
}

/** PromQL for the bad and total events of `slo` over `window` in `env`. */
export function eventExprs(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  window: string,
): EventExprs {
  const g = slo.groupBy;
  const sli = slo.sli;
  switch (sli.kind) {
    case 'ratio': {
      const total = sumBy(
        g,
        `rate(${renderSelector(sli.total.metric.name, selectorMatchers(sli.total, env), env)}[${window}])`,
      );
      // A counter of failures often has no series until the first failure: count that as zero.
      // Without grouping a plain 0 does; per group only the total knows which groups exist, at
      // the price of reading its raw series a second time.
      const orZero = (expr: string) =>
        g.length === 0 ? `(${expr} or vector(0))` : `(${expr} or 0 * ${total})`;
      if (sli.bad) {
        const bad = sumBy(
          g,
          `rate(${renderSelector(sli.bad.metric.name, selectorMatchers(sli.bad, env), env)}[${window}])`,
        );
        return { bad: orZero(bad), total };
      }
      const goodSel = sli.good ?? sli.total;
      const good = sumBy(
        g,
        `rate(${renderSelector(goodSel.metric.name, selectorMatchers(goodSel, env), env)}[${window}])`,
      );
      return { bad: `${total} - ${orZero(good)}`, total };
    }
    case 'latency': {
      const name = sli.histogram.metric.name;
      const count = sumBy(
        g,
        `rate(${renderSelector(`${name}_count`, selectorMatchers(sli.histogram, env), env)}[${window}])`,
      );
      const fast = sumBy(
        g,
        `rate(${renderSelector(`${name}_bucket`, selectorMatchers(sli.histogram, env, { le: { re: leRegex(sli.threshold) } }), env)}[${window}])`,
      );
      return { bad: `${count} - ${fast}`, total: count };
    }
    case 'probe': {
      const series = renderSelector(sli.gauge.metric.name, selectorMatchers(sli.gauge, env), env);
      // Time-based: samples at 0 are bad time, all samples are total time.
      return {
        bad: `${sumBy(g, `count_over_time(${series}[${window}])`)} - ${sumBy(g, `sum_over_time(${series}[${window}])`)}`,
        total: sumBy(g, `count_over_time(${series}[${window}])`),
      };
    }
    case 'freshness': {
      const series = renderSelector(sli.timestamp.metric.name, selectorMatchers(sli.timestamp, env), env);
      const maxAge = durationSeconds(sli.maxAge);
      // Evaluated at every rule evaluation step: a step is bad while the data is older than maxAge.
      const stale = `(time() - ${series} > bool ${maxAge})[${window}:${formatSeconds(svc.evaluationInterval)}]`;
      return { bad: sumBy(g, `sum_over_time(${stale})`), total: sumBy(g, `count_over_time(${stale})`) };
    }
    case 'threshold': {
      const series = renderSelector(sli.gauge.metric.name, selectorMatchers(sli.gauge, env), env);
      // Like freshness: each rule evaluation step is bad while the gauge is at or above the bound.
      const over = `(${series} >= bool ${formatNumber(sli.below)})[${window}:${formatSeconds(svc.evaluationInterval)}]`;
      return { bad: sumBy(g, `sum_over_time(${over})`), total: sumBy(g, `count_over_time(${over})`) };
    }
    case 'raw':
      return { bad: fillPlaceholders(sli.bad, window, env), total: fillPlaceholders(sli.total, window, env) };
  }
}

/**
 * The typed SLI (ratio, latency, probe, freshness, threshold) an OpenSLO indicator spells out. Recognised only
 * when the service carries a metric contract and the written query reads exactly the series the
 * typed SLI compiles to (the shapes `obsgen export openslo` writes), every matcher the compiler
 * adds included.
 */
import type { Matchers, MatcherValue, Metric, Selector } from '../../../model/metrics.ts';
import { freshnessSli, latencySli, probeSli, ratioSli, type Sli, thresholdSli } from '../../../model/slo.ts';
import { type Duration, formatSeconds } from '../../../model/units.ts';
import type { LabelMatcher } from '../../../promql/index.ts';
import type { Indicator, SliContext } from './indicator.ts';
import { ageOfSelector, gaugeSelector, summedWindowSelector } from './query-rewrite.ts';

/** Model matchers of a written selector, or undefined when it does not read what the compiler would. */
function selectorFor(metric: Metric, written: readonly LabelMatcher[]): Selector | undefined {
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
export function typedFromIndicator(indicator: Indicator, ctx: SliContext): Sli | undefined {
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
  // A gauge read as it is, good below the objective's value: the threshold SLI.
  if (indicator.kind === 'threshold' && ctx.op === 'lt' && ctx.value !== undefined) {
    const read = gaugeSelector(indicator.metric.query);
    const gauge = read && of(read.name, 'gauge');
    const sel = gauge && read && selectorFor(gauge, read.matchers);
    if (!sel || !Number.isFinite(ctx.value)) return undefined;
    return thresholdSli({ gauge: sel, below: ctx.value });
  }
  return undefined;
}

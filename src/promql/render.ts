/**
 * The only code that writes PromQL text from values: string literals, label matchers and
 * selectors from the metric contract, aggregation, histogram bounds, rescaled durations.
 */
import type { MatcherValue, Selector } from '../model/metrics.ts';
import type { Environment } from '../model/service.ts';
import { formatDurationMs, formatNumber } from '../model/units.ts';
import { durationSpans, parsePromql } from './parse.ts';
import { nodesOf } from './walk.ts';

const NEEDS_ESCAPE = /[\\"\n]/;

/** A PromQL double-quoted string literal. */
export const quote = (value: string): string =>
  // Nearly every label value and regex needs no escape; skip three scans of each.
  NEEDS_ESCAPE.test(value)
    ? `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`
    : `"${value}"`;

/** The part of an environment a matcher value `{ env: 'name' }` reads. */
type SelectorEnv = Pick<Environment, 'vars'>;

function matcherText(label: string, value: MatcherValue, env: SelectorEnv): string {
  if (typeof value === 'string') return `${label}=${quote(value)}`;
  if ('re' in value) return `${label}=~${quote(value.re)}`;
  if ('ne' in value) return `${label}!=${quote(value.ne)}`;
  if ('nre' in value) return `${label}!~${quote(value.nre)}`;
  return `${label}=${quote(env.vars?.[value.env] ?? '')}`;
}

/** Label matchers for the series of a selector in an environment, sorted by label name. */
export function selectorMatchers(
  sel: Selector,
  env: Pick<Environment, 'namespace' | 'selectorLabels'>,
  extra: Readonly<Record<string, MatcherValue>> = {},
): Record<string, MatcherValue> {
  const declared = new Set(sel.metric.labels);
  const envLabels: Record<string, MatcherValue> = {};
  if (declared.has('namespace')) envLabels.namespace = env.namespace;
  for (const [key, value] of Object.entries(env.selectorLabels ?? {})) envLabels[key] = value;
  return { ...(sel.metric.constLabels ?? {}), ...envLabels, ...sel.matchers, ...extra } as Record<
    string,
    MatcherValue
  >;
}

/** `name{a="1",b=~"x"}` with matchers sorted by label name. */
export function renderSelector(
  name: string,
  matchers: Readonly<Record<string, MatcherValue>>,
  env: SelectorEnv,
): string {
  const parts = Object.keys(matchers)
    .sort()
    .map((label) => matcherText(label, matchers[label] as MatcherValue, env));
  return `${name}{${parts.join(',')}}`;
}

/** `sum by (a, b) (expr)`, or `sum(expr)` without grouping. */
export const sumBy = (groupBy: readonly string[], expr: string): string =>
  groupBy.length > 0 ? `sum by (${groupBy.join(', ')}) (${expr})` : `sum(${expr})`;

const escapeDots = (text: string): string => text.replaceAll('.', '\\.');

/** `2`, `2.0`, `2.50`: the decimal forms of a number, trailing zeros allowed. */
function decimalForms(text: string): string {
  return text.includes('.') ? `${escapeDots(text)}0*` : `${escapeDots(text)}(\\.0+)?`;
}

/**
 * Regex matching a histogram `le` bound however the client library prints it: Go prints `2`,
 * Python `2.0`; both must select the same bucket. Go and Python switch to exponent notation below
 * 1e-4 and from 1e6 (Go) or 1e16 (Python) on (`1e-07`, `1e+06`), and obsgen's own test series
 * write plain decimals, so such bounds match both the decimal and every exponent spelling.
 */
export function leRegex(bound: number): string {
  const decimal = decimalForms(formatNumber(bound));
  const exponent = Math.floor(Math.log10(Math.abs(bound)));
  if (bound === 0 || (exponent >= -4 && exponent < 6)) return decimal;
  const [mantissa = '', power = '0'] = bound.toExponential().split('e');
  const sign = power.startsWith('-') ? '-' : '\\+?';
  return `(?:${decimal}|${decimalForms(mantissa)}[eE]${sign}0*${power.replace(/^[+-]/, '')})`;
}

/**
 * The expression with every range, subquery range and step, and offset divided by `divisor`
 * (whole milliseconds; callers choose a divisor that divides them). Numbers that are values
 * (`> 7200`, `predict_linear(x[1d], 86400)`'s horizon) are left alone.
 */
export function scaleDurations(expr: string, divisor: number): string {
  let out = '';
  let at = 0;
  for (const span of durationSpans(expr)) {
    out += expr.slice(at, span.from) + formatDurationMs(Math.round(span.ms / divisor));
    at = span.to;
  }
  return out + expr.slice(at);
}

/**
 * The expression with `label="value"` added to every selector that does not match `label` yet
 * (a written query read for one version of a service). An expression that does not parse is
 * returned as written: the promql-syntax check reports it, and generate refuses it.
 */
export function withLabelMatcher(expr: string, label: string, value: string): string {
  const parsed = parsePromql(expr);
  if (!parsed.ok) return expr;
  const matcher = `${label}=${quote(value)}`;
  const selectors = nodesOf(parsed.root, 'selector')
    .map((found) => found.node)
    .filter((s) => !s.matchers.some((m) => m.label === label))
    .sort((a, b) => a.from - b.from);
  let out = '';
  let at = 0;
  for (const sel of selectors) {
    const text = expr.slice(sel.from, sel.to);
    const close = text.lastIndexOf('}');
    const rewritten =
      close < 0
        ? `${text}{${matcher}}`
        : `${text.slice(0, close)}${/\{\s*$/.test(text.slice(0, close)) ? '' : ','}${matcher}${text.slice(close)}`;
    out += expr.slice(at, sel.from) + rewritten;
    at = sel.to;
  }
  return out + expr.slice(at);
}

/**
 * PromQL read with the Prometheus project's own grammar (@prometheus-io/lezer-promql): which
 * metrics an expression selects, and where its durations are (range selectors, subquery ranges
 * and steps, offsets), so they can be rewritten without touching numbers that are values. Pure.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { formatDurationMs, parseDurationMs } from '../../model/units.ts';

/** A duration written in an expression: its text position, length in milliseconds and role. */
export interface DurationSpan {
  readonly from: number;
  readonly to: number;
  readonly ms: number;
  /** `range`: of a range selector or subquery; `step`: of a subquery; `offset`. */
  readonly role: 'range' | 'step' | 'offset';
}

const nameMatcher = /__name__\s*=\s*"([^"\\]*)"/;

/** Metric names an expression selects (`x{...}` and `{__name__="x"}`), sorted, without duplicates. */
export function selectedMetricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== 'VectorSelector') return undefined;
      const identifier = node.node.getChild('Identifier');
      if (identifier) names.add(expr.slice(identifier.from, identifier.to));
      else {
        const byName = nameMatcher.exec(expr.slice(node.from, node.to));
        if (byName?.[1]) names.add(byName[1]);
      }
      return false;
    },
  });
  return [...names].sort();
}

/**
 * Durations of range selectors, subqueries and offsets, in text order. A bare number in a
 * duration position counts as seconds, as Prometheus reads it.
 */
export function durationSpans(expr: string): DurationSpan[] {
  const spans: DurationSpan[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== 'NumberDurationLiteralInDurationContext') return undefined;
      const text = expr.slice(node.from, node.to);
      const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDurationMs(text);
      const holder = node.node.parent;
      const role: DurationSpan['role'] =
        holder?.name === 'OffsetDurationExpr'
          ? 'offset'
          : holder?.parent?.name === 'SubqueryExpr' && holder.prevSibling?.name === 'DurationExpr'
            ? 'step'
            : 'range';
      if (ms !== undefined) spans.push({ from: node.from, to: node.to, ms, role });
      return false;
    },
  });
  return spans;
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

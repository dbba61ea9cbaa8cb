/**
 * The rules a promtool test can observe. promtool evaluates every rule of its rule files at every
 * step of a replay, so a two-week catalog example evaluated hourly paid for every SLO's recording
 * rules at each of its 336 steps, and a replay checking only the pages paid for the three-day
 * window of the tickets, though neither reads them. A rule outside what a test's checks read,
 * directly or through recorded series, only writes series nobody in the test reads: leaving it out
 * changes no verdict. The rules kept are copied as written, in their groups and order.
 */
import { isAlertingRule, type Rule, type RuleFile } from '../../compile/prometheus/index.ts';
import type { PromtoolTest } from '../../derive/tests/index.ts';
import { fullMatch, type LabelMatcher, nodesOf, parsePromql } from '../../promql/index.ts';

/** A series selector: a metric name and its label matchers. */
interface Read {
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

/** Series every alerting rule writes, with its labels and `alertname`. */
const ALERT_SERIES = ['ALERTS', 'ALERTS_FOR_STATE'];

/** The selectors of an expression, or undefined when one names no metric (it may read anything). */
function readsOf(expr: string): Read[] | undefined {
  const parsed = parsePromql(expr);
  if (!parsed.ok) return undefined;
  const out: Read[] = [];
  for (const { node } of nodesOf(parsed.root, 'selector')) {
    if (node.name === undefined) return undefined;
    out.push({ name: node.name, matchers: node.matchers });
  }
  return out;
}

/** Whether a label value the rule sets can meet the matcher (a bad regex is assumed to). */
function meets(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    default:
      try {
        return fullMatch(matcher.value, value) === (matcher.op === '=~');
      } catch {
        return true;
      }
  }
}

/**
 * Whether a rule's output can be what `read` selects: the same name, and no label the rule sets
 * (its `labels`, and an alert's `alertname`) contradicts a matcher. Labels the rule does not set
 * come from its expression's result and may be anything.
 */
function writes(rule: Rule, read: Read): boolean {
  const [names, labels]: [readonly string[], Readonly<Record<string, string>>] = isAlertingRule(rule)
    ? [ALERT_SERIES, { ...rule.labels, alertname: rule.alert }]
    : [[rule.record], rule.labels ?? {}];
  if (!names.includes(read.name)) return false;
  return read.matchers.every((m) => {
    const value = labels[m.label];
    return value === undefined || meets(m, value);
  });
}

/**
 * The rules of `rules` that `test` can observe, in their groups and file order: those writing an
 * alert it checks or a series its expressions read, and every rule those read from in turn. The
 * whole file when something reads a series it cannot name.
 */
export function observedRules(rules: RuleFile, test: PromtoolTest): RuleFile {
  const kept = new Set<Rule>();
  const pending: Read[] = (test.alert_rule_test ?? []).map((t) => ({
    name: 'ALERTS',
    matchers: [{ label: 'alertname', op: '=', value: t.alertname }],
  }));
  const exprs = (test.promql_expr_test ?? []).map((t) => t.expr);
  for (;;) {
    for (const expr of exprs.splice(0)) {
      const reads = readsOf(expr);
      if (!reads) return rules;
      pending.push(...reads);
    }
    const read = pending.pop();
    if (!read) break;
    for (const group of rules.groups)
      for (const rule of group.rules)
        if (!kept.has(rule) && writes(rule, read)) {
          kept.add(rule);
          exprs.push(rule.expr);
        }
  }
  return {
    groups: rules.groups
      .map((group) => ({ ...group, rules: group.rules.filter((rule) => kept.has(rule)) }))
      .filter((group) => group.rules.length > 0),
  };
}

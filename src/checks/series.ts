/**
 * The series a query may select in one service and environment: the metric contract's (with
 * their declared labels) and those the environment's generated rules record (with the labels the
 * recording rule's expression keeps plus the rule's own labels), and `ALERTS` of its alerting
 * rules. Shared by the checks of rules and of dashboard panels.
 */
import type { RuleFile } from '../compile/prometheus/index.ts';
import { isAlertingRule } from '../compile/prometheus/index.ts';
import type { Metric, MetricContract } from '../model/metrics.ts';
import { type Parsed, type PromNode, parsePromql, type SelectorNode, walk } from '../promql/index.ts';
import { type LabelProblem, type LabelSet, labelFlow } from './labels.ts';

export interface SeriesInfo {
  readonly name: string;
  /** Labels the series carry (`any` when they cannot be told). */
  readonly labels: LabelSet;
  /** Where the series comes from. */
  readonly source: 'contract' | 'recorded' | 'alerts';
  /** The contract metric (histograms: the base metric of `_bucket`, `_count`, `_sum`). */
  readonly metric?: Metric;
  /** A monotonic counter `rate()` and `increase()` may read. */
  readonly counter: boolean;
}

export interface SeriesCatalog {
  readonly get: (name: string) => SeriesInfo | undefined;
  /** Service whose contract the catalog holds. */
  readonly service: string;
}

/**
 * Series a contract's metrics expose: histograms as _bucket/_count/_sum, summaries with
 * _count/_sum. `environmentLabels` are carried by every series of the environment besides the
 * declared ones (external labels: its `selectorLabels`, its cluster label).
 */
export function contractSeries(
  metrics: MetricContract,
  environmentLabels: readonly string[] = [],
): SeriesInfo[] {
  const out: SeriesInfo[] = [];
  for (const m of Object.values(metrics)) {
    const labels = new Set([...m.labels, ...environmentLabels]);
    const add = (suffix: string, extra: string[], counter: boolean) =>
      out.push({
        name: `${m.name}${suffix}`,
        labels: new Set([...labels, ...extra]),
        source: 'contract',
        metric: m,
        counter,
      });
    if (m.type === 'histogram') {
      add('_bucket', ['le'], true);
      add('_count', [], true);
      add('_sum', [], true);
    } else if (m.type === 'summary') {
      add('', ['quantile'], false);
      add('_count', [], true);
      add('_sum', [], true);
    } else add('', [], m.type === 'counter');
  }
  return out;
}

/** Names of the contract's series. */
export const contractSeriesNames = (metrics: MetricContract): Set<string> =>
  new Set(contractSeries(metrics).map((s) => s.name));

/**
 * The catalog of a service's contract and the rules of its environment (every rule file the
 * environment's Prometheus loads). Labels of recorded series follow their recording rules, which
 * may read other recorded series; a cycle reads as `any`.
 */
export function seriesCatalog(
  metrics: MetricContract,
  service: string,
  ruleFiles: readonly RuleFile[],
  environmentLabels: readonly string[] = [],
): SeriesCatalog {
  const contract = new Map(contractSeries(metrics, environmentLabels).map((s) => [s.name, s]));
  const recordings = new Map<string, { expr: string; labels: readonly string[] }[]>();
  const alerts: { expr: string; labels: readonly string[] }[] = [];
  for (const file of ruleFiles)
    for (const group of file.groups)
      for (const rule of group.rules) {
        const entry = { expr: rule.expr, labels: Object.keys(rule.labels ?? {}) };
        if (isAlertingRule(rule)) alerts.push(entry);
        else recordings.set(rule.record, [...(recordings.get(rule.record) ?? []), entry]);
      }
  const resolved = new Map<string, SeriesInfo>();
  const inProgress = new Set<string>();

  const outputOf = (entry: { expr: string; labels: readonly string[] }): LabelSet => {
    const parsed = parsePromql(entry.expr);
    if (!parsed.ok) return 'any';
    const flow = labelFlow(parsed.root, lookup).labels;
    return flow === 'any' ? 'any' : new Set([...flow, ...entry.labels]);
  };
  const unionAll = (sets: LabelSet[]): LabelSet =>
    sets.some((s) => s === 'any') ? 'any' : new Set(sets.flatMap((s) => [...(s as ReadonlySet<string>)]));

  function get(name: string): SeriesInfo | undefined {
    const known = resolved.get(name) ?? contract.get(name);
    if (known) return known;
    if (inProgress.has(name)) return { name, labels: 'any', source: 'recorded', counter: false };
    let info: SeriesInfo | undefined;
    inProgress.add(name);
    const rules = recordings.get(name);
    if (rules) info = { name, labels: unionAll(rules.map(outputOf)), source: 'recorded', counter: false };
    else if (name === 'ALERTS' || name === 'ALERTS_FOR_STATE') {
      // Prometheus' own series: a service without alerting rules (an imported SLO that alerts on
      // nothing) simply has none, and a panel reading them shows that.
      const labels = alerts.length > 0 ? unionAll(alerts.map(outputOf)) : 'any';
      info = {
        name,
        labels: labels === 'any' ? 'any' : new Set([...labels, 'alertname', 'alertstate']),
        source: 'alerts',
        counter: false,
      };
    }
    inProgress.delete(name);
    if (info) resolved.set(name, info);
    return info;
  }
  function lookup(selector: SelectorNode): LabelSet | undefined {
    return selector.name === undefined ? undefined : get(selector.name)?.labels;
  }
  return { get, service };
}

/** A problem of one query against a catalog, before it is placed in a file. */
export interface QueryProblem {
  /** `syntax`, `unnamed-selector`, `unknown-metric`, `unknown-label`. */
  readonly kind: 'syntax' | 'unnamed-selector' | 'unknown-metric' | 'unknown-label';
  readonly message: string;
  readonly hint?: string;
}

const describe = (p: LabelProblem): string => {
  const available = [...p.available].sort().join(', ') || 'no labels';
  const op = p.node.kind === 'aggregate' || p.node.kind === 'binary' ? `${p.node.op} ` : '';
  return `${op}${p.clause} (${p.label}) names a label its input does not carry (it has: ${available})`;
};

/**
 * Syntax, metric names and labels of one query: every selected series is known, every matcher's
 * label is declared on its series, every `by`/`without`/`on`/`ignoring`/`group_*` label is
 * carried by its input.
 */
export function queryProblems(parsed: Parsed, catalog: SeriesCatalog): QueryProblem[] {
  if (!parsed.ok) return [{ kind: 'syntax', message: `does not parse as PromQL: ${parsed.error.message}` }];
  const problems: QueryProblem[] = [];
  const seen = new Set<string>();
  const once = (p: QueryProblem) => {
    const key = `${p.kind}:${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
  };
  walk(parsed.root, (node: PromNode) => {
    if (node.kind !== 'selector') return;
    if (node.name === undefined) {
      const text = parsed.text.slice(node.from, node.to);
      once({
        kind: 'unnamed-selector',
        message: `selects series without an exact metric name (${text}), which cannot be checked`,
        hint: 'select one metric by name',
      });
      return;
    }
    const info = catalog.get(node.name);
    if (!info) {
      once({
        kind: 'unknown-metric',
        message: `selects ${node.name}, which is neither in the metric contract of ${catalog.service} nor produced by a generated rule`,
        hint: 'declare the metric in the contract (slos/) or select a recorded slo: series',
      });
      return;
    }
    if (info.labels === 'any') return;
    for (const m of node.matchers)
      if (!info.labels.has(m.label))
        once({
          kind: 'unknown-label',
          message: `matches label ${m.label} on ${node.name}, which does not carry it (it has: ${[...info.labels].sort().join(', ') || 'no labels'})`,
          hint:
            info.source === 'contract'
              ? `declare ${m.label} in the labels of ${info.metric?.name ?? node.name} in the metric contract, or fix the name`
              : 'recorded series carry the labels their rule keeps (by clause) and sets',
        });
  });
  for (const p of labelFlow(parsed.root, (s) => (s.name ? catalog.get(s.name)?.labels : undefined)).problems)
    once({
      kind: 'unknown-label',
      message: describe(p),
      hint: 'use a label the aggregated series carry (metric contract labels, or the by labels of the rule recording it)',
    });
  return problems;
}

/**
 * Which labels the series of a PromQL expression carry, worked out from the labels of the series
 * it selects and what each operator does to them (Prometheus semantics): an aggregation keeps its
 * `by` labels, `histogram_quantile` drops `le`, a one-to-one match `on (a)` keeps `a`... A label
 * an operator asks for that its input cannot carry is a typo or a wrong metric.
 */
import {
  type AggregateNode,
  type BinaryNode,
  type CallNode,
  type PromNode,
  type SelectorNode,
  unwrap,
} from '../promql/index.ts';

/** Label names, or `any` where they cannot be told (an unknown series, an opaque construct). */
export type LabelSet = ReadonlySet<string> | 'any';

/** Labels of the series a selector reads; undefined for a series nobody declares. */
export type LabelLookup = (selector: SelectorNode) => LabelSet | undefined;

/** A grouping, matching or copying clause naming a label its input does not carry. */
export interface LabelProblem {
  readonly label: string;
  /** `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`. */
  readonly clause: string;
  /** The expression the clause belongs to. */
  readonly node: PromNode;
  /** Labels the input carries. */
  readonly available: ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();
/** Functions whose result has no labels (or is a scalar). */
const UNLABELLED = new Set([
  'vector',
  'time',
  'scalar',
  'pi',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'hour',
  'minute',
  'month',
  'year',
]);
/** Aggregations that select series and keep their labels. */
const SELECTING = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);
const SET_OPS = new Set(['and', 'or', 'unless']);

const union = (a: LabelSet, b: LabelSet): LabelSet =>
  a === 'any' || b === 'any' ? 'any' : new Set([...a, ...b]);
const minus = (a: LabelSet, drop: readonly string[]): LabelSet =>
  a === 'any' ? 'any' : new Set([...a].filter((l) => !drop.includes(l)));
const isScalar = (node: PromNode): boolean => {
  const n = unwrap(node);
  return n.kind === 'number' || (n.kind === 'call' && ['time', 'scalar', 'pi'].includes(n.fn));
};

/** Walks an expression computing output labels and collecting clause problems. */
class Flow {
  readonly problems: LabelProblem[] = [];
  constructor(private readonly lookup: LabelLookup) {}

  private check(clause: string, labels: readonly string[], available: LabelSet, node: PromNode): void {
    if (available === 'any') return;
    for (const label of labels)
      if (!available.has(label)) this.problems.push({ label, clause, node, available });
  }

  labels(node: PromNode): LabelSet {
    switch (node.kind) {
      case 'selector':
        return this.lookup(node) ?? 'any';
      case 'range':
      case 'wrap':
        return this.labels(node.expr);
      case 'number':
      case 'string':
        return EMPTY;
      case 'call':
        return this.call(node);
      case 'aggregate':
        return this.aggregate(node);
      case 'binary':
        return this.binary(node);
      case 'opaque':
        return 'any';
    }
  }

  private call(node: CallNode): LabelSet {
    const args = node.args.map((a) => this.labels(a));
    const vectorArg = node.args.findIndex((a) => unwrap(a).kind !== 'number' && unwrap(a).kind !== 'string');
    const input = vectorArg >= 0 ? (args[vectorArg] ?? 'any') : EMPTY;
    if (UNLABELLED.has(node.fn) && node.args.length === 0) return EMPTY;
    switch (node.fn) {
      case 'vector':
      case 'scalar':
        return EMPTY;
      case 'histogram_quantile':
        return minus(input, ['le']);
      case 'label_replace':
      case 'label_join': {
        const dst = unwrap(node.args[1] ?? node);
        return dst.kind === 'string' ? union(input, new Set([dst.value])) : 'any';
      }
      case 'absent':
      case 'absent_over_time': {
        // The result carries the equality matchers of the selector it looked for.
        const arg = unwrap(node.args[0] ?? node);
        const inner = arg.kind === 'range' ? unwrap(arg.expr) : arg;
        return inner.kind === 'selector'
          ? new Set(inner.matchers.filter((m) => m.op === '=').map((m) => m.label))
          : EMPTY;
      }
      case 'info':
        return 'any';
      default:
        return UNLABELLED.has(node.fn) ? EMPTY : input;
    }
  }

  private aggregate(node: AggregateNode): LabelSet {
    const args = node.args.map((a) => this.labels(a));
    const input = args.at(-1) ?? EMPTY;
    const grouping = node.grouping;
    if (grouping) this.check(grouping.mode, grouping.labels, input, node);
    if (SELECTING.has(node.op)) return input;
    let out: LabelSet = !grouping
      ? EMPTY
      : grouping.mode === 'by'
        ? new Set(grouping.labels)
        : minus(input, grouping.labels);
    if (node.op === 'count_values') {
      const label = unwrap(node.args[0] ?? node);
      out = label.kind === 'string' ? union(out, new Set([label.value])) : 'any';
    }
    return out;
  }

  private binary(node: BinaryNode): LabelSet {
    const lhs = this.labels(node.lhs);
    const rhs = this.labels(node.rhs);
    if (isScalar(node.lhs)) return rhs;
    if (isScalar(node.rhs)) return lhs;
    const m = node.matching;
    if (m) {
      // Matching labels may be absent on one side (`on () group_left`), not on both.
      this.check(m.mode, m.labels, union(lhs, rhs), node);
      if (m.group) this.check(`group_${m.group}`, m.include, m.group === 'left' ? rhs : lhs, node);
    }
    if (SET_OPS.has(node.op)) return node.op === 'or' ? union(lhs, rhs) : lhs;
    if (m?.group === 'left') return union(lhs, new Set(m.include));
    if (m?.group === 'right') return union(rhs, new Set(m.include));
    if (m?.mode === 'on') return new Set(m.labels);
    if (m?.mode === 'ignoring') return minus(lhs, m.labels);
    return lhs;
  }
}

/** Output labels of an expression and the clauses that name labels their input lacks. */
export function labelFlow(
  root: PromNode,
  lookup: LabelLookup,
): { labels: LabelSet; problems: LabelProblem[] } {
  const flow = new Flow(lookup);
  const labels = flow.labels(root);
  return { labels, problems: flow.problems };
}

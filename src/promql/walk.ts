/** Questions asked of a parsed tree: its nodes, the ranges functions read, the metrics selected. */
import { parsePromql } from './parse.ts';
import type { CallNode, PromNode, RangeNode, SelectorNode, Spanned } from './tree.ts';

/** The direct sub-expressions of a node. */
export function childrenOf(node: PromNode): readonly PromNode[] {
  switch (node.kind) {
    case 'range':
    case 'wrap':
      return [node.expr];
    case 'call':
    case 'aggregate':
      return node.args;
    case 'binary':
      return [node.lhs, node.rhs];
    default:
      return [];
  }
}

/** Visits every node depth-first, with its ancestors (nearest last). */
export function walk(
  root: PromNode,
  visit: (node: PromNode, ancestors: readonly PromNode[]) => void,
  ancestors: readonly PromNode[] = [],
): void {
  visit(root, ancestors);
  const children = childrenOf(root);
  // Leaves (selectors, numbers) are half the nodes: their children need no ancestors.
  if (children.length === 0) return;
  const next = [...ancestors, root];
  for (const child of children) walk(child, visit, next);
}

/** Every node of a kind, depth-first, with its ancestors. */
export function nodesOf<K extends PromNode['kind']>(
  root: PromNode,
  kind: K,
): { node: Extract<PromNode, { kind: K }>; ancestors: readonly PromNode[] }[] {
  const found: { node: Extract<PromNode, { kind: K }>; ancestors: readonly PromNode[] }[] = [];
  walk(root, (node, ancestors) => {
    if (node.kind === kind) found.push({ node: node as Extract<PromNode, { kind: K }>, ancestors });
  });
  return found;
}

/** The node without parentheses, offsets and `@` around it. */
export function unwrap(node: PromNode): PromNode {
  return node.kind === 'wrap' && node.what !== 'unary' ? unwrap(node.expr) : node;
}

/** A function applied to a range (`rate(x[5m])`, `max_over_time(x[1h])`): its argument. */
export interface RangeCall {
  readonly call: CallNode;
  readonly range: RangeNode;
  /** The selector of a matrix selector; undefined for a subquery. */
  readonly selector: SelectorNode | undefined;
}

/** Every call whose argument is a range (matrix selector or subquery). */
export function rangeCalls(root: PromNode): RangeCall[] {
  const out: RangeCall[] = [];
  for (const { node } of nodesOf(root, 'call'))
    for (const arg of node.args) {
      const range = unwrap(arg);
      if (range.kind !== 'range') continue;
      const inner = unwrap(range.expr);
      out.push({
        call: node,
        range,
        selector: !range.subquery && inner.kind === 'selector' ? inner : undefined,
      });
    }
  return out;
}

/** Whether the expression's value is the same for every series and time (a filter `== 0`, `absent()`, `vector(1)`). */
export function isConstantValued(node: PromNode): boolean {
  const n = unwrap(node);
  switch (n.kind) {
    case 'number':
      return true;
    case 'call':
      return (
        ['absent', 'absent_over_time'].includes(n.fn) ||
        (n.fn === 'vector' && n.args.length === 1 && unwrap(n.args[0] as PromNode).kind === 'number')
      );
    case 'binary': {
      if (n.op === 'and' || n.op === 'unless') return isConstantValued(n.lhs);
      if (n.op === 'or') return isConstantValued(n.lhs) && isConstantValued(n.rhs);
      // A filter keeps the vector side's values: `x == 0` always has the value 0.
      if (n.op === '==' && !n.bool) return unwrap(n.rhs).kind === 'number' || unwrap(n.lhs).kind === 'number';
      return false;
    }
    default:
      return false;
  }
}

/** The source text of a node. */
export const textOf = (parsed: { readonly text: string }, node: Spanned): string =>
  parsed.text.slice(node.from, node.to);

/**
 * Metric names an expression selects (`x{...}` and `{__name__="x"}`), sorted, without duplicates;
 * none when it does not parse.
 */
export function selectedMetricNames(expr: string): string[] {
  const parsed = parsePromql(expr);
  if (!parsed.ok) return [];
  const names = new Set<string>();
  for (const { node } of nodesOf(parsed.root, 'selector')) if (node.name !== undefined) names.add(node.name);
  return [...names].sort();
}

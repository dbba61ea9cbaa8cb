/**
 * The one PromQL reader of the lint checks. Expressions are parsed with the Prometheus project's
 * grammar (@prometheus-io/lezer-promql) into a small typed tree, so every check asks the same
 * questions the same way: which series with which matchers, which functions over which ranges,
 * which aggregations by which labels, which binary operators matching on which labels.
 *
 * The grammar is syntax only: `rate(x)` parses (promtool rejects it), which is why the real
 * promtool runs as a check of its own.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { parseDurationMs } from '../model/units.ts';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

interface Spanned {
  /** Offsets into the expression text. */
  readonly from: number;
  readonly to: number;
}

/** `name{matchers}`; `name` from `{__name__="x"}` too, undefined when no exact name is given. */
export interface SelectorNode extends Spanned {
  readonly kind: 'selector';
  readonly name: string | undefined;
  readonly matchers: readonly LabelMatcher[];
}

/** `expr[range]` (a matrix selector) or `expr[range:step]` (a subquery). */
export interface RangeNode extends Spanned {
  readonly kind: 'range';
  readonly expr: PromNode;
  /** Seconds; undefined when the range is not a plain duration. */
  readonly range: number | undefined;
  readonly rangeText: string;
  readonly subquery: boolean;
}

export interface CallNode extends Spanned {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly PromNode[];
}

export interface Grouping {
  readonly mode: 'by' | 'without';
  readonly labels: readonly string[];
}

export interface AggregateNode extends Spanned {
  readonly kind: 'aggregate';
  readonly op: string;
  readonly grouping: Grouping | undefined;
  /** The aggregated expression is the last argument (`topk(5, x)`, `quantile(0.9, x)`). */
  readonly args: readonly PromNode[];
}

export interface Matching {
  readonly mode: 'on' | 'ignoring';
  readonly labels: readonly string[];
  readonly group: 'left' | 'right' | undefined;
  /** Labels copied from the "one" side (`group_left(a, b)`). */
  readonly include: readonly string[];
}

export interface BinaryNode extends Spanned {
  readonly kind: 'binary';
  /** `+`, `/`, `>`, `==`, `and`, `or`, `unless`... */
  readonly op: string;
  readonly bool: boolean;
  readonly matching: Matching | undefined;
  readonly lhs: PromNode;
  readonly rhs: PromNode;
}

export interface NumberNode extends Spanned {
  readonly kind: 'number';
  readonly value: number;
}

export interface StringNode extends Spanned {
  readonly kind: 'string';
  readonly value: string;
}

/** Parentheses, `offset`, `@`, unary sign: the inner expression with the same labels. */
export interface WrapNode extends Spanned {
  readonly kind: 'wrap';
  readonly what: 'paren' | 'offset' | 'at' | 'unary' | 'other';
  readonly expr: PromNode;
}

/** Syntax this reader does not model (experimental modifiers); checks treat it as opaque. */
export interface OpaqueNode extends Spanned {
  readonly kind: 'opaque';
}

export type PromNode =
  | SelectorNode
  | RangeNode
  | CallNode
  | AggregateNode
  | BinaryNode
  | NumberNode
  | StringNode
  | WrapNode
  | OpaqueNode;

export interface SyntaxError {
  /** Offset into the expression. */
  readonly offset: number;
  /** 1-based line and column of the offset. */
  readonly line: number;
  readonly column: number;
  /** What is wrong, with the text around the position. */
  readonly message: string;
}

export type Parsed =
  | { readonly ok: true; readonly root: PromNode; readonly text: string }
  | { readonly ok: false; readonly error: SyntaxError; readonly text: string };

const children = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
};

/** A PromQL string literal's value (double, single or back quotes). */
export function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, literal.endsWith(literal[0] ?? '') && literal.length > 1 ? -1 : undefined);
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, c: string) => {
    if (c.length > 1) return String.fromCharCode(Number.parseInt(c.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r' }[c] ?? c;
  });
}

/** Seconds of a duration text (`5m`, `1h30m`, or plain seconds `300`); undefined otherwise. */
export function durationOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const ms = parseDurationMs(trimmed);
  return ms === undefined ? undefined : ms / 1000;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function syntaxError(text: string, offset: number): SyntaxError {
  const { line, column } = position(text, offset);
  const near = text.slice(Math.max(0, offset - 20), offset + 20).replaceAll('\n', ' ');
  const what = offset >= text.trimEnd().length ? 'unexpected end of expression' : 'syntax error';
  return {
    offset,
    line,
    column,
    message: `${what} at line ${line}, column ${column} (near ${JSON.stringify(near)})`,
  };
}

const BINARY_OPS = new Set([
  'Pow',
  'Mul',
  'Div',
  'Mod',
  'Atan2',
  'Add',
  'Sub',
  'Eql',
  'Gte',
  'Gtr',
  'Lte',
  'Lss',
  'Neq',
  'And',
  'Unless',
  'Or',
  'TrimUpper',
  'TrimLower',
]);

class Reader {
  constructor(readonly text: string) {}

  slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  labels(grouping: SyntaxNode | undefined): string[] {
    if (!grouping) return [];
    return children(grouping).map((l) =>
      l.name === 'QuotedLabelName' ? unquote(this.slice(l)) : this.slice(l),
    );
  }

  selector(node: SyntaxNode): SelectorNode {
    const parts = children(node);
    const ident = parts.find((c) => c.name === 'Identifier');
    const matchers: LabelMatcher[] = [];
    const list = parts.find((c) => c.name === 'LabelMatchers');
    for (const m of list ? children(list) : []) {
      if (m.name === 'QuotedLabelName') {
        // `{"metric.name"}`: a quoted metric name.
        matchers.push({ label: '__name__', op: '=', value: unquote(this.slice(m)) });
        continue;
      }
      const [label, op, value] = children(m);
      if (!label || !op || !value) continue;
      matchers.push({
        label: label.name === 'QuotedLabelName' ? unquote(this.slice(label)) : this.slice(label),
        op: this.slice(op) as MatchOp,
        value: unquote(this.slice(value)),
      });
    }
    const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
    return {
      kind: 'selector',
      name: ident ? this.slice(ident) : byName?.value,
      matchers: matchers.filter((m) => m.label !== '__name__'),
      from: node.from,
      to: node.to,
    };
  }

  node(node: SyntaxNode): PromNode {
    const span = { from: node.from, to: node.to };
    const parts = children(node);
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr': {
        const inner = parts[0];
        if (!inner) return { kind: 'opaque', ...span };
        return node.name === 'PromQL'
          ? this.node(inner)
          : { kind: 'wrap', what: 'paren', expr: this.node(inner), ...span };
      }
      case 'VectorSelector':
        return this.selector(node);
      case 'MatrixSelector':
      case 'SubqueryExpr': {
        const [expr, range] = parts;
        if (!expr || !range) return { kind: 'opaque', ...span };
        const rangeText = this.slice(range);
        return {
          kind: 'range',
          expr: this.node(expr),
          range: durationOf(rangeText),
          rangeText,
          subquery: node.name === 'SubqueryExpr',
          ...span,
        };
      }
      case 'FunctionCall': {
        const [ident, body] = parts;
        return {
          kind: 'call',
          fn: ident ? this.slice(ident) : '',
          args: body ? children(body).map((a) => this.node(a)) : [],
          ...span,
        };
      }
      case 'AggregateExpr': {
        const op = parts.find((c) => c.name === 'AggregateOp');
        const modifier = parts.find((c) => c.name === 'AggregateModifier');
        const body = parts.find((c) => c.name === 'FunctionCallBody');
        const [keyword, grouping] = modifier ? children(modifier) : [];
        return {
          kind: 'aggregate',
          op: op ? this.slice(op) : '',
          grouping: keyword
            ? { mode: keyword.name === 'By' ? 'by' : 'without', labels: this.labels(grouping) }
            : undefined,
          args: body ? children(body).map((a) => this.node(a)) : [],
          ...span,
        };
      }
      case 'BinaryExpr': {
        const [lhs, op] = parts;
        const rhs = parts.at(-1);
        if (!lhs || !op || !rhs || !BINARY_OPS.has(op.name)) return { kind: 'opaque', ...span };
        const clause = parts.find((c) => c.name === 'MatchingModifierClause');
        let matching: Matching | undefined;
        if (clause) {
          const bits = children(clause);
          const groupings = bits.filter((b) => b.name === 'GroupingLabels');
          const group = bits.find((b) => b.name === 'GroupLeft' || b.name === 'GroupRight');
          matching = {
            mode: bits[0]?.name === 'On' ? 'on' : 'ignoring',
            labels: this.labels(groupings[0]),
            group: group ? (group.name === 'GroupLeft' ? 'left' : 'right') : undefined,
            include: this.labels(groupings[1]),
          };
        }
        return {
          kind: 'binary',
          op: this.slice(op),
          bool: parts.some((c) => c.name === 'BoolModifier'),
          matching,
          lhs: this.node(lhs),
          rhs: this.node(rhs),
          ...span,
        };
      }
      case 'NumberDurationLiteral': {
        const text = this.slice(node);
        const value = Number(text);
        return {
          kind: 'number',
          value: Number.isNaN(value) ? (durationOf(text) ?? Number.NaN) : value,
          ...span,
        };
      }
      case 'StringLiteral':
        return { kind: 'string', value: unquote(this.slice(node)), ...span };
      case 'OffsetExpr':
      case 'StepInvariantExpr':
      case 'UnaryExpr':
      case 'AnchoredExpr':
      case 'SmoothedExpr': {
        const inner = parts.find((c) => c.name !== 'UnaryOp');
        if (!inner) return { kind: 'opaque', ...span };
        const kinds: Readonly<Record<string, WrapNode['what']>> = {
          OffsetExpr: 'offset',
          StepInvariantExpr: 'at',
          UnaryExpr: 'unary',
        };
        const what = kinds[node.name];
        return { kind: 'wrap', what: what ?? 'other', expr: this.node(inner), ...span };
      }
      default:
        return { kind: 'opaque', ...span };
    }
  }
}

/** Parses an expression; `error` gives the position of the first syntax error. */
export function parsePromql(text: string): Parsed {
  if (text.trim() === '')
    return {
      ok: false,
      text,
      error: { offset: 0, line: 1, column: 1, message: 'the expression is empty' },
    };
  const tree = parser.parse(text);
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = node.from;
      return error === undefined;
    },
  });
  if (error !== undefined) return { ok: false, text, error: syntaxError(text, error) };
  return { ok: true, text, root: new Reader(text).node(tree.topNode) };
}

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
  const next = [...ancestors, root];
  for (const child of childrenOf(root)) walk(child, visit, next);
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

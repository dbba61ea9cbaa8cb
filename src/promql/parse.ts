/**
 * The only code that reads PromQL text: the Prometheus project's grammar
 * (@prometheus-io/lezer-promql) into the typed tree of tree.ts, so validation, lint, the compilers
 * and the importers ask the same questions the same way.
 *
 * The grammar is syntax only: `rate(x)` parses (promtool rejects it), which is why the real
 * promtool runs as a lint check of its own.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { parseDurationMs } from '../model/units.ts';
import type {
  DurationSpan,
  LabelMatcher,
  Matching,
  MatchOp,
  Parsed,
  PromNode,
  PromqlSyntaxError,
  SelectorNode,
  WrapNode,
} from './tree.ts';

type LezerNode = ReturnType<typeof parser.parse>['topNode'];

/**
 * A node of the grammar's syntax tree as the Reader reads it: lezer's nodes copied into plain
 * objects once per shape, so reading each expression of that shape walks no lezer cursor.
 */
interface SyntaxNode {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly children: readonly SyntaxNode[];
}

function syntaxOf(node: LezerNode): SyntaxNode {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(syntaxOf(child));
  return { name: node.name, from: node.from, to: node.to, children };
}

const children = (node: SyntaxNode): readonly SyntaxNode[] => node.children;

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

/** Up to 20 characters either side of an offset, for error messages. */
export const textNear = (text: string, offset: number): string =>
  text.slice(Math.max(0, offset - 20), offset + 20);

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function syntaxError(text: string, offset: number): PromqlSyntaxError {
  const { line, column } = position(text, offset);
  const near = textNear(text, offset).replaceAll('\n', ' ');
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

/** What a wrapping node is, by grammar node; the others are `other`. */
const WRAPS: Readonly<Record<string, WrapNode['what']>> = {
  OffsetExpr: 'offset',
  StepInvariantExpr: 'at',
  UnaryExpr: 'unary',
};

/**
 * Reads a syntax tree into the typed tree. The syntax tree may be that of the expression's shape
 * (see `shapeOf`): `at` turns its offsets into offsets of the expression's own text.
 */
class Reader {
  constructor(
    readonly text: string,
    readonly literals: Literals = NO_LITERALS,
  ) {}

  /** The text's offset of a syntax tree's offset. */
  at(offset: number): number {
    // The last literal ending at or before the offset, by bisection: a rule's expression holds
    // dozens of literals, and every matcher asks for six offsets.
    const { ends, shifts } = this.literals;
    let low = 0;
    let high = ends.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((ends[mid] as number) <= offset) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? offset : offset + (shifts[low - 1] as number);
  }

  slice(node: SyntaxNode): string {
    return this.text.slice(this.at(node.from), this.at(node.to));
  }

  span(node: SyntaxNode): { from: number; to: number } {
    return { from: this.at(node.from), to: this.at(node.to) };
  }

  labels(grouping: SyntaxNode | undefined): string[] {
    if (!grouping) return [];
    return children(grouping).map((l) =>
      l.name === 'QuotedLabelName' ? unquote(this.slice(l)) : this.slice(l),
    );
  }

  selector(node: SyntaxNode): SelectorNode {
    let ident: SyntaxNode | undefined;
    let list: SyntaxNode | undefined;
    for (const part of node.children)
      if (part.name === 'Identifier') ident ??= part;
      else if (part.name === 'LabelMatchers') list ??= part;
    const matchers: LabelMatcher[] = [];
    let name = ident ? this.slice(ident) : undefined;
    // Written as name{label op "value", ...}, with no __name__ matcher.
    let plain = ident !== undefined;
    for (const m of list?.children ?? []) {
      if (m.name !== 'UnquotedLabelMatcher') plain = false;
      let matcher: LabelMatcher | undefined;
      if (m.name === 'QuotedLabelName') {
        // `{"metric.name"}`: a quoted metric name.
        matcher = { label: '__name__', op: '=', value: unquote(this.slice(m)) };
      } else {
        const [label, op, value] = m.children;
        if (!label || !op || !value) continue;
        matcher = {
          label: label.name === 'QuotedLabelName' ? unquote(this.slice(label)) : this.slice(label),
          op: this.slice(op) as MatchOp,
          value: unquote(this.slice(value)),
        };
      }
      if (matcher.label !== '__name__') matchers.push(matcher);
      else {
        plain = false;
        // The first exact __name__ matcher names the series when no identifier does.
        if (matcher.op === '=' && !ident && name === undefined) name = matcher.value;
      }
    }
    return { kind: 'selector', name, matchers, plain, ...this.span(node) };
  }

  node(node: SyntaxNode): PromNode {
    const span = this.span(node);
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
          rangeAt: this.span(range),
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
        const fill = parts.find((c) => c.name === 'FillModifier');
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
          fill: fill ? this.slice(fill) : undefined,
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
        const what = WRAPS[node.name];
        return { kind: 'wrap', what: what ?? 'other', expr: this.node(inner), ...span };
      }
      default:
        return { kind: 'opaque', ...span };
    }
  }
}

/** Offset of the first syntax error of a lezer tree, or undefined. */
function firstErrorAt(tree: ReturnType<typeof parser.parse>): number | undefined {
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = node.from;
      return error === undefined;
    },
  });
  return error;
}

/** Parsed expressions by text: the checks read one rule's expression several times. */
const parsedCache = new Map<string, Parsed>();
/** Entries kept before the cache starts over: bounds its memory at fleet scale. */
const PARSED_CACHE_SIZE = 20_000;

/**
 * Parses an expression; `error` gives the position of the first syntax error. The result is shared
 * by every caller of the same text: read it, never change it.
 */
export function parsePromql(text: string): Parsed {
  const known = parsedCache.get(text);
  if (known) return known;
  const parsed = parseByShape(text) ?? parseWhole(text);
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.clear();
  parsedCache.set(text, parsed);
  return parsed;
}

/**
 * Where the string literals of an expression's shape end (offsets just after each, in order), and
 * how many characters the text has more than the shape from each on.
 */
interface Literals {
  readonly ends: readonly number[];
  readonly shifts: readonly number[];
}

const NO_LITERALS: Literals = { ends: [], shifts: [] };

/**
 * An expression's text with the content of every string literal removed (`a{b="c"}` becomes
 * `a{b=""}`), and where its literals are.
 */
interface Shape {
  readonly text: string;
  readonly literals: Literals;
}

/**
 * The shape of an expression, or undefined when it has a comment (which may hold quotes) or a
 * string literal the grammar would not close. The grammar never reads the content of a string
 * literal: a quote outside comments and literals always starts one, and nothing else may hold a
 * quote, so the text and its shape are the same tokens in the same order, and their trees differ
 * only in the offsets after each literal.
 */
function shapeOf(text: string): Shape | undefined {
  if (text.includes('#')) return undefined;
  let shape = '';
  let copied = 0;
  // Shape offsets just after each literal, and how many characters the text has more from there.
  const ends: number[] = [];
  const shifts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const quote = text[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    let close = i + 1;
    if (quote === '`') close = text.indexOf('`', close);
    else
      for (; close < text.length && text[close] !== quote; close++) {
        if (text[close] === '\\') close++;
        else if (text[close] === '\n') return undefined;
      }
    if (close < 0 || close >= text.length) return undefined;
    shape += `${text.slice(copied, i)}${quote}${quote}`;
    ends.push(shape.length);
    shifts.push((shifts.at(-1) ?? 0) + close - i - 1);
    copied = close + 1;
    i = close;
  }
  if (ends.length === 0) return { text, literals: NO_LITERALS };
  return { text: shape + text.slice(copied), literals: { ends, shifts } };
}

/**
 * Syntax trees by shape, null for a shape with a syntax error. A fleet's expressions differ from
 * one service to the next only in their label values: they have a few hundred shapes, each parsed
 * once, instead of a few hundred thousand texts.
 */
const shapeTrees = new Map<string, SyntaxNode | null>();
/** Shapes kept before the cache starts over. */
const SHAPE_CACHE_SIZE = 5_000;

/** An expression read from the tree of its shape; undefined when the shape does not tell (see `shapeOf`) or has a syntax error. */
function parseByShape(text: string): Parsed | undefined {
  if (text.trim() === '') return undefined;
  const shape = shapeOf(text);
  if (!shape) return undefined;
  let tree = shapeTrees.get(shape.text);
  if (tree === undefined) {
    const parsed = parser.parse(shape.text);
    tree = firstErrorAt(parsed) === undefined ? syntaxOf(parsed.topNode) : null;
    if (shapeTrees.size >= SHAPE_CACHE_SIZE) shapeTrees.clear();
    shapeTrees.set(shape.text, tree);
  }
  // Errors are read from the text itself: their position and message name its characters.
  if (tree === null) return undefined;
  return { ok: true, text, root: new Reader(text, shape.literals).node(tree) };
}

/** An expression read from its own tree, the shapes not asked: what `parseByShape` must agree with. */
export function parseWhole(text: string): Parsed {
  if (text.trim() === '')
    return {
      ok: false,
      text,
      error: { offset: 0, line: 1, column: 1, message: 'the expression is empty' },
    };
  const tree = parser.parse(text);
  const error = firstErrorAt(tree);
  if (error !== undefined) return { ok: false, text, error: syntaxError(text, error) };
  return { ok: true, text, root: new Reader(text).node(syntaxOf(tree.topNode)) };
}

/**
 * Durations of range selectors, subqueries and offsets, in text order, each literal of a duration
 * expression (`[5m+1m]`) on its own. A bare number in a duration position counts as seconds, as
 * Prometheus reads it. Read even where the rest of the expression has syntax errors.
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

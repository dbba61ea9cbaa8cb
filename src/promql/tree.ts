/**
 * The typed PromQL tree every reader of expressions shares: which series with which matchers,
 * which functions over which ranges, which aggregations by which labels, which binary operators
 * matching on which labels. Plain data; parse.ts builds it.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export interface Spanned {
  /** Offsets into the expression text. */
  readonly from: number;
  readonly to: number;
}

/** `name{matchers}`; `name` from `{__name__="x"}` too, undefined when no exact name is given. */
export interface SelectorNode extends Spanned {
  readonly kind: 'selector';
  readonly name: string | undefined;
  readonly matchers: readonly LabelMatcher[];
  /**
   * Written as `name{label op "value", ...}`: the name an identifier, every label name unquoted,
   * no `__name__` matcher. Only such selectors map one to one onto a name and `matchers`.
   */
  readonly plain: boolean;
}

/** `expr[range]` (a matrix selector) or `expr[range:step]` (a subquery). */
export interface RangeNode extends Spanned {
  readonly kind: 'range';
  readonly expr: PromNode;
  /** Seconds; undefined when the range is not a plain duration. */
  readonly range: number | undefined;
  readonly rangeText: string;
  /** Where `rangeText` is in the expression. */
  readonly rangeAt: Spanned;
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
  /** As written (`sum`, `SUM`). */
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
  /** `+`, `/`, `>`, `==`, `and`, `or`, `unless`... as written. */
  readonly op: string;
  readonly bool: boolean;
  readonly matching: Matching | undefined;
  /** The experimental `fill(v)` modifiers as written, e.g. `fill(0)`. */
  readonly fill: string | undefined;
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

/** Syntax the tree does not model (experimental modifiers); readers treat it as opaque. */
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

export interface PromqlSyntaxError {
  /** Offset into the expression. */
  readonly offset: number;
  /** 1-based line and column of the offset. */
  readonly line: number;
  readonly column: number;
  /** What is wrong, with the text around the position. */
  readonly message: string;
}

/** An expression that parsed, with its text (node offsets point into it). */
export interface Expression {
  readonly text: string;
  readonly root: PromNode;
}

export type Parsed =
  | ({ readonly ok: true } & Expression)
  | { readonly ok: false; readonly error: PromqlSyntaxError; readonly text: string };

/** A duration written in an expression: its text position, length in milliseconds and role. */
export interface DurationSpan extends Spanned {
  readonly ms: number;
  /** `range`: of a range selector or subquery; `step`: of a subquery; `offset`. */
  readonly role: 'range' | 'step' | 'offset';
}

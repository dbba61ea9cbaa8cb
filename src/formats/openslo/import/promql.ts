/**
 * PromQL of OpenSLO metric sources, read with the Prometheus project's own grammar
 * (@prometheus-io/lezer-promql): syntax check, where the ranges are, the window placeholder, and
 * the few rewrites the importer makes. `{{.window}}` (or `{{ .window }}`) is the go-sdk and Sloth
 * placeholder the compiler fills with the SLO's base window.
 */
import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** The window placeholder in either spelling. */
export const WINDOW_PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;
/** What the importer writes. */
export const WINDOW = '{{.window}}';
/** Stands in for the placeholder while parsing: a duration no real query uses. */
const SENTINEL = '987654321s';

/** A query parsed for analysis. */
export interface Query {
  /** The query with the placeholder replaced by the sentinel duration. */
  readonly text: string;
  readonly top: SyntaxNode;
}

export type Parsed =
  | { readonly ok: true; readonly query: Query }
  | { readonly ok: false; readonly message: string };

/** Parses a query; `message` names the position of the first syntax error. */
export function parsePromql(source: string): Parsed {
  const text = source.replace(WINDOW_PLACEHOLDER, SENTINEL);
  if (text.trim() === '') return { ok: false, message: 'the query is empty' };
  const tree = parser.parse(text);
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = node.from;
    },
  });
  if (error !== undefined) {
    const shown = text.slice(Math.max(0, error - 20), error + 20).replaceAll(SENTINEL, WINDOW);
    return {
      ok: false,
      message: `not valid PromQL at character ${error + 1} (near ${JSON.stringify(shown)})`,
    };
  }
  const top = tree.topNode.firstChild;
  if (!top) return { ok: false, message: 'the query is empty' };
  if (/\{\{/.test(text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '')))
    return { ok: false, message: 'only {{.window}} may appear outside quoted label values' };
  return { ok: true, query: { text, top } };
}

const textOf = (q: Query, node: SyntaxNode): string => q.text.slice(node.from, node.to);

function* descendants(node: SyntaxNode): Generator<SyntaxNode> {
  for (let child = node.firstChild; child; child = child.nextSibling) {
    yield child;
    yield* descendants(child);
  }
}

const children = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
};

/** Range durations of matrix selectors and subqueries (not offsets, not subquery steps). */
function rangeNodes(q: Query): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const node of [q.top, ...descendants(q.top)]) {
    if (node.name !== 'MatrixSelector' && node.name !== 'SubqueryExpr') continue;
    const range = children(node).find((c) => c.name === 'DurationExpr');
    if (range) out.push(range);
  }
  return out;
}

/** Whether the query contains the window placeholder. */
export const hasWindow = (q: Query): boolean => q.text.includes(SENTINEL);

/** Replaces node ranges in `q.text` (spans must not overlap), then puts the placeholder back. */
function splice(q: Query, edits: readonly { from: number; to: number; text: string }[]): string {
  let out = q.text;
  for (const edit of [...edits].sort((a, b) => b.from - a.from))
    out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  return out.replaceAll(SENTINEL, WINDOW);
}

/** The query with the placeholder spelled `{{.window}}`. */
export const withPlaceholder = (q: Query): string => q.text.replaceAll(SENTINEL, WINDOW);

/** The query with the placeholder filled by `window` (a Prometheus duration). */
export const fillWindow = (source: string, window: string): string =>
  source.replace(WINDOW_PLACEHOLDER, window);

export type Rewrite =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string };

/**
 * A query over the SLO's base window: kept as written when it has the placeholder; one fixed range
 * used throughout (`[5m]`) becomes the placeholder, because the compiler reads raw series over its
 * base window and derives every longer window from those recordings, so the written range only
 * chose the smoothing; several different fixed ranges are refused (which one is the SLI window?).
 * With no range at all, `instant` decides (wrap the selectors, or refuse).
 */
export function overBaseWindow(q: Query, instant: (q: Query) => Rewrite): Rewrite {
  if (hasWindow(q)) return { ok: true, text: withPlaceholder(q) };
  const ranges = rangeNodes(q);
  if (ranges.length === 0) return instant(q);
  const distinct = [...new Set(ranges.map((r) => textOf(q, r)))];
  if (distinct.length > 1)
    return {
      ok: false,
      message: `the query reads several ranges (${distinct.join(', ')}); obsgen cannot tell which one is the SLI window`,
    };
  return {
    ok: true,
    text: splice(
      q,
      ranges.map((r) => ({ from: r.from, to: r.to, text: SENTINEL })),
    ),
  };
}

/** Node names a counter query may consist of for its selectors to be wrapped in rate(). */
const WRAPPABLE = new Set([
  'AggregateExpr',
  'AggregateOp',
  'Sum',
  'AggregateModifier',
  'By',
  'Without',
  'GroupingLabels',
  'LabelName',
  'QuotedLabelName',
  'FunctionCallBody',
  'BinaryExpr',
  'ParenExpr',
  'NumberDurationLiteral',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'MatchingModifierClause',
  'On',
  'Ignoring',
  'GroupLeft',
  'GroupRight',
  'VectorSelector',
  'Identifier',
  'LabelMatchers',
  'UnquotedLabelMatcher',
  'QuotedLabelMatcher',
  'MatchOp',
  'EqlSingle',
  'EqlRegex',
  'Neq',
  'NeqRegex',
  'StringLiteral',
]);

/**
 * Wraps every selector of an instant query in `fn(selector[{{.window}}])`: `sum(x)` becomes
 * `sum(rate(x[{{.window}}]))`. Only sums, arithmetic and selectors are rewritten this way; any
 * other function could change meaning when its input turns from values into rates.
 */
export function wrapSelectors(q: Query, fn: 'rate' | 'sum_over_time'): Rewrite {
  const nodes = [q.top, ...descendants(q.top)];
  const foreign = nodes.find((n) => !WRAPPABLE.has(n.name));
  if (foreign)
    return {
      ok: false,
      message: `the query has no range and uses ${JSON.stringify(textOf(q, foreign))}; obsgen only wraps selectors of sums and arithmetic in ${fn}()`,
    };
  const selectors = nodes.filter((n) => n.name === 'VectorSelector');
  return {
    ok: true,
    text: splice(
      q,
      selectors.map((s) => ({ from: s.from, to: s.to, text: `${fn}(${textOf(q, s)}[${SENTINEL}])` })),
    ),
  };
}

/** Whether the top of the query needs parentheses to be an operand of a binary operator. */
export function isAtom(source: string): boolean {
  const parsed = parsePromql(source);
  if (!parsed.ok) return false;
  return ['AggregateExpr', 'FunctionCall', 'VectorSelector', 'ParenExpr', 'NumberDurationLiteral'].includes(
    parsed.query.top.name,
  );
}

/** `source` as an operand: in parentheses unless it already is one unit. */
export const operand = (source: string): string => (isAtom(source) ? source : `(${source})`);

/** One label matcher as written. */
export interface MatcherText {
  readonly label: string;
  readonly op: '=' | '=~' | '!=' | '!~';
  readonly value: string;
}

/** A PromQL string literal's value. */
function unquote(literal: string): string | undefined {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith('"'))
    try {
      return JSON.parse(literal) as string;
    } catch {
      return undefined;
    }
  if (literal.startsWith("'")) return literal.slice(1, -1).replace(/\\(['\\])/g, '$1');
  return undefined;
}

/** Metric name and matchers of a selector node; undefined for `{__name__=...}` forms. */
function selectorOf(q: Query, node: SyntaxNode): { name: string; matchers: MatcherText[] } | undefined {
  const parts = children(node);
  const name = parts.find((c) => c.name === 'Identifier');
  if (!name) return undefined;
  const matchers: MatcherText[] = [];
  const list = parts.find((c) => c.name === 'LabelMatchers');
  for (const m of list ? children(list) : []) {
    if (m.name !== 'UnquotedLabelMatcher') return undefined;
    const [label, op, value] = children(m);
    const text = value ? unquote(textOf(q, value)) : undefined;
    if (!label || !op || text === undefined) return undefined;
    matchers.push({ label: textOf(q, label), op: textOf(q, op) as MatcherText['op'], value: text });
  }
  return { name: textOf(q, name), matchers };
}

/** The shape `sum [by (labels)] (fn(selector[{{.window}}]))`, as the exporter writes event counts. */
export interface SummedSelector {
  readonly by: readonly string[];
  readonly name: string;
  readonly matchers: readonly MatcherText[];
}

/** Reads `sum [by (...)] (fn(selector[{{.window}}]))`; undefined for any other shape. */
export function summedWindowSelector(source: string, fn: string): SummedSelector | undefined {
  const parsed = parsePromql(source);
  if (!parsed.ok) return undefined;
  const q = parsed.query;
  if (q.top.name !== 'AggregateExpr') return undefined;
  const parts = children(q.top);
  const op = parts.find((c) => c.name === 'AggregateOp');
  if (!op || textOf(q, op) !== 'sum') return undefined;
  const modifier = parts.find((c) => c.name === 'AggregateModifier');
  let by: string[] = [];
  if (modifier) {
    const [keyword, grouping] = children(modifier);
    if (keyword?.name !== 'By' || !grouping) return undefined;
    by = children(grouping).map((l) => textOf(q, l));
  }
  const body = parts.find((c) => c.name === 'FunctionCallBody');
  const call = body ? children(body) : [];
  if (call.length !== 1 || call[0]?.name !== 'FunctionCall') return undefined;
  const [ident, args] = children(call[0]);
  if (!ident || textOf(q, ident) !== fn || !args) return undefined;
  const inner = children(args);
  if (inner.length !== 1 || inner[0]?.name !== 'MatrixSelector') return undefined;
  const [vector, range] = children(inner[0]);
  if (vector?.name !== 'VectorSelector' || !range || textOf(q, range) !== SENTINEL) return undefined;
  const selector = selectorOf(q, vector);
  return selector ? { by, ...selector } : undefined;
}

/** Reads `time() - selector` (the age of a unix-seconds timestamp); undefined otherwise. */
export function ageOfSelector(
  source: string,
): { name: string; matchers: readonly MatcherText[] } | undefined {
  const parsed = parsePromql(source);
  if (!parsed.ok) return undefined;
  const q = parsed.query;
  if (q.top.name !== 'BinaryExpr') return undefined;
  const [left, op, right, extra] = children(q.top);
  if (extra || !left || !op || !right || op.name !== 'Sub' || right.name !== 'VectorSelector')
    return undefined;
  if (left.name !== 'FunctionCall' || textOf(q, left) !== 'time()') return undefined;
  return selectorOf(q, right);
}

/** Every metric a query reads, with the labels it matches on and whether it is read through a rate. */
export function metricsRead(source: string): { name: string; labels: string[]; rated: boolean }[] {
  const parsed = parsePromql(source);
  if (!parsed.ok) return [];
  const q = parsed.query;
  const out: { name: string; labels: string[]; rated: boolean }[] = [];
  for (const node of [q.top, ...descendants(q.top)]) {
    if (node.name !== 'VectorSelector') continue;
    const selector = selectorOf(q, node);
    if (!selector) continue;
    let rated = false;
    for (let up = node.parent; up; up = up.parent)
      if (up.name === 'FunctionCall') {
        const ident = up.firstChild;
        rated = ident !== null && ['rate', 'increase', 'irate'].includes(textOf(q, ident));
        break;
      }
    out.push({ name: selector.name, labels: selector.matchers.map((m) => m.label), rated });
  }
  return out;
}

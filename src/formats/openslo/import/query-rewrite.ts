/**
 * PromQL of OpenSLO metric sources, read with the shared reader (src/promql): syntax check, where
 * the ranges are, the window placeholder, and the few rewrites the importer makes. `{{.window}}`
 * (or `{{ .window }}`) is the go-sdk and Sloth placeholder the compiler fills with the SLO's base
 * window.
 */
import {
  type CallNode,
  type Expression,
  type LabelMatcher,
  nodesOf,
  type PromNode,
  parsePromql as parseExpression,
  textNear,
  textOf,
  walk,
} from '../../../promql/index.ts';

/** The window placeholder in either spelling. */
export const WINDOW_PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;
/** What the importer writes. */
export const WINDOW = '{{.window}}';
/** Stands in for the placeholder while parsing: a duration no real query uses. */
const SENTINEL = '987654321s';

/** A query parsed for analysis; its text has the placeholder replaced by the sentinel duration. */
export type Query = Expression;

export type Parsed =
  | { readonly ok: true; readonly query: Query }
  | { readonly ok: false; readonly message: string };

/** Parses a query; `message` names the position of the first syntax error. */
export function parsePromql(source: string): Parsed {
  const text = source.replace(WINDOW_PLACEHOLDER, SENTINEL);
  if (text.trim() === '') return { ok: false, message: 'the query is empty' };
  const parsed = parseExpression(text);
  if (!parsed.ok) {
    const at = parsed.error.offset;
    const shown = textNear(text, at).replaceAll(SENTINEL, WINDOW);
    return {
      ok: false,
      message: `not valid PromQL at character ${at + 1} (near ${JSON.stringify(shown)})`,
    };
  }
  if (/\{\{/.test(text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '')))
    return { ok: false, message: 'only {{.window}} may appear outside quoted label values' };
  return { ok: true, query: { text, root: parsed.root } };
}

/** Whether the query contains the window placeholder. */
export const hasWindow = (q: Query): boolean => q.text.includes(SENTINEL);

/** Replaces spans of `q.text` (they must not overlap), then puts the placeholder back. */
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
  const ranges = nodesOf(q.root, 'range').map(({ node }) => node.rangeAt);
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

const WRAPPABLE_OPS = new Set(['+', '-', '*', '/']);

/**
 * The first part of a query, in text order, that is not a sum, arithmetic, a number, a string or a
 * selector: its text. Any other function could change meaning when its input turns from values
 * into rates.
 */
function firstUnwrappable(q: Query, node: PromNode): string | undefined {
  switch (node.kind) {
    case 'selector':
    case 'number':
    case 'string':
      return undefined;
    case 'aggregate':
      if (node.op.toLowerCase() !== 'sum') return node.op;
      for (const arg of node.args) {
        const found = firstUnwrappable(q, arg);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'binary':
      return (
        firstUnwrappable(q, node.lhs) ??
        (WRAPPABLE_OPS.has(node.op) ? undefined : node.op) ??
        (node.bool ? 'bool' : undefined) ??
        node.fill ??
        firstUnwrappable(q, node.rhs)
      );
    case 'wrap':
      return node.what === 'paren' ? firstUnwrappable(q, node.expr) : textOf(q, node);
    default:
      return textOf(q, node);
  }
}

/**
 * Wraps every selector of an instant query in `fn(selector[{{.window}}])`: `sum(x)` becomes
 * `sum(rate(x[{{.window}}]))`. Only sums, arithmetic and selectors are rewritten this way.
 */
export function wrapSelectors(q: Query, fn: 'rate' | 'sum_over_time'): Rewrite {
  const foreign = firstUnwrappable(q, q.root);
  if (foreign !== undefined)
    return {
      ok: false,
      message: `the query has no range and uses ${JSON.stringify(foreign)}; obsgen only wraps selectors of sums and arithmetic in ${fn}()`,
    };
  return {
    ok: true,
    text: splice(
      q,
      nodesOf(q.root, 'selector').map(({ node }) => ({
        from: node.from,
        to: node.to,
        text: `${fn}(${textOf(q, node)}[${SENTINEL}])`,
      })),
    ),
  };
}

/** Whether the top of the query needs parentheses to be an operand of a binary operator. */
export function isAtom(source: string): boolean {
  const parsed = parsePromql(source);
  if (!parsed.ok) return false;
  const top = parsed.query.root;
  return (
    ['aggregate', 'call', 'selector', 'number'].includes(top.kind) ||
    (top.kind === 'wrap' && top.what === 'paren')
  );
}

/** `source` as an operand: in parentheses unless it already is one unit. */
export const operand = (source: string): string => (isAtom(source) ? source : `(${source})`);

/** Metric name and matchers of a selector written `name{label op "value", ...}`; else undefined. */
function plainSelector(node: PromNode): { name: string; matchers: readonly LabelMatcher[] } | undefined {
  return node.kind === 'selector' && node.plain && node.name !== undefined
    ? { name: node.name, matchers: node.matchers }
    : undefined;
}

/** The shape `sum [by (labels)] (fn(selector[{{.window}}]))`, as the exporter writes event counts. */
export interface SummedSelector {
  readonly by: readonly string[];
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

/** Reads `sum [by (...)] (fn(selector[{{.window}}]))`; undefined for any other shape. */
export function summedWindowSelector(source: string, fn: string): SummedSelector | undefined {
  const parsed = parsePromql(source);
  if (!parsed.ok) return undefined;
  const q = parsed.query;
  const top = q.root;
  if (top.kind !== 'aggregate' || top.op !== 'sum') return undefined;
  if (top.grouping && top.grouping.mode !== 'by') return undefined;
  const [call, extra] = top.args;
  if (extra || call?.kind !== 'call' || call.fn !== fn) return undefined;
  const [range, more] = call.args;
  if (more || range?.kind !== 'range' || range.subquery || range.rangeText !== SENTINEL) return undefined;
  const selector = plainSelector(range.expr);
  return selector ? { by: top.grouping?.labels ?? [], ...selector } : undefined;
}

/** Reads `time() - selector` (the age of a unix-seconds timestamp); undefined otherwise. */
export function ageOfSelector(
  source: string,
): { name: string; matchers: readonly LabelMatcher[] } | undefined {
  const parsed = parsePromql(source);
  if (!parsed.ok) return undefined;
  const q = parsed.query;
  const top = q.root;
  if (top.kind !== 'binary' || top.op !== '-' || top.bool || top.matching || top.fill) return undefined;
  if (top.lhs.kind !== 'call' || textOf(q, top.lhs) !== 'time()') return undefined;
  return plainSelector(top.rhs);
}

/** The selector of a query that is one plain selector (`consumer_lag_seconds{topic="x"}`). */
export function gaugeSelector(
  source: string,
): { name: string; matchers: readonly LabelMatcher[] } | undefined {
  const parsed = parsePromql(source);
  if (!parsed.ok) return undefined;
  return plainSelector(parsed.query.root);
}

/** The function nearest around a node, given its ancestors (nearest last); aggregations do not count. */
const enclosingCall = (ancestors: readonly PromNode[]): CallNode | undefined =>
  [...ancestors].reverse().find((a): a is CallNode => a.kind === 'call');

/** Every metric a query reads, with the labels it matches on and whether it is read through a rate. */
export function metricsRead(source: string): { name: string; labels: string[]; rated: boolean }[] {
  const parsed = parsePromql(source);
  if (!parsed.ok) return [];
  const out: { name: string; labels: string[]; rated: boolean }[] = [];
  walk(parsed.query.root, (node, ancestors) => {
    const selector = plainSelector(node);
    if (!selector) return;
    const fn = enclosingCall(ancestors)?.fn;
    out.push({
      name: selector.name,
      labels: selector.matchers.map((m) => m.label),
      rated: fn !== undefined && ['rate', 'increase', 'irate'].includes(fn),
    });
  });
  return out;
}

/** The shared PromQL reader and the label flow the lint checks are built on. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LabelSet, labelFlow } from '../src/checks/labels.ts';
import {
  durationSpans,
  isConstantValued,
  nodesOf,
  type PromNode,
  parsePromql,
  quote,
  rangeCalls,
  renderSelector,
  scaleDurations,
  selectedMetricNames,
  textOf,
} from '../src/promql/index.ts';
import { parseWhole } from '../src/promql/parse.ts';

const root = (expr: string): PromNode => {
  const parsed = parsePromql(expr);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.root;
};

const labelsOf = (expr: string, declared: Record<string, string[]>) =>
  labelFlow(root(expr), (s) => (s.name && declared[s.name] ? new Set(declared[s.name]) : undefined));

const sorted = (labels: LabelSet) => (labels === 'any' ? 'any' : [...labels].sort());

describe('parsePromql', () => {
  it('gives the line and column of the first syntax error', () => {
    const parsed = parsePromql('sum(rate(x[5m]))\n/\nsum(rate(y[5m])');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatchObject({ line: 3, column: 16 });
    expect(parsed.error.message).toMatch(/^unexpected end of expression at line 3, column 16/);
    const middle = parsePromql('sum(x) +* y');
    expect(middle.ok ? undefined : middle.error.message).toMatch(/^syntax error at line 1, column/);
    expect(parsePromql('  ').ok).toBe(false);
  });

  it('reads selectors with their names and matchers, __name__ included', () => {
    const selectors = nodesOf(root('a{x="1",y=~"2|3"} / on() group_left {__name__="b",z!="4"}'), 'selector');
    expect(selectors.map(({ node }) => [node.name, node.matchers])).toEqual([
      [
        'a',
        [
          { label: 'x', op: '=', value: '1' },
          { label: 'y', op: '=~', value: '2|3' },
        ],
      ],
      ['b', [{ label: 'z', op: '!=', value: '4' }]],
    ]);
    expect(nodesOf(root('{__name__=~"slo:.*"}'), 'selector')[0]?.node.name).toBeUndefined();
  });

  it('reads functions over ranges: matrix selectors, offsets and subqueries', () => {
    const calls = rangeCalls(root('rate(a[5m] offset 1w) + max_over_time(b[1h30m]) + rate(sum(c)[10m:1m])'));
    expect(calls.map((c) => [c.call.fn, c.range.range, c.range.subquery, c.selector?.name])).toEqual([
      ['rate', 300, false, 'a'],
      ['max_over_time', 5400, false, 'b'],
      ['rate', 600, true, undefined],
    ]);
  });

  it('reads aggregations and binary matching', () => {
    const [agg] = nodesOf(root('topk(3, sum without (pod) (x))'), 'aggregate');
    expect(agg?.node.op).toBe('topk');
    const [bin] = nodesOf(root('a / ignoring(le) group_right(c, d) b > bool 1'), 'binary').slice(1);
    expect(bin?.node).toMatchObject({
      op: '/',
      matching: { mode: 'ignoring', labels: ['le'], group: 'right', include: ['c', 'd'] },
    });
  });

  it('tells constant-valued expressions (whose value is not worth showing)', () => {
    expect(isConstantValued(root('min(up) == 0'))).toBe(true);
    expect(isConstantValued(root('max(a) == 0 or (max(b) or vector(0)) == 0'))).toBe(true);
    expect(isConstantValued(root('absent(x{a="b"})'))).toBe(true);
    expect(isConstantValued(root('vector(1)'))).toBe(true);
    expect(isConstantValued(root('sum(rate(x[5m])) > 0.05'))).toBe(false);
    expect(isConstantValued(root('max(up) == bool 0'))).toBe(false);
  });

  it('tells plain selectors (identifier name, unquoted labels) from other spellings', () => {
    const plain = (expr: string) => nodesOf(root(expr), 'selector').map(({ node }) => node.plain);
    expect(plain('a{x="1"} + b + {__name__="c"} + d{"e.f"="2"} + g{__name__="g"}')).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('gives where a range is written, and the fill modifiers of a binary operator', () => {
    const parsed = parsePromql('rate(x[5m]) + fill(0) max_over_time(y[1h:1m])');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const ranges = nodesOf(parsed.root, 'range').map(({ node }) => textOf(parsed, node.rangeAt));
    expect(ranges).toEqual(['5m', '1h']);
    expect(nodesOf(parsed.root, 'binary')[0]?.node.fill).toBe('fill(0)');
  });
});

describe('parsePromql by shape', () => {
  // Expressions are read from the tree of their text with the string literals emptied: the
  // result must be what reading the text on its own gives, errors and offsets included.
  const same = (text: string): void => {
    expect(parsePromql(text)).toEqual(parseWhole(text));
  };

  it('reads literals of every quote, escapes and spelling as the text itself does', () => {
    for (const text of [
      'a{x="1",y=~"2|3"} / on() group_left {__name__="b",z!="4"}',
      'sum by ("a.b", c) (x{"d.e"="f\\"g", h=\'i\\\'j\'}) + {"metric.name"}',
      'label_replace(up, "dst", "$1", "src", `(.*)\n"\'`)',
      '{"__name__"="x", "__name__"!="y"} + {__name__="z"}',
      'count_values("value", x{a="\\u00e9\\x41"}) or vector(1)',
      'x{a=""} / y{b="#"} # a comment with a "quote',
      'x{a="unterminated} + y',
      'x{a="line\nbreak"}',
      'x{a="escaped line\\\nbreak"}',
      'x{a=`unterminated}',
      'x{a="ok"} +* y{b="c"}',
      'sum(rate(x{a="b"}[5m]))\n/\nsum(rate(y{a="b"}[5m])',
      '"just a string"',
      'x{a="1"} \\',
    ])
      same(text);
  });

  it('agrees with reading the text on its own for any literal content', () => {
    const templates = [
      (a: string, b: string) => `sum by (le) (rate(x_bucket{a=${a}, b!~${b}}[5m]))`,
      (a: string, b: string) => `label_replace(up{job=${a}}, "dst", ${b}, "src", "(.*)") > 0`,
      (a: string, b: string) => `x{${a}=${b}} / ignoring(${a}) y`,
      (a: string, b: string) => `{${a}, c=${b}} offset 5m`,
    ];
    const literal = fc.oneof(
      fc.string().map((s) => JSON.stringify(s)),
      fc.string().map((s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`),
      fc.string().map((s) => `\`${s.replaceAll('`', '')}\``),
      fc.string({ unit: fc.constantFrom('"', "'", '`', '\\', '\n', '#', 'a', ' ') }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: templates.length - 1 }), literal, literal, (i, a, b) =>
        same((templates[i] as (a: string, b: string) => string)(a, b)),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('durations and metric names', () => {
  it('finds ranges, subquery steps and offsets, not numbers that are values', () => {
    const expr = 'predict_linear(x[1d], 86400) > 7200 and max_over_time(y[1h:5m] offset 30m) > 0';
    expect(durationSpans(expr).map((s) => [s.ms, s.role])).toEqual([
      [86_400_000, 'range'],
      [3_600_000, 'range'],
      [300_000, 'step'],
      [1_800_000, 'offset'],
    ]);
    expect(scaleDurations(expr, 60)).toBe(
      'predict_linear(x[24m], 86400) > 7200 and max_over_time(y[1m:5s] offset 30s) > 0',
    );
  });

  it('lists the metrics an expression selects, by identifier or __name__', () => {
    expect(selectedMetricNames('b{x="1"} / on() {__name__="a"} + b + vector(1)')).toEqual(['a', 'b']);
    expect(selectedMetricNames('vector(1)')).toEqual([]);
  });
});

describe('render', () => {
  it('quotes values so PromQL reads them back unchanged', () => {
    const value = 'a"b\\c\nd';
    const parsed = parsePromql(`x{l=${quote(value)}}`);
    const selector = parsed.ok ? nodesOf(parsed.root, 'selector')[0]?.node : undefined;
    expect(selector?.matchers[0]?.value).toBe(value);
  });

  it('renders matchers sorted by label, environment variables filled in', () => {
    expect(
      renderSelector(
        'x',
        { b: { re: '5..' }, a: { env: 'cluster' }, c: { ne: 'z' } },
        { vars: { cluster: 'eu' } },
      ),
    ).toBe('x{a="eu",b=~"5..",c!="z"}');
  });
});

describe('labelFlow', () => {
  const declared = { x: ['job', 'handler', 'status'], x_bucket: ['job', 'handler', 'le'], y: ['job', 'pod'] };

  it('follows aggregations, histogram_quantile, label_replace, absent and matching', () => {
    expect(sorted(labelsOf('sum by (handler) (rate(x[5m]))', declared).labels)).toEqual(['handler']);
    expect(sorted(labelsOf('sum without (status) (x)', declared).labels)).toEqual(['handler', 'job']);
    expect(
      sorted(labelsOf('histogram_quantile(0.9, sum by (le, handler) (rate(x_bucket[5m])))', declared).labels),
    ).toEqual(['handler']);
    expect(sorted(labelsOf('label_replace(x, "route", "$1", "handler", "(.*)")', declared).labels)).toEqual([
      'handler',
      'job',
      'route',
      'status',
    ]);
    expect(sorted(labelsOf('absent(x{job="a",status=~"5.."})', declared).labels)).toEqual(['job']);
    expect(sorted(labelsOf('x / on (job) group_left (pod) y', declared).labels)).toEqual([
      'handler',
      'job',
      'pod',
      'status',
    ]);
    expect(sorted(labelsOf('sum(x) / on () sum(y)', declared).labels)).toEqual([]);
    expect(sorted(labelsOf('unknown_metric', declared).labels)).toBe('any');
  });

  it('reports clauses naming labels their input does not carry', () => {
    const problems = (expr: string) =>
      labelsOf(expr, declared).problems.map((p) => `${p.clause}(${p.label})`);
    expect(problems('sum by (pod) (x)')).toEqual(['by(pod)']);
    expect(problems('sum by (handler) (sum by (job) (x))')).toEqual(['by(handler)']);
    expect(problems('x / on (nope) y')).toEqual(['on(nope)']);
    expect(problems('x * on (job) group_left (status) y')).toEqual(['group_left(status)']);
    expect(problems('sum by (handler) (rate(x[5m])) / on () group_left sum(y)')).toEqual([]);
    expect(problems('sum by (anything) (unknown_metric)')).toEqual([]);
  });
});

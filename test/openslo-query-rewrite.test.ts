/** The rewrites the OpenSLO importer makes to the queries it reads. */
import { describe, expect, it } from 'vitest';
import {
  ageOfSelector,
  isAtom,
  metricsRead,
  overBaseWindow,
  parsePromql,
  type Query,
  summedWindowSelector,
  wrapSelectors,
} from '../src/formats/openslo/import/query-rewrite.ts';

const query = (source: string): Query => {
  const parsed = parsePromql(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.query;
};
const overWindow = (source: string) => overBaseWindow(query(source), (q) => wrapSelectors(q, 'rate'));

describe('OpenSLO query rewrites', () => {
  it('names the position of a syntax error with the placeholder as written', () => {
    expect(parsePromql('sum(rate(x[{{.window}}])')).toEqual({
      ok: false,
      message: 'not valid PromQL at character 24 (near "(rate(x[{{.window}}])")',
    });
    expect(parsePromql('x{a="{{.vars.b}}"} + {{.c}}')).toMatchObject({ ok: false });
  });

  it('puts the placeholder in place of one fixed range, refuses several', () => {
    expect(overWindow('sum(rate(x[5m])) / sum(rate(y[5m]))')).toEqual({
      ok: true,
      text: 'sum(rate(x[{{.window}}])) / sum(rate(y[{{.window}}]))',
    });
    expect(overWindow('rate(x[5m]) / rate(y[1h])')).toMatchObject({ ok: false });
  });

  it('wraps selectors of sums and arithmetic only, naming what it will not wrap', () => {
    expect(overWindow('sum by (a) (x{b="c"}) + 1')).toEqual({
      ok: true,
      text: 'sum by (a) (rate(x{b="c"}[{{.window}}])) + 1',
    });
    const refused = (source: string) => {
      const r = overWindow(source);
      return r.ok ? undefined : /uses (".*?");/.exec(r.message)?.[1];
    };
    expect(refused('avg(x)')).toBe('"avg"');
    expect(refused('sum(x) > 1')).toBe('">"');
    expect(refused('sum(abs(x))')).toBe('"abs(x)"');
    expect(refused('sum(x) + fill(0) sum(y)')).toBe('"fill(0)"');
  });

  it('reads the shapes the exporter writes', () => {
    expect(summedWindowSelector('sum by (a) (rate(x{b="c"}[{{.window}}]))', 'rate')).toEqual({
      by: ['a'],
      name: 'x',
      matchers: [{ label: 'b', op: '=', value: 'c' }],
    });
    expect(summedWindowSelector('sum(rate({__name__="x"}[{{.window}}]))', 'rate')).toBeUndefined();
    expect(summedWindowSelector('sum(rate(x[5m]))', 'rate')).toBeUndefined();
    expect(ageOfSelector('time() - x{a="b"}')).toEqual({
      name: 'x',
      matchers: [{ label: 'a', op: '=', value: 'b' }],
    });
    expect(isAtom('sum(x)')).toBe(true);
    expect(isAtom('a / b')).toBe(false);
    expect(metricsRead('sum(rate(x{a="1"}[5m])) / sum(y)')).toEqual([
      { name: 'x', labels: ['a'], rated: true },
      { name: 'y', labels: [], rated: false },
    ]);
  });
});

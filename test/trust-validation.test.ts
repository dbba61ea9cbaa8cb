/**
 * Bad input found at validation, with file and field, instead of after generate: regular
 * expressions read with RE2 semantics, Prometheus's duration grammar exactly, `le` regexes that
 * match every spelling of a bucket bound, SLO annotations parsed as templates.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, validateOpenSlo } from '../src/index.ts';
import { durationProblem, formatNumber, parseDurationMs } from '../src/model/units.ts';
import { fullMatch, labelRegexProblem, leRegex } from '../src/promql/index.ts';
import { copyProject, type Edit } from './helpers/project.ts';
import { tempDir } from './helpers/tools.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-trust-validation-'));
});
afterAll(() => cleanup());

let count = 0;
/** Generates a changed copy of the lint-clean shop; returns its diagnostics as `file: path: message`. */
async function diagnosticsOf(edits: readonly Edit[]): Promise<{ lines: string[]; written: boolean }> {
  const root = await copyProject('lint-clean', join(dir, `case-${count++}`), edits);
  const result = await generate({ root });
  const lines = result.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.file}: ${d.path.join('.')}: ${d.message}`);
  return { lines, written: (await readdir(root)).includes('generated') };
}

const shop = (from: string, to: string): Edit => ({ file: 'slos/shop.ts', from, to });
const routes = (from: string, to: string): Edit => ({ file: 'slos/environments.ts', from, to });

describe('regular expressions are RE2', () => {
  it.each([
    ['5(?=0)..', /lookahead/],
    ['(5)\\1.', /back-reference/],
    ['(', /not an RE2 regular expression: missing closing \)/],
    ['5++', /possessive/],
  ])('%s is refused with the construct named', (pattern, why) => {
    expect(labelRegexProblem(pattern)).toMatch(why);
  });

  it('accepts what RE2 accepts and JavaScript does not, and matches it anchored', () => {
    expect(labelRegexProblem('(?i)get|post')).toBeUndefined();
    expect(fullMatch('(?i)get|post', 'GET')).toBe(true);
    expect(fullMatch('5..', '5000')).toBe(false);
  });

  it.each([
    ["re('5(?=0)..')", /lookahead/],
    ["re('(5)\\\\1.')", /back-reference/],
    ["re('(')", /missing closing/],
    ["{ nre: '(?!2)..' }", /negative lookahead/],
  ])('a selector with %s: file and field, nothing written', async (matcher, why) => {
    const { lines, written } = await diagnosticsOf([shop("status: re('5..')", `status: ${matcher}`)]);
    expect(written).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^slos\/shop\.ts: errors\.sli\.bad\.matchers\.status: /);
    expect(lines[0]).toMatch(why);
  });

  it('a route matcher with a lookahead: file and field, nothing written', async () => {
    const { lines, written } = await diagnosticsOf([
      routes("match: { severity: 'info' }", "match: { severity: { re: 'inf(?=o)o' } }"),
    ]);
    expect(written).toBe(false);
    expect(lines.join('\n')).toMatch(
      /^slos\/environments\.ts: alerting\.routes\.2\.match\.severity: .*lookahead/m,
    );
  });

  it('an imported OpenSLO query with a lookahead: file and field', async () => {
    const root = await copyProject('lint-clean', join(dir, 'openslo'));
    await mkdir(join(root, 'openslo'));
    await writeFile(
      join(root, 'openslo', 'shop.yaml'),
      `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-errors
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{job="shop",status=~"5(?=0).."}[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{job="shop"}[{{.window}}]))
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.99
`,
    );
    const result = await validateOpenSlo({ root, paths: [join(root, 'openslo')] });
    const regex = result.diagnostics.filter((d) => d.code === 'openslo/regex');
    expect(regex).toHaveLength(1);
    expect(regex[0]?.file).toBe('openslo/shop.yaml');
    expect(regex[0]?.message).toMatch(/status=~: .*lookahead/);
  });
});

describe('durations follow the Prometheus grammar', () => {
  it.each(['1d30d', '5m1h', '30m1h', '1h1h', '1.5h', '-5m', '', '5'])('%j is not a duration', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
    expect(durationProblem(text)).toBe('malformed');
  });

  it.each([
    ['1h30m', 5_400_000],
    [
      '1y2w3d4h5m6s7ms',
      31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_007,
    ],
    ['30d', 2_592_000_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it('zero and too long are told apart from malformed', () => {
    expect(durationProblem('0d')).toBe('zero');
    expect(durationProblem('1000y')).toBe('too-long');
  });

  it.each([
    ["period: '30d'", "period: '1d30d'", /"1d30d" is not a duration/],
    ["period: '7d'", "period: '5m1h'", /"5m1h" is not a duration/],
    ["period: '30d'", "period: '0d'", /"0d" is zero/],
    ["period: '30d'", "period: '99999999999999999999d'", /longer than Prometheus accepts/],
  ])('SLO %s -> %s is refused clearly', async (from, to, why) => {
    const { lines, written } = await diagnosticsOf([shop(from, to)]);
    expect(written).toBe(false);
    expect(lines.join('\n')).toMatch(why);
    expect(lines[0]).toMatch(/^slos\/shop\.ts: (errors|latency)\.period: /);
  });
});

describe('le regexes match every spelling of a bucket bound', () => {
  const spellings: [number, string[]][] = [
    [1e-7, ['1e-07', '1e-7', '1E-07', '1.0e-07', '0.0000001']],
    [2.5e-5, ['2.5e-05', '0.000025', '2.50e-5']],
    [1e6, ['1e+06', '1000000', '1000000.0', '1e6']],
    [2, ['2', '2.0']],
    [0.25, ['0.25', '0.250']],
  ];
  it.each(spellings)('%d', (bound, texts) => {
    expect(labelRegexProblem(leRegex(bound))).toBeUndefined();
    for (const text of [...texts, formatNumber(bound)])
      expect(fullMatch(leRegex(bound), text), text).toBe(true);
    expect(fullMatch(leRegex(bound), '3')).toBe(false);
    expect(fullMatch(leRegex(bound), '+Inf')).toBe(false);
  });
});

describe('SLO annotations are templates', () => {
  it('one that does not parse: file and field, nothing written', async () => {
    const { lines, written } = await diagnosticsOf([
      shop(
        "  period: '7d',",
        "  period: '7d',\n  alerting: { annotations: { note: 'p95 is {{ $value | humanize' } },",
      ),
    ]);
    expect(written).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^slos\/shop\.ts: latency\.alerting\.annotations\.note: does not parse/);
  });
});

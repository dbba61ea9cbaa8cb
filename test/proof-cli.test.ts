/** `obsgen test` as a process, narrowed to a few alerts so it stays fast (the full run is the integrator's suite). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { observedRules } from '../src/commands/test/observed.ts';
import { parsePromtoolFailures } from '../src/commands/test/promtool.ts';
import { replayCost } from '../src/commands/test/prove.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { build, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { ROOT, tool } from './helpers/tools.ts';

const obsgen = (args: readonly string[]) =>
  tool(process.execPath, [join(ROOT, 'src', 'cli', 'bin.js'), ...args], ROOT);

describe('obsgen test', () => {
  it('runs the generated tests of the chosen alerts with promtool and lists every scenario per alert', async () => {
    const result = await obsgen([
      'test',
      '--env',
      'production',
      '--alert',
      'HighErrorRate',
      'DatabaseConnectionFailure',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('malaria-predictor-api / production');
    expect(result.stdout).toMatch(/HighErrorRate\s+2\/2 scenarios passed/);
    expect(result.stdout).toMatch(/ok {4}malaria-predictor-api: HighErrorRate fires within 6m/);
    expect(result.stdout).toMatch(
      /ok {4}malaria-predictor-api: HighErrorRate stays silent on healthy series/,
    );
    expect(result.stdout).toMatch(/DatabaseConnectionFailure\s+2\/2 scenarios passed/);
    expect(result.stdout).not.toContain('staging');
    expect(result.stdout).toContain('every scenario passed');
  });

  it('refuses an alert no generated test proves (exit 2)', async () => {
    const result = await obsgen(['test', '--alert', 'NoSuchAlert']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no generated test proves an alert named "NoSuchAlert"');
  });
});

describe('reading promtool failures', () => {
  it('ties alert and expression failures to their checks, keeping the text', () => {
    const stderr = [
      '  FAILED:',
      '    name: a; b,',
      '    alertname: HighErrorRate, time: 6m, ',
      '        exp:[',
      '            0:',
      '              Labels:{alertname="HighErrorRate"}',
      '            ], ',
      '        got:[]',
      '    expr: "ALERTS{alertname=\\"X\\",alertstate=\\"firing\\"}", time: 1h6m,',
      '        exp: {__name__="ALERTS"} 1E+00',
      '        got: nil',
      '',
    ].join('\n');
    const failures = parsePromtoolFailures(stderr);
    expect(failures.map((f) => f.check)).toEqual([
      { key: 'alert:HighErrorRate', atMs: 360_000 },
      { key: 'expr:ALERTS{alertname="X",alertstate="firing"}', atMs: 3_960_000 },
    ]);
    expect(failures[0]?.text).toContain('got:[]');
  });
});

describe('the order promtool tests run in', () => {
  it('puts a three-day burn replayed every minute before a two-week example replayed hourly', async () => {
    const loaded = await loadProject({ root: ROOT });
    const built = build(loaded.project as Project);
    const rules = (path: string): RuleFile => {
      const doc = built.documents.find((d) => d.path === path);
      return doc?.format === 'yaml' ? (doc.value as RuleFile) : { groups: [] };
    };
    const production = built.derived.tests.find((t) => t.env.name === 'production');
    const hourly = production?.plans.find((p) => p.file.evaluation_interval === '1h');
    const trend = hourly?.packed[0];
    const probe = built.derived.shapes.find((s) => s.shape.hash === '86f18bdf3efd');
    const steady = probe?.plans.find((p) => p.path.endsWith('.steady.test.yaml'));
    const burn = steady?.packed.find((p) => p.scenarios.some((s) => s.kind === 'half-budget'));
    if (!hourly || !trend || !probe || !steady || !burn) throw new Error('missing malaria test files');
    // The example replays 14 days, the burn 73 hours: by length alone the example would go first.
    expect(Math.max(...trend.scenarios.map((s) => s.seconds))).toBeGreaterThan(
      Math.max(...burn.scenarios.map((s) => s.seconds)),
    );
    const exampleCost = replayCost(
      trend,
      '1h',
      rules('prometheus/production/malaria-predictor-api.rules.yaml'),
    );
    expect(replayCost(burn, '1m', probe.shape.rules)).toBeGreaterThan(exampleCost);
  });
});

describe('the rules a promtool test loads', () => {
  const built = async () => {
    const loaded = await loadProject({ root: ROOT });
    return build(loaded.project as Project);
  };
  const production = async () => {
    const b = await built();
    const doc = b.documents.find((d) => d.path === 'prometheus/production/malaria-predictor-api.rules.yaml');
    const tests = b.derived.tests.find((t) => t.env.name === 'production');
    if (doc?.format !== 'yaml' || !tests) throw new Error('missing the production rule file');
    return { rules: doc.value as RuleFile, plans: tests.plans };
  };
  const names = (rules: RuleFile) => rules.groups.map((g) => g.name.replace('malaria-predictor-api-', ''));
  const outputs = (rules: RuleFile) =>
    rules.groups.flatMap((g) =>
      g.rules.map((r) => ('alert' in r ? `${r.alert} ${r.labels.long_window ?? ''}`.trim() : r.record)),
    );

  it('are those writing what its checks read, and those they read through recorded series', async () => {
    const { rules, plans } = await production();
    const hourly = plans.find((p) => p.file.evaluation_interval === '1h')?.packed[0];
    const outage = plans
      .flatMap((p) => p.packed)
      .find((p) => p.scenarios.some((s) => s.name.startsWith('availability: total outage')));
    if (!hourly || !outage) throw new Error('missing malaria scenarios');
    expect(rules.groups.length).toBeGreaterThan(20);
    // The week-over-week example reads raw histogram series only.
    expect(outputs(observedRules(rules, hourly.test))).toEqual(['LatencyTrendWeekOverWeek']);
    // An outage checks the burn alerts, which read the SLI group's recorded ratios; the meta
    // group records the period's ratio under the same metric names, with another slo label or a
    // window no alert reads, and the catalog groups write nothing the alerts read.
    const observed = names(observedRules(rules, outage.test));
    expect(observed).toContain('availability-sli');
    expect(observed).toContain('availability-alerts');
    expect(observed.some((n) => n.endsWith('-meta'))).toBe(false);
    expect(observed).not.toContain('availability');
  });

  it('leave out the windows of alerts no check reads', async () => {
    const shape = (await built()).derived.shapes.find((s) => s.shape.hash === '86f18bdf3efd');
    const budgetRate = shape?.plans
      .flatMap((p) => p.packed)
      .find((p) => p.scenarios.some((s) => s.kind === 'budget-rate'));
    if (!shape || !budgetRate) throw new Error('missing the probe shape');
    // The 1x burn checks the pages only: the tickets' 1d, 2h and 3d windows are not replayed.
    expect(outputs(observedRules(shape.shape.rules, budgetRate.test))).toEqual([
      'slo:sli_bad:rate5m',
      'slo:sli_total:rate5m',
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate6h',
      'ShapeBudgetBurn 1h',
      'ShapeBudgetBurn 6h',
    ]);
  });

  it('are the whole file when a check reads a series it cannot name', async () => {
    const { rules } = await production();
    const test = {
      name: 'reads by label',
      interval: '1m',
      input_series: [],
      promql_expr_test: [{ expr: 'count({slo="availability"})', eval_time: '1m', exp_samples: [] }],
    };
    expect(observedRules(rules, test)).toBe(rules);
  });
});

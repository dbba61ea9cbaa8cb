/** `obsgen test` as a process, narrowed to a few alerts so it stays fast (the full run is the integrator's suite). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromtoolFailures } from '../src/commands/test/promtool.ts';
import { ROOT, tool } from './helpers/tools.ts';

const obsgen = (args: readonly string[]) =>
  tool(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'src', 'cli', 'main.ts'), ...args], ROOT);

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

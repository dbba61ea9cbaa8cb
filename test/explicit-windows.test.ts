/**
 * `alerting.windows`: explicit burn-rate window pairs replacing the derived ones (what imported
 * alert policies compile to). Resolution, defaults, validation and the alerts they compile to,
 * on the shop fixture (a service other than the malaria API).
 */
import { describe, expect, it } from 'vitest';
import { buildTree } from '../src/index.ts';
import { defineService } from '../src/model/service.ts';
import type { ExplicitBurnWindow } from '../src/model/slo.ts';
import { formatRational, formatSeconds } from '../src/model/units.ts';
import { validateService } from '../src/validate/service.ts';
import { shop, errors as shopErrors } from './fixtures/slo-valid/slos/shop.ts';

const withWindows = (windows: readonly ExplicitBurnWindow[], extra: Record<string, unknown> = {}) => ({
  file: 'slos/shop.ts',
  exportName: 'default',
  value: defineService({ ...shop, slos: [{ ...shopErrors, alerting: { windows, ...extra } }] }),
});

describe('explicit burn windows', () => {
  it('replace the derived pairs, with short = long / 12 and for = one evaluation by default', () => {
    const { service, diagnostics } = validateService(
      withWindows([
        { long: '1h', factor: 14.4, severity: 'critical', for: '0s' },
        { long: '12h', short: '30m', factor: 2, severity: 'warning' },
      ]),
    );
    expect(diagnostics).toEqual([]);
    const slo = service?.slos[0];
    expect(
      slo?.windows.map((p) => [
        p.tier,
        formatSeconds(p.long),
        formatSeconds(p.short),
        formatRational(p.factor),
        formatSeconds(p.forSeconds),
      ]),
    ).toEqual([
      ['page', '1h', '5m', '14.4', '0s'],
      ['ticket', '12h', '30m', '2', '30s'],
    ]);
    expect(slo?.baseWindow).toBe(300);
  });

  it('compile to exactly one alert rule per pair', () => {
    const { service } = validateService(
      withWindows([{ long: '2h', factor: 5, severity: 'critical', for: '3m' }]),
    );
    const tree = buildTree({ services: [service as NonNullable<typeof service>] });
    const rules = tree.get('prometheus/production/shop.rules.yaml') ?? '';
    const burn = rules.split('\n').filter((l) => l.includes('alert: ErrorsBudgetBurn'));
    expect(burn).toHaveLength(1);
    expect(rules).toContain('for: 3m');
    expect(rules).toContain('long_window: 2h');
    expect(rules).toContain('short_window: 10m');
  });

  it('are refused with the field when empty, out of range, duplicated or unreachable', () => {
    const cases: [ExplicitBurnWindow[], string, string][] = [
      [[], 'slo/windows-empty', 'errors.alerting.windows'],
      [
        [{ long: '1h', short: '2h', factor: 2, severity: 'critical' }],
        'slo/window-range',
        'errors.alerting.windows.0.short',
      ],
      [
        [{ long: '1h', factor: 0, severity: 'critical' }],
        'slo/window-factor',
        'errors.alerting.windows.0.factor',
      ],
      [
        [
          { long: '1h', factor: 2, severity: 'critical' },
          { long: '1h', factor: 2, severity: 'warning' },
        ],
        'slo/window-duplicate',
        'errors.alerting.windows.1',
      ],
      [
        [{ long: '1h', factor: 1001, severity: 'critical' }],
        'slo/unreachable-burn',
        'errors.alerting.windows.0',
      ],
      [
        [{ long: '40d', factor: 1, severity: 'warning' }],
        'slo/window-exceeds-period',
        'errors.alerting.windows.0',
      ],
    ];
    for (const [windows, code, path] of cases) {
      const { diagnostics } = validateService(withWindows(windows));
      expect(
        diagnostics.map((d) => [d.code, d.path.join('.')]),
        code,
      ).toContainEqual([code, path]);
    }
  });
});

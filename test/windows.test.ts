/** Burn window derivation: the Workbook table for 30 days, and its invariants for any period. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRational, formatSeconds, rational, rationalOf, sub, toNumber } from '../src/model/units.ts';
import {
  burnWindowPairs,
  errorRatioThreshold,
  explainPairs,
  outageCrossingSeconds,
  type SampleKind,
  type WindowPair,
  type WindowPolicy,
} from '../src/model/windows.ts';

const pairsOf = (
  period: number,
  objective: number,
  scrape = 30,
  evaluation = 30,
  samples: SampleKind = 'time',
  policy?: WindowPolicy,
) =>
  burnWindowPairs({
    period,
    scrapeInterval: scrape,
    evaluationInterval: evaluation,
    errorBudget: sub(rational(1n), rationalOf(objective)),
    samples,
    ...(policy ? { policy } : {}),
  });
const windowsText = (pairs: readonly WindowPair[]) =>
  pairs.map((p) => `${formatSeconds(p.long)}/${formatSeconds(p.short)}`);

describe('burn window pairs', () => {
  it('are the SRE Workbook table for a 30 day period', () => {
    expect(
      pairsOf(30 * 86_400, 0.999).map((p) => [
        p.severity,
        formatSeconds(p.long),
        formatSeconds(p.short),
        formatRational(p.factor),
        formatSeconds(p.forSeconds),
      ]),
    ).toEqual([
      ['critical', '1h', '5m', '14.4', '30s'],
      ['critical', '6h', '30m', '6', '30s'],
      ['warning', '1d', '2h', '3', '30s'],
      ['warning', '3d', '6h', '1', '30s'],
    ]);
  });

  it('are the Workbook table for 28 days by default, and scale with it on request', () => {
    expect(windowsText(pairsOf(28 * 86_400, 0.999))).toEqual(['1h/5m', '6h/30m', '1d/2h', '3d/6h']);
    expect(windowsText(pairsOf(28 * 86_400, 0.999, 30, 30, 'requests', 'scaled'))).toEqual([
      '56m/280s',
      '336m/28m',
      '1344m/112m',
      '4032m/336m',
    ]);
  });

  it('keep the Workbook windows for request SLIs at any objective, and lengthen only probe windows', () => {
    for (const objective of [0.9999, 0.99999]) {
      const requests = pairsOf(28 * 86_400, objective, 30, 30, 'requests');
      expect(windowsText(requests)).toEqual(['1h/5m', '6h/30m', '1d/2h', '3d/6h']);
      expect(requests.every((p) => p.longRule === 'policy' && p.policy === 'workbook')).toBe(true);
    }
    const probe = pairsOf(28 * 86_400, 0.9999, 30, 30, 'time');
    // 1/(14.4 x 0.0001) = 694.4: 695 samples of 30s.
    expect(probe[0]?.long).toBe(348 * 60);
    expect(probe[0]?.longRule).toBe('sample-floor');
    expect(probe[0]?.short).toBe(300);
  });

  it('wait one evaluation, never long/30', () => {
    expect(pairsOf(30 * 86_400, 0.999, 15, 60).map((p) => p.forSeconds)).toEqual([60, 60, 60, 60]);
  });

  it('scale with the period: 7 days pages on 14m and 84m windows', () => {
    expect(windowsText(pairsOf(7 * 86_400, 0.95))).toEqual(['14m/2m', '84m/7m', '336m/28m', '1008m/84m']);
  });

  it('keep factors >= 1 and windows >= 4 scrapes, and never fire on one bad probe', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 90 * 24 * 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 500, max: 9_999 }),
        (periodMinutes, scrape, evaluation, perTenThousand) => {
          const period = periodMinutes * 60;
          const objective = perTenThousand / 10_000;
          const budget = sub(rational(1n), rationalOf(objective));
          for (const pair of pairsOf(period, objective, scrape, evaluation)) {
            expect(toNumber(pair.factor)).toBeGreaterThanOrEqual(1);
            expect(Number.isInteger(pair.long) && Number.isInteger(pair.short)).toBe(true);
            expect(pair.short).toBeGreaterThanOrEqual(4 * scrape);
            expect(pair.long).toBeGreaterThanOrEqual(pair.short > pair.long ? pair.long : 4 * scrape);
            // One bad sample in the long window stays under the threshold.
            const samples = pair.long / Math.max(scrape, evaluation);
            expect(1 / samples).toBeLessThan(toNumber(errorRatioThreshold(pair, budget)) + 1e-12);
            expect(pair.forSeconds).toBe(evaluation);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('outage detection', () => {
  it('follows the recorded rule shape: quadratic for one base window, then linear', () => {
    // 1h window, 5m base, threshold 1.44%: crossing at sqrt(2 * 300 * 3600 * 0.0144) s.
    expect(outageCrossingSeconds(3_600, 300, 0.0144)).toBeCloseTo(Math.sqrt(2 * 300 * 3_600 * 0.0144), 9);
    // Past half a base window it is the ideal time plus half a base window.
    expect(outageCrossingSeconds(86_400, 300, 0.003)).toBeCloseTo(86_400 * 0.003 + 150, 9);
    expect(outageCrossingSeconds(300, 300, 0.0144)).toBeCloseTo(4.32, 9);
    expect(outageCrossingSeconds(3_600, 300, 1)).toBeUndefined();
  });

  it('is monotonic: a pair with a longer window or a higher threshold never fires earlier', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 86_400 }),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0.0001, max: 0.9, noNaN: true }),
        (window, extra, threshold) => {
          const base = 300;
          const a = outageCrossingSeconds(window, base, threshold) ?? Number.POSITIVE_INFINITY;
          const b = outageCrossingSeconds(window + extra * 60, base, threshold) ?? Number.POSITIVE_INFINITY;
          const c =
            outageCrossingSeconds(window, base, Math.min(threshold * 1.5, 0.99)) ?? Number.POSITIVE_INFINITY;
          expect(b).toBeGreaterThanOrEqual(a - 1e-9);
          expect(c).toBeGreaterThanOrEqual(a - 1e-9);
        },
      ),
    );
  });

  it('explains the 99.9% page: fires 3m27s into a total outage, 7.99% of the budget spent', () => {
    const [page] = explainPairs(pairsOf(30 * 86_400, 0.999), rational(1n, 1000n), 30 * 86_400);
    expect(page?.conditionSeconds).toBe(177);
    expect(page?.firesAfterSeconds).toBe(207);
    expect(page?.budgetSpent).toBeCloseTo(207 / 2_592, 9);
  });
});

describe('exact numbers', () => {
  it('print without float noise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999 }), fc.integer({ min: 1, max: 1_000 }), (a, b) => {
        const product = formatRational({ num: BigInt(a) * BigInt(b), den: 100_000n });
        expect(Number(product)).toBeCloseTo((a * b) / 100_000, 12);
        expect(product).not.toMatch(/e|0000000|9999999/);
      }),
    );
    expect(formatRational({ num: 144n, den: 10_000n })).toBe('0.0144');
  });
});

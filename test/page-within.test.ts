/**
 * `alerting.pageWithin`: a stated detection bound. Generation fails naming the field when the
 * windows chosen page a total outage later than the bound, or never; on the shop fixture (not the
 * malaria API) and the strict ledger's probe SLO, whose one-bad-sample floor lengthens its windows.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineService } from '../src/model/service.ts';
import { firstPage } from '../src/model/windows.ts';
import { loadProject } from '../src/pipeline.ts';
import { validateService } from '../src/validate/service.ts';
import { errors, shop } from './fixtures/slo-valid/slos/shop.ts';
import { ROOT } from './helpers/tools.ts';

const shopWith = (alerting: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validateService({
    file: 'slos/shop.ts',
    exportName: 'default',
    value: defineService({
      ...shop,
      slos: [{ ...errors, ...extra, alerting }],
    }),
  });

describe('alerting.pageWithin', () => {
  it('holds when the first page comes in time, and says by how much it is late otherwise', () => {
    const ok = shopWith({ pageWithin: '15m' });
    expect(ok.diagnostics).toEqual([]);
    const slo = ok.service?.slos[0];
    if (!slo) throw new Error('no slo');
    const after = firstPage(slo.windows, slo.errorBudget, slo.period)?.firesAfterSeconds ?? 0;
    expect(after).toBeGreaterThan(60);
    const late = shopWith({ pageWithin: '1m' });
    expect(late.diagnostics.map((d) => [d.code, d.path.join('.')])).toEqual([
      ['slo/page-too-late', 'errors.alerting.pageWithin'],
    ]);
    expect(late.diagnostics[0]?.message).toMatch(
      /pages after \S+ \(the \S+ pair, its for \S+ included\), later than the stated 1m/,
    );
  });

  it('refuses a bound with the page tier off: then nothing pages at all', () => {
    const off = shopWith({ pageWithin: '1h', page: false });
    expect(off.diagnostics.map((d) => d.code)).toEqual(['slo/page-too-late']);
    expect(off.diagnostics[0]?.message).toContain('never pages');
  });

  it('refuses a malformed duration as a bad field, not a late page', () => {
    const bad = shopWith({ pageWithin: 'soon' });
    expect(bad.diagnostics.map((d) => d.path.join('.'))).toEqual(['errors.alerting.pageWithin']);
    expect(bad.diagnostics[0]?.code).not.toBe('slo/page-too-late');
  });

  it('binds on the longer windows of a strict probe SLO (its one-bad-sample floor)', async () => {
    const loaded = await loadProject({ root: join(ROOT, 'test', 'fixtures', 'strict-slos') });
    const probe = loaded.project?.services[0]?.slos.find((s) => s.id === 'ready-four-nines');
    const writes = loaded.project?.services[0]?.slos.find((s) => s.id === 'writes-four-nines');
    if (!probe || !writes) throw new Error('fixture changed');
    const probeAfter = firstPage(probe.windows, probe.errorBudget, probe.period)?.firesAfterSeconds ?? 0;
    const writesAfter = firstPage(writes.windows, writes.errorBudget, writes.period)?.firesAfterSeconds ?? 0;
    // The probe pages later than the request SLO of the same objective: a bound between them
    // holds for one and fails for the other.
    expect(probeAfter).toBeGreaterThan(writesAfter);
  });
});

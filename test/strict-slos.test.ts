/**
 * Strict objectives (99.99%, 99.999%) of a second service (test/fixtures/strict-slos: gRPC request
 * counters and a probe, 10s scrapes, 28 days), proven with the real promtool: a total outage pages
 * by explain's time plus `for` plus one evaluation, for request SLIs within the Workbook's own
 * time plus those; a steady 1x burn never pages; one failed probe fires nothing.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../src/commands/explain.ts';
import { shapeScenarios } from '../src/derive/index.ts';
import { testEvaluationInterval } from '../src/derive/tests/index.ts';
import { testAlerts } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import { parseDurationMs } from '../src/model/units.ts';
import { type Build, build, loadProject } from '../src/pipeline.ts';
import { ROOT } from './helpers/tools.ts';

const root = join(ROOT, 'test', 'fixtures', 'strict-slos');
let project: Project;
let built: Build;

beforeAll(async () => {
  const loaded = await loadProject({ root });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  built = build(project);
});

/** Every scenario name, an SLO's shared math-shape scenarios under the SLO's id. */
const scenarioNames = (): string[] =>
  built.derived.tests.flatMap((t) => [
    ...t.plans.flatMap((p) => p.packed.flatMap((k) => k.scenarios.map((s) => s.name))),
    ...t.shapes.flatMap(({ slo, shape }) =>
      shapeScenarios(built.derived.shapes, shape).map((s) => s.name.replace(/^[^:]*:/, `${slo.id}:`)),
    ),
  ]);

const seconds = (text: string): number => (parseDurationMs(text) ?? Number.NaN) / 1000;

describe('strict SLOs of the ledger', () => {
  it('keep the Workbook windows for request SLIs and lengthen only the probe windows', () => {
    const rows = explain(project);
    for (const slo of ['writes-four-nines', 'writes-five-nines'])
      expect(rows.filter((r) => r.slo === slo).map((r) => `${r.longWindow}/${r.shortWindow}`)).toEqual([
        '1h/5m',
        '6h/30m',
        '1d/2h',
        '3d/6h',
      ]);
    const probe = rows.filter((r) => r.slo === 'ready-four-nines');
    expect(probe[0]?.longWindow).toBe('116m');
    expect(probe[0]?.longWindowRule).toMatch(/^one-bad-sample floor/);
  });

  it('generate outage tests whose page deadline is the Workbook time plus for plus one evaluation (request SLIs)', () => {
    const names = scenarioNames();
    for (const slo of ['writes-four-nines', 'writes-five-nines']) {
      const row = explain(project, { slo })[0];
      const outage = names.find((n) => n.startsWith(`${slo}: total outage`)) ?? '';
      const deadline = seconds(/within (\S+) and/.exec(outage)?.[1] ?? '');
      // The test file's evaluation interval, and `for` rounded up to it, as promtool replays them.
      const evaluation = testEvaluationInterval(project.services[0] as ResolvedService);
      const forSeconds = Math.ceil(seconds(row?.for ?? '') / evaluation) * evaluation;
      const bound = (row?.workbook.firesAfterSeconds ?? 0) + forSeconds + evaluation;
      expect(deadline, outage).toBeLessThanOrEqual(Math.ceil(bound / evaluation) * evaluation);
      expect(deadline).toBeLessThan(5 * 60);
    }
    for (const slo of ['writes-four-nines', 'writes-five-nines', 'ready-four-nines', 'ready-five-nines']) {
      expect(names.some((n) => n.startsWith(`${slo}: steady burn at the budget rate (1x) never pages`))).toBe(
        true,
      );
    }
    for (const slo of ['ready-four-nines', 'ready-five-nines'])
      expect(names.some((n) => n.startsWith(`${slo}: one failed sample after `))).toBe(true);
  });

  it('pass with the real promtool', { timeout: 1_800_000 }, async () => {
    const result = await testAlerts({ root });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const failed = (result.report?.services ?? []).flatMap((s) =>
      s.alerts.flatMap((a) =>
        a.results
          .filter((r) => !r.passed)
          .map((r) => `${a.alert}: ${r.scenario.name} ${r.messages.join(' ')}`),
      ),
    );
    expect(failed).toEqual([]);
    expect(result.report?.passed).toBe(true);
  });
});

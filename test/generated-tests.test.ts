/**
 * The generated promtool unit tests, run by the real promtool against the generated rules: every
 * SLO burn alert (its own outage within the time explain predicts and burst; through its math
 * shape, half-budget burn silent while every window fills, a burn between the tiers opens the
 * ticket and never pages, thresholds from both sides) and every catalog alert (fires on its
 * example, silent on healthy series), in both environments, and the shapes both share.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { PromtoolTestFile } from '../src/derive/tests/index.ts';
import { writeTree } from '../src/emit/index.ts';
import { build, explain, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { formatSeconds, parseDurationMs } from '../src/model/units.ts';
import type { Build } from '../src/pipeline.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let tree: ReadonlyMap<string, string>;
let built: Build;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  built = build(project);
  tree = built.tree;
  ({ dir, cleanup } = await tempDir());
  await writeTree(dir, tree);
});
afterAll(() => cleanup());

const testFiles = (): string[] => [...tree.keys()].filter((p) => p.startsWith('tests/'));
const parse = (path: string): PromtoolTestFile => YAML.parse(tree.get(path) ?? '') as PromtoolTestFile;

describe('generated promtool tests', () => {
  it('exist for every environment', () => {
    for (const env of ['production', 'staging'])
      expect(testFiles().filter((p) => p.startsWith(`tests/${env}/`))).toContain(
        `tests/${env}/malaria-predictor-api.test.yaml`,
      );
  });

  it('cover every SLO burn pair, the SLO scenarios of the design and every catalog alert', () => {
    // The SLO's own scenarios, and its math shape's under the SLO's id.
    const production = built.derived.tests.find((t) => t.env.name === 'production');
    const shapeNames = (production?.shapes ?? []).flatMap(({ slo, shape }) =>
      (built.derived.shapes.find((s) => s.shape === shape)?.plans ?? []).flatMap((p) =>
        parse(p.path).tests.flatMap((t) => t.name.split('; ').map((n) => n.replace(/^shape:/, `${slo.id}:`))),
      ),
    );
    const names = [
      ...testFiles()
        .filter((p) => p.startsWith('tests/production/'))
        .flatMap((p) => parse(p).tests.flatMap((t) => t.name.split('; '))),
      ...shapeNames,
    ];
    expect(production?.shapes.map((u) => u.slo.id).sort()).toEqual([
      'availability',
      'error-rate',
      'freshness',
      'latency',
    ]);
    for (const slo of ['availability', 'latency', 'error-rate', 'freshness']) {
      const has = (prefix: string) =>
        expect(
          names.some((n) => n.startsWith(prefix)),
          prefix,
        ).toBe(true);
      has(`${slo}: steady burn at half the budget rate fires nothing in `);
      has(`${slo}: total outage fires every pair by its own time`);
      expect(names.some((n) => n.startsWith(`${slo}: total outage fires the critical`))).toBe(true);
    }
    // Request SLIs: a steady burn between the tiers; time-based ones only where whole failed
    // samples cannot reach a page (see discreteBurnStaysUnderPages).
    for (const slo of ['latency', 'error-rate'])
      expect(
        names.some((n) => n.startsWith(`${slo}: steady burn at 4x the budget rate opens the ticket`)),
      ).toBe(true);
    expect(
      names
        .filter((n) => n.startsWith('latency: total outage fires the critical'))
        .map((n) => n.match(/le="[^"]+"/)?.[0]),
    ).toEqual(['le="2"', 'le="2.0"']);
    for (const alert of project.alerts ?? [])
      expect(names).toContain(`${alert.name} fires within ${alert.examples.firing.firesWithin}`);
  });

  it('give the outage deadline from the same math as explain', () => {
    const row = explain(project, { slo: 'availability' }).find((r) => r.environment === 'production');
    const evaluation = 60;
    // `for` in whole evaluations of the test file.
    const forSeconds = Math.ceil((parseDurationMs(row?.for ?? '') ?? 0) / 1000 / evaluation) * evaluation;
    expect(forSeconds).toBe(evaluation);
    const deadline =
      Math.ceil(((row?.conditionAfterSeconds ?? 0) + forSeconds + evaluation) / evaluation) * evaluation;
    const file = parse('tests/production/malaria-predictor-api.test.yaml');
    const outage = file.tests
      .flatMap((t) => t.name.split('; '))
      .find((n) => n.startsWith('availability: total outage fires the critical'));
    expect(
      outage?.startsWith(
        `availability: total outage fires the critical 1h/5m alert within ${formatSeconds(deadline)} `,
      ),
    ).toBe(true);
  });

  it.concurrent.each(['production', 'staging'])(
    'pass promtool test rules in %s',
    { timeout: 600_000 },
    async (env) => {
      const result = await tool('promtool', [
        'test',
        'rules',
        join(dir, 'tests', env, 'malaria-predictor-api.test.yaml'),
      ]);
      expect(result.stdout + result.stderr).toContain('SUCCESS');
      expect(result.code).toBe(0);
    },
  );

  it('pass promtool test rules for the math shapes both environments share', {
    timeout: 600_000,
  }, async () => {
    const files = testFiles().filter((p) => p.startsWith('tests/shapes/') && p.endsWith('.test.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    const results = await Promise.all(files.map((f) => tool('promtool', ['test', 'rules', join(dir, f)])));
    for (const [i, result] of results.entries()) {
      expect(result.stdout + result.stderr, files[i]).toContain('SUCCESS');
      expect(result.code).toBe(0);
    }
  });
});

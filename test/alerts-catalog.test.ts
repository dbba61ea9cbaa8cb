import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCatalogRuleGroups } from '../src/compile/prometheus/index.ts';
import { type PromtoolTestFile, toCatalogAlertTests } from '../src/derive/tests/catalog.ts';
import { toYaml } from '../src/emit/index.ts';
import { loadProject } from '../src/index.ts';
import type { Project, ResolvedAlert, ResolvedService } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let svc: ResolvedService;
let alerts: readonly ResolvedAlert[];
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  svc = project.services[0] as ResolvedService;
  alerts = project.alerts ?? [];
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** Writes the catalog rule groups and the test files of `env`; returns the test file paths. */
async function writeTests(env: Environment, list: readonly ResolvedAlert[], tag: string): Promise<string[]> {
  const rules = join(dir, `${tag}-${env.name}.rules.yaml`);
  await writeFile(rules, toYaml({ groups: toCatalogRuleGroups(svc, env, list) }));
  const files = toCatalogAlertTests(svc, env, list, [rules]);
  return Promise.all(
    files.map(async (file: PromtoolTestFile, i) => {
      const path = join(dir, `${tag}-${env.name}-${i}.test.yaml`);
      await writeFile(path, toYaml(file));
      return path;
    }),
  );
}

describe('the alert catalog of the malaria API', () => {
  it('holds every alert of the design, by tier', () => {
    const byTier = (severity: string) =>
      alerts
        .filter((a) => a.severity === severity && a.name !== 'Watchdog')
        .map((a) => a.name)
        .sort();
    expect(byTier('critical')).toEqual([
      'ApiDown',
      'DatabaseConnectionFailure',
      'HighErrorRate',
      'ModelAccuracyDrop',
    ]);
    expect(byTier('warning')).toEqual([
      'CacheConnectionFailure',
      'DataStale',
      'HighCpuUsage',
      'HighDiskUsage',
      'HighLatencyP95',
      'HighMemoryUsage',
    ]);
    expect(byTier('info')).toEqual([
      'DeploymentRolledOut',
      'DiskWillFillIn7Days',
      'HpaAtMaxReplicas',
      'LatencyTrendWeekOverWeek',
    ]);
    // kube-prometheus' heartbeat severity: no tier inhibition (InfoInhibitor included) targets it.
    expect(alerts.find((a) => a.name === 'Watchdog')?.severity).toBe('none');
  });

  it('derives a firing and a healthy test for every alert (the Watchdog has no healthy state)', () => {
    for (const env of svc.environments) {
      const tests = toCatalogAlertTests(svc, env, alerts, ['rules.yaml']).flatMap((f) => f.tests);
      for (const alert of alerts) {
        const own = tests.filter((t) => (t.alert_rule_test ?? []).some((a) => a.alertname === alert.name));
        expect(own.map((t) => t.alert_rule_test?.[0]?.exp_alerts.length === 0)).toEqual(
          alert.name === 'Watchdog' ? [false] : [false, true],
        );
      }
    }
  });

  it('names the stale source in the staleness alert, and only that one', () => {
    const env = svc.environments[0] as Environment;
    const tests = toCatalogAlertTests(svc, env, alerts, ['rules.yaml']).flatMap((f) => f.tests);
    const firing = tests.find((t) => t.name.startsWith('DataStale fires'));
    const expected = firing?.alert_rule_test?.[0]?.exp_alerts ?? [];
    expect(expected).toHaveLength(1);
    expect(expected[0]?.exp_labels.source).toBe('era5');
    expect(expected[0]?.exp_annotations?.description).toContain('Source era5 was last ingested');
    // modis is fresh in the same input, so promtool would fail on a second alert.
    expect(firing?.input_series.map((s) => s.series).join('\n')).toContain('source="modis"');
  });

  for (const envName of ['staging', 'production']) {
    it(`fires within the expected time and stays silent on healthy series in ${envName} (promtool test rules)`, async () => {
      const env = svc.environments.find((e) => e.name === envName) as Environment;
      const files = await writeTests(env, alerts, 'catalog');
      const result = await tool('promtool', ['test', 'rules', ...files]);
      expect(result.stdout + result.stderr).not.toContain('FAILED');
      expect(result.code).toBe(0);
    });
  }

  it('fails the promtool test when an example is wrong (the proof can fail)', async () => {
    const env = svc.environments[1] as Environment;
    const broken = alerts
      .filter((a) => a.name === 'HighErrorRate' || a.name === 'DataStale')
      .map((a) => {
        const { firing, healthy } = a.examples;
        // Swap the scenarios: the alert must not fire on the healthy series, so this must fail.
        return { ...a, examples: { firing: { ...firing, series: healthy?.series ?? [] }, healthy: firing } };
      });
    const files = await writeTests(env, broken, 'broken');
    const result = await tool('promtool', ['test', 'rules', ...files]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('HighErrorRate');
    expect(result.stdout + result.stderr).toContain('DataStale');
  });
});

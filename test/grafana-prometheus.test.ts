/**
 * The dashboards against a real Prometheus (127.0.0.1) that has the generated rules loaded and
 * scrapes synthetic series of every contract metric every second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { interpolate, toDashboards } from '../src/compile/grafana/index.ts';
import { RECORD } from '../src/conventions.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { type RunningPrometheus, startPrometheus } from '../src/runtime/prometheus.ts';
import type { GrafanaDashboard } from './helpers/grafana.ts';
import { exposition, serveMetrics, syntheticSeries } from './helpers/synthetic-metrics.ts';
import { ROOT } from './helpers/tools.ts';

let svc: ResolvedService;
let env: Environment;
let prometheus: RunningPrometheus | undefined;
let closeMetrics: (() => Promise<void>) | undefined;

/**
 * The generated rule file with every group evaluated each second. The generated groups run every
 * 30s and 2m, so a fresh Prometheus records its first budget series only after minutes; this test
 * is about what the dashboards' queries find, not about the groups' cadence (which the promtool
 * tests and the drill cover), so its copy of the rules keeps every rule and changes the interval only.
 */
function everySecond(rules: string): string {
  const file = YAML.parse(rules) as { groups: { interval?: string }[] };
  for (const group of file.groups) group.interval = '1s';
  return YAML.stringify(file);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  const project = loaded.project as Project;
  svc = project.services[0] as ResolvedService;
  env = svc.environments.find((e) => e.name === 'production') as Environment;
  // Counters started three hours ago, so every window has traffic once two scrapes are in.
  const series = syntheticSeries(svc, env, Date.now() / 1000 - 3 * 3600);
  const metrics = await serveMetrics(() => exposition(series, Date.now() / 1000));
  closeMetrics = metrics.close;
  const rules = buildTree(project).get(`prometheus/${env.name}/${svc.name}.rules.yaml`) ?? '';
  prometheus = await startPrometheus({
    rules: { 'slo.rules.yaml': everySecond(rules) },
    config: {
      global: { scrape_interval: '1s', evaluation_interval: '30s' },
      // honor_labels keeps the contract's own job and instance labels.
      scrape_configs: [
        { job_name: 'synthetic', honor_labels: true, static_configs: [{ targets: [metrics.target] }] },
      ],
    },
  });
  const running = prometheus;
  // Every rule group has evaluated once the last derived series exists for every SLO (and group).
  await waitFor('the SLO recording rules', async () => {
    const samples = await running.query(`${RECORD.budgetRemaining}{environment="${env.name}"}`);
    return samples.length === svc.slos.length + 2 ? samples : undefined;
  });
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await closeMetrics?.();
});

interface RangeData {
  readonly result: unknown[];
}

describe('dashboard queries on a real Prometheus with the generated rules', () => {
  it('run without error, and every panel but the firing-alerts table returns data', async () => {
    const running = prometheus as RunningPrometheus;
    // Past the last rule evaluation: a series first recorded within this second still counts.
    const end = Math.ceil(Date.now() / 1000) + 1;
    const checked: string[] = [];
    const empty: string[] = [];
    for (const built of toDashboards(svc, env)) {
      const dashboard = built.dashboard as unknown as GrafanaDashboard;
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        for (const target of panel.targets ?? []) {
          const expr = interpolate(target.expr, svc, env);
          const where = `${dashboard.uid} panel ${panel.id} "${panel.title}" ${target.refId}: ${expr}`;
          const rows = target.instant
            ? await running.query(expr, end)
            : (
                (await running.api('query_range', {
                  query: expr,
                  start: String(end - 3600),
                  end: String(end),
                  step: '60',
                })) as RangeData
              ).result;
          checked.push(where);
          if (rows.length === 0 && !expr.startsWith('ALERTS{')) empty.push(where);
        }
      }
    }
    expect(empty).toEqual([]);
    expect(checked.length).toBeGreaterThan(60);
  });

  it('show the SLI, budget and burn rate the synthetic data implies', async () => {
    const running = prometheus as RunningPrometheus;
    const overview = toDashboards(svc, env)[0]?.dashboard as unknown as GrafanaDashboard;
    const value = async (title: string) => {
      const panel = overview.panels.find((p) => p.title?.startsWith(title));
      const expr = interpolate(panel?.targets?.[0]?.expr ?? '', svc, env);
      return (await running.query(expr)).map((s) => s.value);
    };
    // The probe never failed: availability SLI is 1 and no budget is spent.
    expect(await value('availability: SLI')).toEqual([1]);
    expect(await value('availability: error budget')).toEqual([1]);
    // Every handler and method answers 1 req/s of 200 and 0.02 req/s of 500: 1.96% errors.
    const [errorSli] = await value('error-rate: SLI');
    expect(errorSli).toBeGreaterThan(0.98);
    expect(errorSli).toBeLessThan(0.995);
    const burn = await value('error-rate: burn rate 1h/5m');
    expect(burn[0]).toBeGreaterThan(1);
    // Data is 10 minutes old, far under 2h: every source is fresh.
    expect(await value('freshness: SLI')).toEqual([1, 1, 1]);
  });
});

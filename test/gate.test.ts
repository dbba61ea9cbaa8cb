/**
 * The deploy gate against a real Prometheus (127.0.0.1) serving backfilled history of several
 * versions: the shop fixture (request ratio and probe SLOs) and the malaria API's latency SLO.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGate, watchGate } from '../src/commands/gate.ts';
import { gateExprs, maxBurnRate, requiredEvents } from '../src/compile/prometheus/gate.ts';
import { toAnalysisTemplate, toMetricTemplates } from '../src/derive/kubernetes/index.ts';
import { loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { withLabelMatcher } from '../src/promql/index.ts';
import { type RunningPrometheus, startPrometheus } from '../src/runtime/prometheus.ts';
import { crdProblems, crdValidators, type KubeObject } from './helpers/kubernetes.ts';
import { ROOT, tempDir } from './helpers/tools.ts';
import { backfillVersions, type VersionProfile } from './helpers/version-history.ts';

const exec = promisify(execFile);
const SHOP_ROOT = join(ROOT, 'test', 'fixtures', 'slo-valid');
/** History ends here; every query is evaluated at this time. */
const END = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const START = END - 1_800;

/** Shop versions: v1 and v2 healthy (0.1% errors), burst with 5% errors; none for v9. */
const SHOP_VERSIONS: VersionProfile[] = [
  { version: 'v1', rps: 5, errorRatio: 0.001, latencyMedian: 0.07 },
  { version: 'v2', rps: 5, errorRatio: 0.001, latencyMedian: 0.07 },
  { version: 'burst', rps: 5, errorRatio: 0.05, latencyMedian: 0.07 },
];
/** Malaria versions: v1 the baseline, v2 as fast, slow with 30% higher latencies. */
const MALARIA_VERSIONS: VersionProfile[] = [
  { version: 'v1', rps: 5, errorRatio: 0, latencyMedian: 0.07 },
  { version: 'v2', rps: 5, errorRatio: 0, latencyMedian: 0.07 },
  { version: 'slow', rps: 5, errorRatio: 0, latencyMedian: 0.07 * 1.3 },
];

let shop: Project;
let malaria: Project;
let prometheus: RunningPrometheus | undefined;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  shop = (await loadProject({ root: SHOP_ROOT })).project as Project;
  malaria = (await loadProject({ root: ROOT })).project as Project;
  const work = await tempDir('obsgen-gate-');
  cleanup = work.cleanup;
  const dataDir = join(work.dir, 'data');
  const blocks = await backfillVersions(
    [
      {
        versions: SHOP_VERSIONS,
        requestLabels: { job: 'shop', namespace: 'shop' },
        counter: 'http_requests',
        upGauges: [
          {
            name: 'probe_success',
            labels: { job: 'blackbox', namespace: 'shop', instance: 'https://shop.example.com/' },
          },
        ],
        start: START,
        end: END + 1,
        step: 5,
      },
      {
        versions: MALARIA_VERSIONS,
        requestLabels: {
          job: 'malaria-predictor-api',
          namespace: 'malaria-prediction-production',
          handler: '/predict',
          method: 'POST',
        },
        histogram: { name: 'http_request_duration_seconds', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] },
        start: START,
        end: END + 1,
        step: 5,
      },
    ],
    work.dir,
    dataDir,
  );
  expect(blocks).toBeGreaterThan(0);
  prometheus = await startPrometheus({ dataDir, config: { global: { scrape_interval: '5s' } } });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cleanup?.();
});

const url = () => (prometheus as RunningPrometheus).url;
const shopGate = (version: string) =>
  runGate(shop, {
    prometheus: url(),
    environment: 'production',
    at: END,
    version: { label: 'version', value: version },
  });

describe('the gate decides from the raw series of one version', () => {
  it('adds the version matcher to every selector of a written query, keeping one already there', () => {
    expect(
      withLabelMatcher('sum(rate(a{x="1"}[5m])) / sum(rate(b[5m])) + c{} + d{version="z"}', 'version', 'v2'),
    ).toBe(
      'sum(rate(a{x="1",version="v2"}[5m])) / sum(rate(b{version="v2"}[5m])) + c{version="v2"} + d{version="z"}',
    );
  });

  it('reads the SLI from raw series with the version matcher, and pages at the fastest pair', () => {
    const svc = shop.services[0];
    const errors = svc?.slos.find((s) => s.id === 'errors');
    const env = svc?.environments[0];
    if (!svc || !errors || !env) throw new Error('shop fixture changed');
    const exprs = gateExprs(svc, errors, env, 120, { label: 'version', value: 'v2' });
    expect(exprs.total).toBe(
      'sum(sum(rate(http_requests_total{job="shop",namespace="shop",version="v2"}[2m])))',
    );
    expect(exprs.bad).toContain('status=~"5..",version="v2"');
    expect(maxBurnRate(errors.windows)).toBe(14.4);
    // 1 / (14.4 x 0.001) = 69.4: the 100 request floor binds.
    expect(requiredEvents(errors, 100)).toBe(100);
  });

  it('passes a healthy new version, naming the SLO with the highest burn', async () => {
    const result = await shopGate('v2');
    expect(result.outcome).toBe('pass');
    const errors = result.decisions.find((d) => d.slo === 'errors');
    expect(errors?.events).toBeGreaterThan(500);
    expect(errors?.burnRate).toBeGreaterThan(0.5);
    expect(errors?.burnRate).toBeLessThan(2);
    // The probe SLO reads every probe: 24 samples at 5s over 2m, none bad.
    const uptime = result.decisions.find((d) => d.slo === 'uptime');
    expect(uptime).toMatchObject({ outcome: 'pass', burnRate: 0 });
    expect(result.deciding?.slo).toBe('errors');
  });

  it('fails a version with a 5% error burst, with its burn rate', async () => {
    const result = await shopGate('burst');
    expect(result.outcome).toBe('fail');
    expect(result.deciding?.slo).toBe('errors');
    expect(result.deciding?.errorRatio).toBeCloseTo(0.05, 2);
    expect(result.deciding?.burnRate).toBeGreaterThan(40);
    expect(result.deciding?.reason).toMatch(/above the page factor 14\.4/);
  });

  it('cannot decide a version without traffic', async () => {
    const result = await shopGate('v9');
    expect(result.outcome).toBe('undecided');
    expect(result.deciding).toMatchObject({ slo: 'errors', events: 0 });
    expect(result.deciding?.reason).toContain('fewer than the 100 needed');
  });

  it('fails a 30% slower version against its baseline and passes an equally fast one', async () => {
    const gate = (version: string) =>
      runGate(malaria, {
        prometheus: url(),
        environment: 'production',
        slos: ['latency'],
        at: END,
        version: { label: 'version', value: version },
        baseline: { label: 'version', value: 'v1' },
      });
    const slow = await gate('slow');
    expect(slow.outcome).toBe('fail');
    expect(slow.deciding?.slo).toBe('latency');
    // Slower, but not enough to burn the latency budget fast: the baseline comparison decides.
    expect(slow.deciding?.burnRate).toBeLessThan(14.4);
    expect((slow.deciding?.p95 ?? 0) / (slow.deciding?.baselineP95 ?? 1)).toBeGreaterThan(1.2);
    expect(slow.deciding?.reason).toMatch(/above the baseline/);
    const same = await gate('v2');
    expect(same.outcome).toBe('pass');
    expect(same.deciding?.p95).toBeCloseTo(same.deciding?.baselineP95 ?? 0, 3);
  });

  it('--watch stops at the first failure', async () => {
    let evaluations = 0;
    const result = await watchGate(
      shop,
      {
        prometheus: url(),
        environment: 'production',
        // The history ended a minute ago: a 10m window still holds the burst.
        windowSeconds: 600,
        version: { label: 'version', value: 'burst' },
      },
      { intervalSeconds: 1, onResult: () => evaluations++, sleep: async () => undefined },
    );
    expect(result.outcome).toBe('fail');
    expect(evaluations).toBe(1);
  });
});

describe('obsgen gate as a process', () => {
  const run = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [
        join(ROOT, 'src', 'cli', 'bin.js'),
        '--root',
        SHOP_ROOT,
        'gate',
        '--env',
        'production',
        '--prometheus',
        url(),
        ...args,
      ]);
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 1 with the deciding SLO in text and JSON, 2 without traffic or on bad usage', async () => {
    // The process reads "now": a window reaching back past the end of the history.
    const window = `${Math.ceil((Date.now() / 1000 - END + 300) / 60)}m`;
    const failed = await run('--window', window, '--version-label', 'version=burst');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL \(roll back\): shop\/errors: burn rate \d+\.\d+/);
    const json = await run('--window', window, '--version-label', 'version=burst', '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'fail', deciding: { slo: 'errors' } });
    const none = await run('--window', window, '--version-label', 'version=v9');
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/^CANNOT DECIDE: shop\/errors/);
    const bad = await run('--version-label', 'v2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--version-label must be <label>=<value>');
  }, 60_000);
});

describe('the gate as Argo Rollouts and Flagger objects', () => {
  const objects = (project: Project) => {
    const svc = project.services[0];
    const env = svc?.environments.find((e) => e.name === 'production');
    if (!svc || !env) throw new Error('no production environment');
    return { analysis: toAnalysisTemplate(svc, env, {}), metrics: toMetricTemplates(svc, env, {}) };
  };

  it('validate against the CRD schemas, which refuse a wrong type', () => {
    const validators = crdValidators();
    for (const project of [shop, malaria]) {
      const { analysis, metrics } = objects(project);
      for (const object of [analysis, ...metrics]) {
        expect(crdProblems(validators, object as unknown as KubeObject), object.metadata.name).toEqual([]);
      }
    }
    const { analysis, metrics } = objects(shop);
    // Structural schemas prune unknown fields rather than refuse them: a wrong type is what fails.
    const badMetric = { ...analysis.spec.metrics[0], provider: { prometheus: { query: 42 } } };
    const bad = { ...analysis, spec: { ...analysis.spec, metrics: [badMetric] } };
    expect(crdProblems(validators, bad as unknown as KubeObject)).not.toEqual([]);
    const badTemplate = { ...metrics[0], spec: { provider: { type: 'prom' }, query: 'up' } };
    expect(crdProblems(validators, badTemplate as unknown as KubeObject)).not.toEqual([]);
  });

  it("run on the test Prometheus and decide as the gate does, with Argo's conditions", async () => {
    const running = prometheus as RunningPrometheus;
    const measure = async (project: Project, version: string) => {
      const { analysis, metrics } = objects(project);
      const results: Record<string, number | undefined> = {};
      for (const metric of analysis.spec.metrics) {
        const query = metric.provider.prometheus.query
          .replaceAll('{{args.version}}', version)
          .replaceAll('{{args.baseline-version}}', 'v1');
        const flagger = metrics.find((m) => m.metadata.name.endsWith(metric.name));
        // Flagger's template reads the same query with its own variable syntax.
        expect(
          flagger?.spec.query
            .replaceAll('{{ variables.version }}', version)
            .replaceAll('{{ variables.baseline }}', 'v1'),
        ).toBe(query);
        results[metric.name] = (await running.query(query, END))[0]?.value;
      }
      return results;
    };
    const healthy = await measure(shop, 'v2');
    expect(healthy['errors-burn-rate']).toBeGreaterThan(0.5);
    expect(healthy['errors-burn-rate']).toBeLessThan(14.4);
    expect(healthy['uptime-burn-rate']).toBe(0);
    const burst = await measure(shop, 'burst');
    expect(burst['errors-burn-rate']).toBeGreaterThan(14.4);
    // No traffic: no result, which Argo's conditions leave inconclusive.
    expect((await measure(shop, 'v9'))['errors-burn-rate']).toBeUndefined();
    const slow = await measure(malaria, 'slow');
    expect(slow['latency-p95-degradation']).toBeGreaterThan(1.2);
    expect(slow['latency-burn-rate']).toBeLessThan(14.4);
    const same = await measure(malaria, 'v2');
    expect(same['latency-p95-degradation']).toBeCloseTo(1, 3);
  });
});

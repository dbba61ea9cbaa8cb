/**
 * `obsgen report` against a real Prometheus (shop history backfilled, the malaria API's synthetic
 * series scraped live), rendered in headless Chromium (Debian's `chromium`) with the network off.
 * OBSGEN_REPORT_SCREENSHOT=docs/report.png also writes the malaria report's screenshot there.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type Report, renderReportHtml } from '../src/commands/report.ts';
import { loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import type { Environment } from '../src/model/service.ts';
import { type RunningPrometheus, startPrometheus } from '../src/runtime/prometheus.ts';
import { exposition, serveMetrics, syntheticSeries } from './helpers/synthetic-metrics.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';
import { backfillVersions } from './helpers/version-history.ts';

const END = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const START = END - 1_800;

let shop: Project;
let malaria: Project;
let prometheus: RunningPrometheus | undefined;
let closeMetrics: (() => Promise<void>) | undefined;
let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  shop = (await loadProject({ root: join(ROOT, 'test', 'fixtures', 'slo-valid') })).project as Project;
  malaria = (await loadProject({ root: ROOT })).project as Project;
  work = await tempDir('obsgen-report-');
  const dataDir = join(work.dir, 'data');
  await backfillVersions(
    [
      {
        versions: [{ version: 'v1', rps: 5, errorRatio: 0.002, latencyMedian: 0.1 }],
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
    ],
    work.dir,
    dataDir,
  );
  const svc = malaria.services[0] as ResolvedService;
  const env = svc.environments.find((e) => e.name === 'production') as Environment;
  const series = syntheticSeries(svc, env, Date.now() / 1000 - 3 * 3600);
  const metrics = await serveMetrics(() => exposition(series, Date.now() / 1000));
  closeMetrics = metrics.close;
  prometheus = await startPrometheus({
    dataDir,
    config: {
      global: { scrape_interval: '1s' },
      scrape_configs: [
        { job_name: 'synthetic', honor_labels: true, static_configs: [{ targets: [metrics.target] }] },
      ],
    },
  });
  // Two scrapes give every rate a value.
  const running = prometheus;
  for (let i = 0; i < 30; i++) {
    const up = await running.query('count_over_time(up{job="synthetic"}[1m])');
    if ((up[0]?.value ?? 0) >= 3) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await closeMetrics?.();
  await work?.cleanup();
});

/** Chromium headless with logging to stderr; the page is a local file, nothing else is reachable. */
async function chromium(args: readonly string[]) {
  return tool('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--enable-logging=stderr',
    '--v=0',
    // Any request leaving the machine fails: the page must need none.
    '--proxy-server=http://127.0.0.1:9',
    '--virtual-time-budget=5000',
    ...args,
  ]);
}

/** Console messages and uncaught errors Chromium logged for the page. */
const consoleLines = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => /CONSOLE|Uncaught|ERR_/.test(line));

async function renderInChromium(report: Report, name: string, library?: string) {
  const file = join(work.dir, `${name}.html`);
  const html = renderReportHtml(report, library);
  await writeFile(file, html);
  const result = await chromium(['--dump-dom', `file://${file}`]);
  return { html, file, dom: result.stdout, console: consoleLines(result.stderr), code: result.code };
}

describe('obsgen report', () => {
  it('reads every shop SLO with its numbers: SLI, budget, burn per window, budget series', async () => {
    const report = await buildReport(shop, {
      prometheus: (prometheus as RunningPrometheus).url,
      environment: 'production',
      at: END,
    });
    expect(report.slos.map((s) => s.slo)).toEqual(['errors', 'uptime']);
    const errors = report.slos[0];
    // 0.2% errors against a 0.1% budget: the SLI is 99.8%, the budget overspent by 100%.
    expect(errors?.sli).toBeCloseTo(0.998, 3);
    expect(errors?.budgetRemaining).toBeCloseTo(-1, 1);
    expect(errors?.burn.map((b) => b.window)).toEqual(['1h', '5m', '6h', '30m', '1d', '2h', '3d', '6h']);
    expect(errors?.burn[1]?.burnRate).toBeCloseTo(2, 1);
    expect(errors?.series.length).toBeGreaterThan(0);
    expect(report.slos[1]).toMatchObject({ sli: 1, budgetRemaining: 1, firing: [] });
  });

  it('renders in headless Chromium without console errors, every SLO with its numbers and a chart', async () => {
    const report = await buildReport(shop, {
      prometheus: (prometheus as RunningPrometheus).url,
      environment: 'production',
      at: END,
    });
    const page = await renderInChromium(report, 'shop');
    expect(page.code).toBe(0);
    expect(page.console).toEqual([]);
    // No reference to anything outside the page.
    expect(page.html).not.toMatch(/<(script|link|img)[^>]*\s(src|href)=/);
    expect(page.dom).toContain('data-charts="2"');
    for (const slo of report.slos) expect(page.dom).toContain(`data-slo="${slo.slo}"`);
    expect(page.dom).toContain('<b data-field="sli">99.800%</b>');
    expect(page.dom).toContain('<b data-field="budget">-100.0%</b>');
  }, 60_000);

  it('would see a console error (the check is not vacuous)', async () => {
    const report = await buildReport(shop, {
      prometheus: (prometheus as RunningPrometheus).url,
      environment: 'production',
      at: END,
    });
    const broken = await renderInChromium(report, 'broken', 'throw new Error("chart library missing")');
    expect(broken.console.join('\n')).toMatch(/chart library missing|Chart is not defined/);
    expect(broken.dom).not.toContain('data-charts=');
  }, 60_000);

  it("renders the built-in project's report and takes its screenshot", async () => {
    // Freshness is read through a subquery at the evaluation interval (30s): wait for its first step.
    let report = await buildReport(malaria, {
      prometheus: (prometheus as RunningPrometheus).url,
      environment: 'production',
    });
    for (let i = 0; i < 40 && report.slos.some((s) => s.sli === undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      report = await buildReport(malaria, {
        prometheus: (prometheus as RunningPrometheus).url,
        environment: 'production',
      });
    }
    expect(report.slos.map((s) => s.slo)).toEqual(['availability', 'latency', 'error-rate', 'freshness']);
    for (const slo of report.slos) expect(slo.sli, slo.slo).toBeDefined();
    const page = await renderInChromium(report, 'malaria');
    expect(page.console).toEqual([]);
    expect(page.dom).toContain('data-charts="4"');
    const png = join(work.dir, 'report.png');
    const shot = await chromium(['--window-size=900,2600', `--screenshot=${png}`, `file://${page.file}`]);
    expect(shot.code).toBe(0);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const target = process.env.OBSGEN_REPORT_SCREENSHOT;
    if (target) await copyFile(png, join(ROOT, target));
  }, 150_000);
});

/**
 * Live fire drills: the synthetic service, a real Prometheus with the generated rules (time
 * compressed) and a real Alertmanager with the generated routing, receivers posting to the sink.
 * The drills run concurrently (each waits most of the time); one runs as the CLI process, one is
 * interrupted with Ctrl-C, and one runs rules with a broken alert to show a drill can fail.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DrillReport, loadProject, runDrill } from '../../src/index.ts';
import type { Project } from '../../src/model/resolved.ts';
import { ROOT, tool } from '../helpers/tools.ts';

const BIN = join(ROOT, 'src', 'cli', 'bin.js');
let project: Project;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
});

/** Receivers that got at least one firing alert, sorted. */
const notified = (report: DrillReport): string[] =>
  [...new Set(report.timeline.flatMap((e) => (e.kind === 'notified' ? (e.receivers ?? []) : [])))].sort();

/** Receivers each alert name reached. */
function reached(report: DrillReport): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const e of report.timeline)
    if (e.kind === 'notified') {
      const name = e.alert.split(' ')[0] ?? '';
      out[name] = new Set([...(out[name] ?? []), ...(e.receivers ?? [])]);
    }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** Pids of the processes whose command line mentions `text` (read from /proc). */
async function processesNaming(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  const found: string[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(join('/proc', pid, 'cmdline'), 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(pid);
  }
  return found;
}

const explain = (report: DrillReport) =>
  [...report.missing, ...report.unexpected, JSON.stringify(report.pipeline)].join('\n');

describe.concurrent('live fire drills', () => {
  it('outage in production pages pagerduty-oncall and reaches slack-alerts', async () => {
    const report = await runDrill(project, { scenario: 'outage', environment: 'production' });
    expect(report.passed, explain(report)).toBe(true);
    expect(notified(report)).toEqual(['pagerduty-oncall', 'slack-alerts', 'watchdog']);
    const r = reached(report);
    for (const alert of ['AvailabilityBudgetBurn', 'ErrorRateBudgetBurn', 'ApiDown', 'HighErrorRate'])
      expect(r[alert], alert).toEqual(['pagerduty-oncall', 'slack-alerts']);
  });

  it("a second team's service: its outage pages its own receivers, not the malaria on-call", async () => {
    const loaded = await loadProject({ root: join(ROOT, 'test', 'fixtures', 'multi-team') });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const report = await runDrill(loaded.project as Project, {
      scenario: 'outage',
      environment: 'production',
      service: 'checkout-api',
    });
    expect(report.passed, explain(report)).toBe(true);
    const r = reached(report);
    for (const alert of ['AvailabilityBudgetBurn', 'UptimeBudgetBurn'])
      expect(r[alert], alert).toEqual(['checkout-chat', 'checkout-pager']);
    expect(notified(report)).not.toContain('pagerduty-oncall');
  });

  it('outage in staging reaches slack-alerts only', async () => {
    const report = await runDrill(project, { scenario: 'outage', environment: 'staging' });
    expect(report.passed, explain(report)).toBe(true);
    expect(notified(report)).toEqual(['slack-alerts', 'watchdog']);
    expect(reached(report).AvailabilityBudgetBurn).toEqual(['slack-alerts']);
  });

  it('stale-data pages on the freshness SLO and reports the stale source to slack-alerts', async () => {
    const report = await runDrill(project, { scenario: 'stale-data', environment: 'production' });
    expect(report.passed, explain(report)).toBe(true);
    const r = reached(report);
    expect(r.FreshnessBudgetBurn).toEqual(['pagerduty-oncall', 'slack-alerts']);
    expect(r.DataStale).toEqual(['slack-alerts']);
    expect(
      report.timeline.some(
        (e) =>
          e.kind === 'notified' &&
          e.alert.startsWith('DataStale warning ') &&
          e.alert.includes(' source=era5'),
      ),
    ).toBe(true);
  });

  it('healthy notifies nobody but the watchdog (the CLI, as a process)', async () => {
    const result = await tool('node', [BIN, 'drill', '--scenario', 'healthy', '--env', 'production'], ROOT);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^drill healthy: malaria-predictor-api in production/);
    expect(result.stdout).toMatch(/\+\s*\d+\.\ds {2}Watchdog none( \S+=\S+)* {2}notified watchdog/);
    expect(result.stdout).not.toMatch(/notified (?!watchdog)/);
    expect(result.stdout).toContain('ok: every expected alert reached its receivers and nothing else did');
    // Not a TTY: no progress line.
    expect(result.stdout).not.toContain('\r');
  });

  it('fails, naming what differed, when a generated alert cannot fire', async () => {
    // HighErrorRate's threshold written as a percentage instead of a ratio: it never holds.
    const broken = (project.alerts ?? []).map((a) =>
      a.name === 'HighErrorRate'
        ? { ...a, exprs: { ...a.exprs, production: (a.exprs.production ?? '').replace('> 0.05', '> 5') } }
        : a,
    );
    expect(broken.find((a) => a.name === 'HighErrorRate')?.exprs.production).toContain('> 5');
    const mutated: Project = {
      ...project,
      alerts: broken,
      services: project.services.map((s) => ({ ...s, alerts: broken.filter((a) => a.service === s.name) })),
    };
    const report = await runDrill(mutated, { scenario: 'outage', environment: 'production' });
    expect(report.passed).toBe(false);
    expect(report.missing).toEqual([
      expect.stringMatching(/^HighErrorRate did not reach pagerduty-oncall within \d+s/),
      expect.stringMatching(/^HighErrorRate did not reach slack-alerts within \d+s/),
    ]);
    expect(report.unexpected).toEqual([]);
  });

  describe('Ctrl-C', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'obsgen-e2e-ctrl-c-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('stops Prometheus and Alertmanager and removes every temporary file', async () => {
      // A temporary directory of its own, so what is left behind is this drill's.
      const child = spawn('node', [BIN, 'drill', '--scenario', 'healthy'], {
        cwd: ROOT,
        env: { ...process.env, TMPDIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const until = Date.now() + 60_000;
      while (!out.includes('expects:') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('expects:');
      // Only obsgen's own entries: the TypeScript loader keeps a cache there too.
      const own = async () => (await readdir(dir)).filter((f) => f.startsWith('obsgen-')).sort();
      expect(await own()).toEqual([
        expect.stringMatching(/^obsgen-alertmanager-/),
        expect.stringMatching(/^obsgen-prometheus-/),
      ]);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(await own()).toEqual([]);
      // Nothing runs with a file of that directory any more (Prometheus and Alertmanager name
      // theirs); SIGKILL is delivered at once, but give the kernel a moment to finish them.
      let left = await processesNaming(dir);
      for (let i = 0; i < 50 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = await processesNaming(dir);
      }
      expect(left).toEqual([]);
    });
  });
});

/**
 * The live fire drill on vmalert: the malaria API's production rules evaluated by a real vmalert
 * reading a real single-node VictoriaMetrics (which scrapes the synthetic service) and writing
 * every recording back through remote write, notifying the real Alertmanager. Each page must fire
 * no later than `explain` predicts plus the delay vmalert's hops add (engine-delay.ts: per level of
 * recording rules one evaluation interval, the remote-write flush, ingestion and the latency
 * offset), and every process and directory is gone afterwards. (No lower bound: sampling at 1s
 * lets Prometheus and vmalert both cross a threshold a few seconds before explain's continuous
 * arithmetic says.)
 */
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineDelay } from '../../src/commands/drill/engine-delay.ts';
import { toDrillRuleFile } from '../../src/compile/prometheus/drill.ts';
import { toRuleFile } from '../../src/compile/prometheus/index.ts';
import { explain, loadProject, runDrill } from '../../src/index.ts';
import type { Project } from '../../src/model/resolved.ts';
import { ROOT } from '../helpers/tools.ts';

let project: Project;
let before: string[];

beforeAll(async () => {
  before = await ownDirs();
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
});

/** Pids of the processes whose command line mentions `text` (read from /proc). */
async function processesNaming(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(join('/proc', pid, 'cmdline'), 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(pid);
  }
  return found;
}

const ownDirs = async (): Promise<string[]> =>
  (await readdir(tmpdir())).filter((f) => /^obsgen-(victoria-metrics|vmalert)-/.test(f));

describe.concurrent('live fire drills on vmalert', () => {
  it('outage in production pages within explain plus the engine delay', async () => {
    const report = await runDrill(project, {
      scenario: 'outage',
      environment: 'production',
      engine: 'vmalert',
    });
    expect(
      report.passed,
      [...report.missing, ...report.unexpected, JSON.stringify(report.pipeline)].join('\n'),
    ).toBe(true);
    expect(report.plan.engine).toBe('vmalert');
    const notified = new Set(
      report.timeline.flatMap((e) => (e.kind === 'notified' ? (e.receivers ?? []) : [])),
    );
    expect([...notified].sort()).toEqual(['pagerduty-oncall', 'slack-alerts', 'watchdog']);

    const svc = project.services[0];
    const env = svc?.environments.find((e) => e.name === 'production');
    if (!svc || !env) throw new Error('no malaria production');
    const factor = report.plan.factor.factor;
    const delayOf = engineDelay('vmalert', toDrillRuleFile(toRuleFile(svc, env), factor));
    const pages = explain(project, { env: 'production' }).filter(
      (r) => r.severity === 'critical' && r.firesAfterSeconds !== null && r.longWindow === '1h',
    );
    expect(pages.map((r) => r.alert).sort()).toEqual(['AvailabilityBudgetBurn', 'ErrorRateBudgetBurn']);
    for (const row of pages) {
      const predicted = (row.firesAfterSeconds ?? 0) / factor;
      const fired = report.timeline.find(
        (e) => e.kind === 'firing' && e.at >= 0 && e.alert.startsWith(`${row.alert} critical 1h/5m`),
      );
      const allowance = delayOf(row.alert).seconds;
      expect(allowance).toBeGreaterThan(0);
      expect(fired?.at, `${row.alert} never fired`).toBeDefined();
      expect(
        fired?.at ?? Number.POSITIVE_INFINITY,
        `${row.alert}: ${delayOf(row.alert).why}`,
      ).toBeLessThanOrEqual(predicted + allowance);
    }
  });

  it("a second team's service on vmalert: its outage pages its own receivers", async () => {
    const loaded = await loadProject({ root: join(ROOT, 'test', 'fixtures', 'multi-team') });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const report = await runDrill(loaded.project as Project, {
      scenario: 'outage',
      environment: 'production',
      service: 'checkout-api',
      engine: 'vmalert',
    });
    expect(report.passed, [...report.missing, ...report.unexpected].join('\n')).toBe(true);
    const reached = new Set(
      report.timeline.flatMap((e) =>
        e.kind === 'notified' && e.alert.startsWith('AvailabilityBudgetBurn') ? (e.receivers ?? []) : [],
      ),
    );
    expect([...reached].sort()).toEqual(['checkout-chat', 'checkout-pager']);
    expect(
      report.timeline.some((e) => e.kind === 'notified' && e.receivers?.includes('pagerduty-oncall')),
    ).toBe(false);
  });
});

describe('after the vmalert drills', () => {
  it('VictoriaMetrics and vmalert are stopped and their directories removed', async () => {
    expect((await ownDirs()).filter((d) => !before.includes(d))).toEqual([]);
    // SIGKILL is delivered at once, and each daemon's watchdog shell polls twice a second: give the
    // kernel a moment to finish them.
    const left = async () => [
      ...(await processesNaming('obsgen-victoria-metrics-')),
      ...(await processesNaming('obsgen-vmalert-')),
    ];
    let pids = await left();
    for (let i = 0; i < 50 && pids.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pids = await left();
    }
    expect(pids).toEqual([]);
  });
});

/**
 * What evaluates a drill's rules: a real Prometheus scraping the synthetic service, or a real
 * VictoriaMetrics scraping it with a real vmalert evaluating the rules through it (recording
 * results written back by remote write). Either way the drill reads the alerts, queries the
 * series, connects the Alertmanager once the warm-up is quiet, and reads the pipeline's health.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningPrometheus, type Sample, startPrometheus } from '../../runtime/prometheus.ts';
import {
  type RunningVictoriaMetrics,
  type RunningVmalert,
  startVictoriaMetrics,
  startVmalert,
} from '../../runtime/victoria-metrics.ts';
import type { DrillEngine } from './engine-delay.ts';

/** An alert as the engine's /api/v1/alerts lists it. */
export interface EngineAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing' | 'inactive';
  readonly activeAt?: string;
}

/** How the pipeline itself did: a missed scrape or evaluation can explain a surprise. */
export interface PipelineHealth {
  /** Scrapes of the synthetic service since the first one, and how many failed. */
  readonly scrapes: number;
  readonly failedScrapes: number;
  /** Slowest scrape, milliseconds. */
  readonly slowestScrapeMs: number;
  /** Rule group evaluations the engine skipped because the previous one overran. */
  readonly missedEvaluations: number;
}

export interface Evaluator {
  readonly engine: DrillEngine;
  /** Where the alerts are read: the Prometheus, or the vmalert. */
  readonly url: string;
  alerts(): Promise<EngineAlert[]>;
  query(expr: string): Promise<Sample[]>;
  /** Starts sending alerts to the Alertmanager and waits until the engine does. */
  connect(alertmanagerUrl: string): Promise<void>;
  health(job: string, seconds: number): Promise<PipelineHealth>;
  /** The processes' output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface EvaluatorOptions {
  /** The drill's rule file, YAML. */
  readonly rules: string;
  /** global + scrape_configs. */
  readonly scrape: Readonly<Record<string, unknown>>;
  /** Seconds between resends of a firing alert. */
  readonly resendDelaySeconds: number;
  /** The scrape job of the synthetic service. */
  readonly job: string;
}

/** The drill's rule file in the engine's directory. */
const RULES_FILE = 'drill.rules.yaml';

const sumOf = (metrics: string, name: string): number =>
  metrics
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + (Number(line.split(' ').at(-1)) || 0), 0);

async function scrapeHealth(
  query: (expr: string) => Promise<Sample[]>,
  job: string,
  seconds: number,
): Promise<Omit<PipelineHealth, 'missedEvaluations'>> {
  const range = `${Math.max(1, Math.ceil(seconds))}s`;
  const sel = `{job=${JSON.stringify(job)}}`;
  const one = async (expr: string) => (await query(expr).catch(() => []))[0]?.value ?? 0;
  const scrapes = await one(`count_over_time(up${sel}[${range}])`);
  const ok = await one(`sum_over_time(up${sel}[${range}])`);
  const slowest = await one(`max_over_time(scrape_duration_seconds${sel}[${range}])`);
  return { scrapes, failedScrapes: scrapes - ok, slowestScrapeMs: Math.round(slowest * 1000) };
}

async function until(what: string, done: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}:\n${output()}`);
    await sleep(100);
  }
}

/**
 * Waits for the engine's first successful scrape of the synthetic service; the rules start only
 * after it. Evaluated over no data at all, an alert on missing series (ApiDown: no `up` yet) fired
 * during the warm-up; Prometheus sends a resolved alert for 15 minutes, so the Alertmanager, once
 * connected, opened the alert's group with it and flushed it at once, and the same alert firing in
 * the fault then waited for the group interval (a minute) instead of group_wait.
 */
const untilScraped = (
  engine: string,
  query: (expr: string) => Promise<Sample[]>,
  job: string,
  output: () => string,
): Promise<void> =>
  until(
    `${engine} never scraped the synthetic service`,
    async () => (await query(`up{job=${JSON.stringify(job)}}`)).some((s) => s.value === 1),
    output,
  );

function prometheusEvaluator(
  prometheus: RunningPrometheus,
  scrape: Readonly<Record<string, unknown>>,
): Evaluator {
  return {
    engine: 'prometheus',
    url: prometheus.url,
    alerts: async () => ((await prometheus.api('alerts')) as { alerts: EngineAlert[] }).alerts,
    query: (expr) => prometheus.query(expr),
    connect: async (alertmanagerUrl) => {
      await prometheus.reload({
        ...scrape,
        alerting: {
          alertmanagers: [{ static_configs: [{ targets: [alertmanagerUrl.replace(/^https?:\/\//, '')] }] }],
        },
      });
      await until(
        'Prometheus did not pick up the Alertmanager',
        async () =>
          (
            ((await prometheus.api('alertmanagers')) as { activeAlertmanagers?: unknown[] })
              .activeAlertmanagers ?? []
          ).length > 0,
        () => prometheus.daemon.output(),
      );
    },
    health: async (job, seconds) => ({
      ...(await scrapeHealth((e) => prometheus.query(e), job, seconds)),
      missedEvaluations: sumOf(
        await fetch(`${prometheus.url}/metrics`).then(
          (r) => r.text(),
          () => '',
        ),
        'prometheus_rule_group_iterations_missed_total',
      ),
    }),
    output: () => prometheus.daemon.output(),
    stop: () => prometheus.stop(),
  };
}

function vmalertEvaluator(vm: RunningVictoriaMetrics, vmalert: RunningVmalert): Evaluator {
  const output = () => `${vm.daemon.output()}${vmalert.daemon.output()}`;
  return {
    engine: 'vmalert',
    url: vmalert.url,
    // vmalert lists no alerts as `null`.
    alerts: async () => ((await vmalert.api('alerts')) as { alerts: EngineAlert[] | null }).alerts ?? [],
    query: (expr) => vm.query(expr),
    connect: async (alertmanagerUrl) => {
      await vmalert.setNotifiers([alertmanagerUrl]);
      // vmalert 1.79 shows its notifiers nowhere: an always-firing alert (the Watchdog) sent to
      // the Alertmanager proves it connected; without one, three re-reads of the file (every
      // second) are waited for.
      const sent = `vmalert_alerts_sent_total{addr="${alertmanagerUrl}/api/v2/alerts"}`;
      const until = Date.now() + 3_000;
      while (Date.now() < until && sumOf(await vmalert.metrics().catch(() => ''), sent) === 0)
        await sleep(100);
    },
    health: async (job, seconds) => ({
      ...(await scrapeHealth((e) => vm.query(e), job, seconds)),
      missedEvaluations: sumOf(await vmalert.metrics().catch(() => ''), 'vmalert_iteration_missed_total'),
    }),
    output,
    stop: async () => {
      await vmalert.stop();
      await vm.stop();
    },
  };
}

/** Starts the engine's processes with the drill's rules, scraping the synthetic service. */
export async function startEvaluator(engine: DrillEngine, options: EvaluatorOptions): Promise<Evaluator> {
  if (engine === 'prometheus') {
    const prometheus = await startPrometheus({
      rules: { [RULES_FILE]: 'groups: []\n' },
      config: options.scrape,
      args: [`--rules.alert.resend-delay=${options.resendDelaySeconds}s`],
    });
    try {
      // Started with no rules; they are loaded after the first scrape.
      await untilScraped(
        'Prometheus',
        (e) => prometheus.query(e),
        options.job,
        () => prometheus.daemon.output(),
      );
      await writeFile(join(prometheus.dir, RULES_FILE), options.rules);
      await prometheus.reload(options.scrape);
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheusEvaluator(prometheus, options.scrape);
  }
  const vm = await startVictoriaMetrics(options.scrape);
  try {
    await untilScraped(
      'VictoriaMetrics',
      (e) => vm.query(e),
      options.job,
      () => vm.daemon.output(),
    );
    const vmalert = await startVmalert({
      rules: { [RULES_FILE]: options.rules },
      datasource: vm.url,
      args: [`-rule.resendDelay=${options.resendDelaySeconds}s`],
    });
    return vmalertEvaluator(vm, vmalert);
  } catch (error) {
    await vm.stop();
    throw error;
  }
}

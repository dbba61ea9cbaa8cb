/**
 * The synthetic service of a drill: the contract's metrics as prom-client metrics, served on
 * 127.0.0.1, each series behaving as its signal plan says. Values are brought up to date when
 * Prometheus scrapes, so they follow the clock, not a timer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metric } from '../../model/metrics.ts';
import type { DrillClock, SignalPlan } from './signals.ts';

export interface SyntheticService {
  /** `127.0.0.1:<port>`, the scrape target. */
  readonly target: string;
  /** From now on the scenario's faults apply. */
  startFault(): void;
  /** The exposition text as a scrape sees it now. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** prom-client, loaded by the drill alone: every other command would pay for it at start-up. */
type PromClient = typeof import('prom-client');

function register(
  { Counter, Gauge, Histogram }: PromClient,
  metric: Metric,
  plans: readonly SignalPlan[],
  registry: Registry,
): AnyMetric | undefined {
  const labelNames = [...new Set(plans.flatMap((p) => Object.keys(p.labels)))].sort();
  const base = { name: metric.name, help: metric.help, labelNames, registers: [registry] };
  switch (metric.type) {
    case 'counter':
      return new Counter(base);
    case 'gauge':
      return new Gauge(base);
    case 'histogram':
      return new Histogram({ ...base, ...(metric.buckets ? { buckets: [...metric.buckets] } : {}) });
    default:
      return undefined;
  }
}

/** Starts the service; `now` is the clock in milliseconds (injectable for tests). */
export async function startSyntheticService(
  plans: readonly SignalPlan[],
  now: () => number = Date.now,
): Promise<SyntheticService> {
  const client = await import('prom-client');
  const { Counter, Gauge, Histogram } = client;
  const registry = new client.Registry();
  const byMetric = new Map<string, SignalPlan[]>();
  for (const plan of plans) byMetric.set(plan.metric.name, [...(byMetric.get(plan.metric.name) ?? []), plan]);
  const metrics = new Map<string, AnyMetric>();
  for (const [name, list] of byMetric) {
    const first = list[0];
    const made = first ? register(client, first.metric, list, registry) : undefined;
    if (made) metrics.set(name, made);
  }
  // Counters and histograms exist from the first scrape on, at zero: a rate needs two samples.
  for (const plan of plans) {
    const metric = metrics.get(plan.metric.name);
    if (metric instanceof Counter) metric.inc(plan.labels, 0);
    else if (metric instanceof Histogram) metric.zero(plan.labels);
  }
  const started = now();
  let faultAt: number | undefined;
  let last = started;
  // Fractional requests carried to the next scrape, per histogram series.
  const pending = new Map<SignalPlan, number>();

  const update = () => {
    const at = now();
    const elapsed = Math.max(0, (at - last) / 1000);
    last = at;
    const clock: DrillClock = {
      now: at / 1000,
      sinceStart: (at - started) / 1000,
      sinceFault: faultAt === undefined ? undefined : (at - faultAt) / 1000,
    };
    for (const plan of plans) {
      const metric = metrics.get(plan.metric.name);
      const b = plan.behaviour;
      if (metric instanceof Gauge && b.kind === 'gauge') {
        const value = b.value(clock);
        if (value === undefined) metric.remove(plan.labels);
        else metric.set(plan.labels, value);
      } else if (metric instanceof Counter && b.kind === 'counter') {
        metric.inc(plan.labels, b.rate(clock) * elapsed);
      } else if (metric instanceof Histogram && b.kind === 'histogram') {
        const requests = (pending.get(plan) ?? 0) + b.rate(clock) * elapsed;
        const whole = Math.floor(requests);
        pending.set(plan, requests - whole);
        const child = metric.labels(plan.labels);
        for (let i = 0; i < whole; i++) child.observe(b.duration(clock));
      }
    }
  };
  update();

  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    update();
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    startFault: () => {
      faultAt = now();
    },
    scrape: async () => {
      update();
      return registry.metrics();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

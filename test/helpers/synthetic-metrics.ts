/**
 * Synthetic series for every metric of a service's contract, served in the Prometheus text
 * format for a real Prometheus to scrape. Small and plausible: a few label values per label,
 * steady traffic with a little 5xx, probes up, data ingested 10 minutes ago.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metric } from '../../src/model/metrics.ts';
import type { ResolvedService } from '../../src/model/resolved.ts';
import type { Environment } from '../../src/model/service.ts';

/** Label values the series are spread over; a label not listed gets one value `x`. */
const LABEL_VALUES: Readonly<Record<string, readonly string[]>> = {
  handler: ['/predict', '/health/readiness', '/api/v1/regions'],
  method: ['GET', 'POST'],
  status: ['200', '500'],
  source: ['era5', 'modis', 'map'],
  model: ['xgboost-v3'],
  pod: ['malaria-predictor-api-0', 'malaria-predictor-api-1'],
  container: ['api', 'POD'],
  interface: ['eth0'],
  resource: ['cpu', 'memory'],
  unit: ['core'],
  persistentvolumeclaim: ['postgres-data'],
  job: ['malaria-predictor-api'],
};

type Labels = Record<string, string>;

function labelSets(metric: Metric, env: Environment): Labels[] {
  let sets: Labels[] = [{}];
  for (const label of metric.labels) {
    const fixed = metric.constLabels?.[label];
    const values =
      fixed !== undefined
        ? [fixed]
        : label === 'namespace'
          ? [env.namespace]
          : label === 'instance'
            ? [env.vars?.probeTarget ?? 'x']
            : (LABEL_VALUES[label] ?? ['x']);
    sets = sets.flatMap((set) => values.map((v) => ({ ...set, [label]: v })));
  }
  return sets;
}

/** Per-second increase of a counter series. */
const counterRate = (name: string, labels: Labels): number => {
  if (labels.status?.startsWith('5')) return 0.02;
  if (name.includes('cpu')) return 0.25;
  if (name.includes('bytes')) return 5_000;
  return 1;
};

/** Value of a gauge series at unix time `t`. */
const gaugeValue = (name: string, labels: Labels, t: number): number => {
  if (name.endsWith('_timestamp_seconds')) return t - 600;
  if (name.includes('accuracy')) return 0.92;
  if (name.includes('memory')) return 2e8;
  if (name.includes('resource_limits')) return labels.resource === 'memory' ? 5e8 : 1;
  if (name.includes('capacity_bytes')) return 1e10;
  if (name.includes('used_bytes')) return 4e9;
  return 1;
};

const render = (name: string, labels: Labels): string =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

export interface SyntheticSeries {
  readonly name: string;
  readonly labels: Labels;
  /** Value at unix time `t` (seconds); counters count from `origin`. */
  readonly value: (t: number) => number;
}

/** One or more series for every metric of the contract (histograms as buckets, count and sum). */
export function syntheticSeries(svc: ResolvedService, env: Environment, origin: number): SyntheticSeries[] {
  const out: SyntheticSeries[] = [];
  const elapsed = (t: number) => t - origin;
  for (const metric of Object.values(svc.metrics).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const labels of labelSets(metric, env)) {
      if (metric.type === 'histogram') {
        // Latency roughly exponential around 0.4s: a few percent of requests above 2s.
        const share = (bound: number) => 1 - Math.exp(-bound / 0.4);
        for (const bound of metric.buckets ?? [])
          out.push({
            name: `${metric.name}_bucket`,
            labels: { ...labels, le: String(bound) },
            value: (t) => Math.floor(elapsed(t) * share(bound)),
          });
        out.push({ name: `${metric.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: elapsed });
        out.push({ name: `${metric.name}_count`, labels, value: elapsed });
        out.push({ name: `${metric.name}_sum`, labels, value: (t) => elapsed(t) * 0.4 });
      } else if (metric.type === 'counter') {
        const rate = counterRate(metric.name, labels);
        out.push({ name: metric.name, labels, value: (t) => elapsed(t) * rate });
      } else out.push({ name: metric.name, labels, value: (t) => gaugeValue(metric.name, labels, t) });
    }
  }
  return out;
}

/** Prometheus text exposition of the series at unix time `t`. */
export const exposition = (series: readonly SyntheticSeries[], t: number): string =>
  `${series.map((s) => `${render(s.name, s.labels)} ${Number(s.value(t).toFixed(6))}`).join('\n')}\n`;

/** An HTTP server on 127.0.0.1 (OS-chosen port) answering /metrics with `body()`. */
export async function serveMetrics(
  body: () => string,
): Promise<{ target: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    response.writeHead(request.url === '/metrics' ? 200 : 404, {
      'content-type': 'text/plain; version=0.0.4',
    });
    response.end(request.url === '/metrics' ? body() : '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

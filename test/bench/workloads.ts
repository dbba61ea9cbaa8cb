/**
 * The two workloads of the rule benchmark: the malaria prediction API as defined in slos/ with
 * realistic cardinality and a few incidents, and a fleet of N request SLOs built through the same
 * model (definitions -> validation -> compiler), each over its own 200 series.
 */

import { RECORD } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/yaml.ts';
import type { Environment } from '../../src/model/index.ts';
import {
  defineEnvironment,
  defineMetrics,
  defineService,
  defineSlo,
  ratioSli,
  re,
  select,
} from '../../src/model/index.ts';
import type { ResolvedService } from '../../src/model/resolved.ts';
import { formatSeconds } from '../../src/model/units.ts';
import type { Incident, WorkloadSpec } from '../../src/synth/openmetrics.ts';
import { validateProject } from '../../src/validate/service.ts';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const pad = (i: number, width: number) => String(i).padStart(width, '0');

/**
 * Series of the malaria API's metric contract in `env`: 25 handlers x 4 methods x 6 status codes
 * (600 `http_requests_total` series, 200 of them 5xx), the latency histogram per handler and
 * method (100 `_count` and 100 `le="2"` series among 1,100), the probe, three data sources, and
 * the few Kubernetes and exporter series of the contract.
 *
 * Incidents up to the end of the history (and on into the live scrape) give the alerts something
 * to decide: 5xx at 8% for the last hour (a 14.4x page), latency median 1.5s for the last three
 * hours (the 7d SLO's 6x page and both tickets), the data sources' ingestion stalled for three
 * hours (pages of the per-source freshness SLO).
 */
export function malariaWorkload(
  svc: ResolvedService,
  env: Environment,
  end: number,
  historySeconds: number,
): WorkloadSpec {
  const ongoing = (start: number, fields: Omit<Incident, 'start' | 'end'>): Incident => ({
    start,
    end: end + 86_400,
    ...fields,
  });
  return {
    metrics: svc.metrics,
    origin: end - historySeconds - 86_400,
    labelValues: {
      namespace: [env.namespace],
      handler: Array.from({ length: 25 }, (_, i) => `/api/v1/endpoint-${pad(i, 2)}`),
      method: HTTP_METHODS,
      status: ['200', '201', '400', '404', '500', '503'],
      instance: [env.vars?.probeTarget ?? ''],
      source: ['era5', 'map', 'modis'],
      model: ['seasonal-v3'],
      job: ['malaria-predictor-api'],
      // Build info and the Kubernetes series of the contract: few, but part of a real TSDB.
      version: ['1.8.2'],
      revision: ['4f2c9e1'],
      pod: ['malaria-predictor-api-7d9f-0', 'malaria-predictor-api-7d9f-1', 'malaria-predictor-api-7d9f-2'],
      container: ['api'],
      interface: ['eth0'],
      resource: ['cpu', 'memory'],
      unit: ['core', 'byte'],
      persistentvolumeclaim: ['postgres-data'],
      horizontalpodautoscaler: ['malaria-predictor-api'],
    },
    profile: {
      requestsPerSecond: 2,
      incidents: [
        ongoing(end - 3 * 3_600, {
          latencyMedian: 1.5,
          stale: ['malaria_data_last_success_timestamp_seconds'],
        }),
        ongoing(end - 3_600, { errorRatio: 0.08 }),
      ],
    },
  };
}

const fleetEnvironment = defineEnvironment({
  name: 'bench',
  namespace: 'fleet',
  runbookBaseUrl: 'https://runbooks.example.com',
  grafanaBaseUrl: 'https://grafana.example.com',
});

const fleetMetrics = defineMetrics({
  http_requests_total: {
    type: 'counter',
    help: 'HTTP requests served, by handler, method and status code.',
    labels: ['job', 'namespace', 'handler', 'method', 'status'],
  },
});

export const fleetJob = (i: number): string => `svc-${pad(i, 4)}`;

/**
 * `count` services' error-rate SLOs (99.9% over 30d), one service (job) each with 10 handlers x 4
 * methods x 5 status codes = 200 series, 80 of them 5xx; validated by the model like any
 * definition file.
 */
export function fleetService(count: number): { svc: ResolvedService; env: Environment } {
  const service = defineService({
    name: 'fleet',
    team: 'benchmark',
    environments: [fleetEnvironment],
    metrics: fleetMetrics,
    slos: Array.from({ length: count }, (_, i) =>
      defineSlo({
        id: `${fleetJob(i)}-errors`,
        description: `99.9% of ${fleetJob(i)} requests do not fail with a 5xx status.`,
        objective: 0.999,
        period: '30d',
        sli: ratioSli({
          bad: select(fleetMetrics.http_requests_total, { job: fleetJob(i), status: re('5..') }),
          total: select(fleetMetrics.http_requests_total, { job: fleetJob(i) }),
        }),
      }),
    ),
  });
  const { project, diagnostics } = validateProject([
    { file: 'test/bench/workloads.ts', exportName: 'fleetService', value: service },
  ]);
  const svc = project?.services[0];
  if (!svc) throw new Error(`fleet definitions are invalid: ${JSON.stringify(diagnostics)}`);
  return { svc, env: fleetEnvironment };
}

/** Series of the fleet: `count` jobs of 200 series each, healthy (0.1% 5xx). */
export function fleetWorkload(count: number, end: number, historySeconds: number): WorkloadSpec {
  return {
    metrics: fleetMetrics,
    origin: end - historySeconds - 3_600,
    labelValues: {
      job: Array.from({ length: count }, (_, i) => fleetJob(i)),
      namespace: [fleetEnvironment.namespace],
      handler: Array.from({ length: 10 }, (_, i) => `/h${i}`),
      method: HTTP_METHODS,
      status: ['200', '201', '404', '500', '503'],
    },
    profile: { requestsPerSecond: 1 },
  };
}

/**
 * The recorded series the fleet's rules read over long windows, for every SLO at once: the same
 * values and labels as the per-SLO rules (`slo:sli_bad:rate5m`, `slo:sli_total:rate5m` and the
 * Sloth-shaped `slo:sli_error:ratio_rate5m`), computed per job and relabelled. Three rules to
 * backfill instead of three per SLO, because promtool writes one block per rule and 2h.
 */
export function fleetRecordingHistory(svc: ResolvedService, env: Environment): string[] {
  const base = formatSeconds(svc.slos[0]?.baseWindow ?? 300);
  const selector = (extra: string) => `http_requests_total{namespace="${env.namespace}"${extra}}`;
  const perJob = (extra: string) => `sum by (job) (rate(${selector(extra)}[${base}]))`;
  const bad = perJob(',status=~"5.."');
  const total = perJob('');
  const asSlo = (expr: string, label: string, prefix = '') =>
    `label_replace(${expr}, "${label}", "${prefix}$1-errors", "job", "(.+)")`;
  const labels = { environment: env.name, service: svc.name };
  const file = (rules: object[]) => toYaml({ groups: [{ name: 'fleet-history', interval: '30s', rules }] });
  // Two files, about equal work, for two promtool processes.
  return [
    file([
      { record: RECORD.bad(base), expr: `sum without (job) (${asSlo(bad, 'slo')})`, labels },
      { record: RECORD.total(base), expr: `sum without (job) (${asSlo(total, 'slo')})`, labels },
    ]),
    file([
      {
        record: RECORD.errorRatio(base),
        expr: `sum without (job) (${asSlo(asSlo(`${bad} / ${total}`, 'sloth_slo'), 'sloth_id', `${svc.name}-`)})`,
        labels: { sloth_service: svc.name, sloth_window: base },
      },
    ]),
  ];
}

/**
 * The malaria prediction API: its metric contract and its four SLOs. The alert catalog (alerts/)
 * is written against the same contract.
 */
import {
  defineMetrics,
  defineService,
  defineSlo,
  freshnessSli,
  fromEnv,
  latencySli,
  probeSli,
  ratioSli,
  re,
  select,
} from 'obsgen';
import { environments } from './environments.ts';

const api = { job: 'malaria-predictor-api' } as const;

export const metrics = defineMetrics({
  http_requests_total: {
    type: 'counter',
    help: 'HTTP requests served, by handler, method and status code.',
    labels: ['job', 'namespace', 'handler', 'method', 'status'],
    values: {
      handler: ['/predict', '/predict/batch', '/health/readiness'],
      method: ['POST', 'GET'],
      status: ['200', '400', '404', '500', '503'],
    },
    constLabels: api,
    unit: 'requests',
  },
  http_request_duration_seconds: {
    type: 'histogram',
    help: 'HTTP request latency.',
    labels: ['job', 'namespace', 'handler', 'method'],
    values: { handler: ['/predict', '/predict/batch', '/health/readiness'], method: ['POST', 'GET'] },
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    constLabels: api,
    unit: 'seconds',
  },
  probe_success: {
    type: 'gauge',
    help: 'Whether the blackbox readiness probe succeeded (1) or failed (0).',
    labels: ['job', 'namespace', 'instance'],
    constLabels: { job: 'blackbox' },
  },
  malaria_data_last_success_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time of the last successful ingestion, per data source.',
    labels: ['job', 'namespace', 'source'],
    values: { source: ['era5', 'modis', 'map'] },
    constLabels: api,
    unit: 'seconds',
  },
  malaria_model_accuracy: {
    type: 'gauge',
    help: 'Accuracy of the serving prediction model on the validation set.',
    labels: ['job', 'namespace', 'model'],
    values: { model: ['ensemble-v3'] },
    constLabels: api,
    unit: 'ratio',
  },
  pg_up: {
    type: 'gauge',
    help: 'Whether the postgres exporter reaches the database.',
    labels: ['job', 'namespace'],
    constLabels: { job: 'postgres-exporter' },
  },
  redis_up: {
    type: 'gauge',
    help: 'Whether the redis exporter reaches Redis.',
    labels: ['job', 'namespace'],
    constLabels: { job: 'redis-exporter' },
  },
  up: {
    type: 'gauge',
    help: 'Whether Prometheus scraped the target.',
    labels: ['job', 'namespace'],
  },
  malaria_build_info: {
    type: 'gauge',
    help: 'Build of the running API (always 1), by version and git revision; a new version is a deployment.',
    labels: ['job', 'namespace', 'version', 'revision'],
    constLabels: api,
  },
  // cAdvisor (kubelet), kube-state-metrics and kubelet volume stats of the namespace's pods.
  container_cpu_usage_seconds_total: {
    type: 'counter',
    help: 'CPU time used by a container (cAdvisor, scraped from the kubelet).',
    labels: ['job', 'namespace', 'pod', 'container'],
    constLabels: { job: 'kubelet' },
    unit: 'seconds',
  },
  container_memory_working_set_bytes: {
    type: 'gauge',
    help: 'Working set memory of a container, what the OOM killer compares with the limit (cAdvisor).',
    labels: ['job', 'namespace', 'pod', 'container'],
    constLabels: { job: 'kubelet' },
    unit: 'bytes',
  },
  container_network_receive_bytes_total: {
    type: 'counter',
    help: 'Bytes received by a pod (cAdvisor, pod-level series).',
    labels: ['job', 'namespace', 'pod', 'interface'],
    constLabels: { job: 'kubelet' },
    unit: 'bytes',
  },
  container_network_transmit_bytes_total: {
    type: 'counter',
    help: 'Bytes sent by a pod (cAdvisor, pod-level series).',
    labels: ['job', 'namespace', 'pod', 'interface'],
    constLabels: { job: 'kubelet' },
    unit: 'bytes',
  },
  kube_pod_container_resource_limits: {
    type: 'gauge',
    help: 'Resource limit of a container (kube-state-metrics): cores for cpu, bytes for memory.',
    labels: ['job', 'namespace', 'pod', 'container', 'resource', 'unit'],
    constLabels: { job: 'kube-state-metrics' },
  },
  kubelet_volume_stats_used_bytes: {
    type: 'gauge',
    help: 'Bytes used on a persistent volume (kubelet).',
    labels: ['job', 'namespace', 'persistentvolumeclaim'],
    constLabels: { job: 'kubelet' },
    unit: 'bytes',
  },
  kubelet_volume_stats_available_bytes: {
    type: 'gauge',
    help: 'Bytes still available on a persistent volume (kubelet).',
    labels: ['job', 'namespace', 'persistentvolumeclaim'],
    constLabels: { job: 'kubelet' },
    unit: 'bytes',
  },
  kubelet_volume_stats_capacity_bytes: {
    type: 'gauge',
    help: 'Capacity of a persistent volume (kubelet).',
    labels: ['job', 'namespace', 'persistentvolumeclaim'],
    constLabels: { job: 'kubelet' },
    unit: 'bytes',
  },
  kube_horizontalpodautoscaler_status_current_replicas: {
    type: 'gauge',
    help: 'Replicas an HPA currently runs (kube-state-metrics).',
    labels: ['job', 'namespace', 'horizontalpodautoscaler'],
    constLabels: { job: 'kube-state-metrics' },
  },
  kube_horizontalpodautoscaler_spec_max_replicas: {
    type: 'gauge',
    help: 'Upper replica bound of an HPA (kube-state-metrics).',
    labels: ['job', 'namespace', 'horizontalpodautoscaler'],
    constLabels: { job: 'kube-state-metrics' },
  },
});

export default defineService({
  name: 'malaria-predictor-api',
  team: 'malaria-platform',
  description: 'Serves malaria outbreak predictions from climate (ERA5, MODIS) and prevalence (MAP) data.',
  environments,
  metrics,
  slos: [
    defineSlo({
      id: 'availability',
      description: 'The API answers its readiness probe 99.9% of the time.',
      objective: 0.999,
      period: '30d',
      sli: probeSli({ gauge: select(metrics.probe_success, { instance: fromEnv('probeTarget') }) }),
    }),
    defineSlo({
      id: 'latency',
      description: '95% of requests complete in under 2 seconds (p95 < 2s).',
      objective: 0.95,
      period: '7d',
      sli: latencySli({ histogram: select(metrics.http_request_duration_seconds), threshold: 2 }),
    }),
    defineSlo({
      id: 'error-rate',
      description: '99.5% of requests do not fail with a 5xx status (error rate < 0.5%).',
      objective: 0.995,
      period: '30d',
      sli: ratioSli({
        bad: select(metrics.http_requests_total, { status: re('5..') }),
        total: select(metrics.http_requests_total),
      }),
    }),
    defineSlo({
      id: 'freshness',
      description: 'Each data source was ingested less than 2 hours ago, 99% of the time.',
      objective: 0.99,
      period: '24h',
      groupBy: ['source'],
      sli: freshnessSli({
        timestamp: select(metrics.malaria_data_last_success_timestamp_seconds),
        maxAge: '2h',
      }),
    }),
  ],
});

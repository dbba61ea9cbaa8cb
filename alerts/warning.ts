/**
 * Warning tier: something degrades and needs a human within 30 minutes (latency, resource
 * saturation, stale data, the cache). Goes to #alerts.
 */

import { defineAlert, ne, series } from 'obsgen';
import api, { metrics } from '../slos/malaria-predictor-api.ts';

const service = api.name;
const predict = { handler: '/predict', method: 'POST' } as const;
const pod = { pod: 'malaria-predictor-api-7d9f8b6c5-x2k4q', container: 'api' } as const;
const pvc = { persistentvolumeclaim: 'data-malaria-predictor-api-0' } as const;

/** Histogram buckets of one scenario: cumulative counts per minute by upper bound. */
const latencyBuckets = (perMinute: Readonly<Record<string, number>>) =>
  Object.entries(perMinute).map(([le, n]) =>
    series(metrics.http_request_duration_seconds, { ...predict, le }, `0+${n}x30`, '_bucket'),
  );

export const highLatencyP95 = defineAlert({
  name: 'HighLatencyP95',
  severity: 'warning',
  category: 'latency',
  service,
  for: '10m',
  family: 'ApiLatency',
  summary: 'The 95th percentile API response time is above 2 seconds.',
  description: 'p95 response time over the last 5 minutes is {{ $value | humanizeDuration }} (threshold 2s).',
  expr: ({ sel }) =>
    `histogram_quantile(0.95, sum by (le) (rate(${sel(metrics.http_request_duration_seconds, {}, '_bucket')}[5m]))) > 2`,
  runbook: {
    impact:
      'Slow predictions time out in client dashboards, and the latency SLO (95% under 2s) burns its budget.',
    steps: [
      'Find the slow handler: `histogram_quantile(0.95, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))`.',
      'Check CPU throttling and memory (HighCpuUsage, HighMemoryUsage) and the database latency.',
      'Check whether traffic grew (HpaAtMaxReplicas) and scale out if the HPA is capped.',
    ],
    kubectl: ['top pods', 'get hpa'],
  },
  examples: {
    firing: {
      series: latencyBuckets({ '0.5': 10, '1': 20, '2': 50, '5': 100, '+Inf': 100 }),
      firesWithin: '13m',
      alerts: [{ description: 'p95 response time over the last 5 minutes is 4.7s (threshold 2s).' }],
    },
    healthy: { series: latencyBuckets({ '0.5': 90, '1': 97, '2': 99, '5': 100, '+Inf': 100 }) },
  },
});

export const highCpuUsage = defineAlert({
  name: 'HighCpuUsage',
  severity: 'warning',
  category: 'infrastructure',
  service,
  for: '15m',
  groupBy: ['pod', 'container'],
  summary: 'A container uses more than 80% of its CPU limit.',
  description:
    'Container {{ $labels.container }} of pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit.',
  expr: ({ sel }) =>
    [
      `sum by (pod, container) (rate(${sel(metrics.container_cpu_usage_seconds_total, { container: ne('') })}[5m]))`,
      '/',
      `sum by (pod, container) (${sel(metrics.kube_pod_container_resource_limits, { resource: 'cpu' })})`,
      '> 0.8',
    ].join('\n'),
  runbook: {
    impact: 'Near its limit the container gets throttled: requests slow down before anything fails.',
    steps: [
      'Check whether the load grew (request rate) or one pod is hot (uneven balancing).',
      'Scale out, or raise the CPU limit if every pod is busy at normal traffic.',
    ],
    kubectl: ['top pods --containers', 'get hpa'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.container_cpu_usage_seconds_total, pod, '0+54x30'),
        series(metrics.kube_pod_container_resource_limits, { ...pod, resource: 'cpu', unit: 'core' }, '1x30'),
      ],
      // rate() over 5m reads a fresh counter low until 5 minutes of samples exist, then 15m of `for`.
      firesWithin: '21m',
      alerts: [
        {
          labels: pod,
          description:
            'Container api of pod malaria-predictor-api-7d9f8b6c5-x2k4q uses 90% of its CPU limit.',
        },
      ],
    },
    healthy: {
      series: [
        series(metrics.container_cpu_usage_seconds_total, pod, '0+30x30'),
        series(metrics.kube_pod_container_resource_limits, { ...pod, resource: 'cpu', unit: 'core' }, '1x30'),
      ],
    },
  },
});

export const highMemoryUsage = defineAlert({
  name: 'HighMemoryUsage',
  severity: 'warning',
  category: 'infrastructure',
  panel: 'memory',
  service,
  for: '15m',
  groupBy: ['pod', 'container'],
  summary: 'A container uses more than 80% of its memory limit.',
  description:
    'Container {{ $labels.container }} of pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit.',
  expr: ({ sel }) =>
    [
      `sum by (pod, container) (${sel(metrics.container_memory_working_set_bytes, { container: ne('') })})`,
      '/',
      `sum by (pod, container) (${sel(metrics.kube_pod_container_resource_limits, { resource: 'memory' })})`,
      '> 0.8',
    ].join('\n'),
  runbook: {
    impact:
      'At the limit the kernel kills the container (OOMKilled): in-flight predictions fail and the pod restarts.',
    steps: [
      'Check for restarts with reason OOMKilled (`describe pod`).',
      'A steady climb points to a leak (model caches); a jump after a deployment to the new version.',
      'Raise the memory limit or roll back.',
    ],
    kubectl: ['top pods --containers'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.container_memory_working_set_bytes, pod, '900000000x30'),
        series(
          metrics.kube_pod_container_resource_limits,
          { ...pod, resource: 'memory', unit: 'byte' },
          '1000000000x30',
        ),
      ],
      firesWithin: '18m',
      alerts: [
        {
          labels: pod,
          description:
            'Container api of pod malaria-predictor-api-7d9f8b6c5-x2k4q uses 90% of its memory limit.',
        },
      ],
    },
    healthy: {
      series: [
        series(metrics.container_memory_working_set_bytes, pod, '500000000x30'),
        series(
          metrics.kube_pod_container_resource_limits,
          { ...pod, resource: 'memory', unit: 'byte' },
          '1000000000x30',
        ),
      ],
    },
  },
});

export const highDiskUsage = defineAlert({
  name: 'HighDiskUsage',
  severity: 'warning',
  category: 'infrastructure',
  panel: 'disk',
  service,
  for: '15m',
  groupBy: ['persistentvolumeclaim'],
  family: 'DiskUsage',
  summary: 'A persistent volume is more than 80% full.',
  description: 'Volume {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.',
  expr: ({ sel }) =>
    [
      `sum by (persistentvolumeclaim) (${sel(metrics.kubelet_volume_stats_used_bytes)})`,
      '/',
      `sum by (persistentvolumeclaim) (${sel(metrics.kubelet_volume_stats_capacity_bytes)})`,
      '> 0.8',
    ].join('\n'),
  runbook: {
    impact: 'A full volume stops ingestion and model artefact writes; the database refuses writes.',
    steps: [
      'Find what grows: raw climate downloads (ERA5, MODIS) are the usual suspects.',
      'Clean up old artefacts or expand the volume (`kubectl edit pvc`, if the storage class allows expansion).',
    ],
    kubectl: ['get pvc', 'describe pvc data-malaria-predictor-api-0'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.kubelet_volume_stats_used_bytes, pvc, '85x30'),
        series(metrics.kubelet_volume_stats_capacity_bytes, pvc, '100x30'),
      ],
      firesWithin: '18m',
      alerts: [{ labels: pvc, description: 'Volume data-malaria-predictor-api-0 is 85% full.' }],
    },
    healthy: {
      series: [
        series(metrics.kubelet_volume_stats_used_bytes, pvc, '50x30'),
        series(metrics.kubelet_volume_stats_capacity_bytes, pvc, '100x30'),
      ],
    },
  },
});

export const dataStale = defineAlert({
  name: 'DataStale',
  severity: 'warning',
  category: 'data',
  service,
  panel: 'data-freshness',
  for: '5m',
  groupBy: ['source'],
  summary: 'A data source has not been ingested for more than 2 hours.',
  description:
    'Source {{ $labels.source }} was last ingested successfully {{ $value | humanizeDuration }} ago (bound 2h).',
  expr: ({ sel }) =>
    `time() - max by (source) (${sel(metrics.malaria_data_last_success_timestamp_seconds)}) > 7200`,
  runbook: {
    impact:
      'Predictions are computed from old climate or prevalence data; the freshness SLO (data younger than 2h) burns.',
    steps: [
      'Read the source label: era5 and modis come from external APIs (check their status pages and our credentials), map from the Malaria Atlas Project.',
      'Check the ingestion job logs for the source.',
      'Re-run the ingestion for the source once the upstream is back.',
    ],
    kubectl: ['get cronjobs', 'get jobs --sort-by=.status.startTime'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'era5' }, '0x150'),
        series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'modis' }, '0+60x150'),
      ],
      firesWithin: '130m',
      alerts: [
        {
          labels: { source: 'era5' },
          description: 'Source era5 was last ingested successfully 2h 10m 0s ago (bound 2h).',
        },
      ],
    },
    healthy: {
      series: [
        series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'era5' }, '0+60x150'),
        series(metrics.malaria_data_last_success_timestamp_seconds, { source: 'modis' }, '0+60x150'),
      ],
    },
  },
});

export const cacheConnectionFailure = defineAlert({
  name: 'CacheConnectionFailure',
  severity: 'warning',
  category: 'infrastructure',
  dashboard: 'service',
  panel: 'latency',
  service,
  for: '2m',
  summary: 'The API cache (Redis) is unreachable.',
  description: 'The redis exporter cannot reach Redis (redis_up is 0) for 2 minutes.',
  expr: ({ sel }) => `min(${sel(metrics.redis_up)}) == 0`,
  runbook: {
    impact:
      'Without the cache every prediction is computed afresh: latency rises and the database load grows.',
    steps: ['Check the Redis pod and its memory (evictions, OOMKilled).', 'Restart it if it is wedged.'],
    kubectl: ['get pods -l app.kubernetes.io/name=redis'],
  },
  examples: {
    firing: { series: [series(metrics.redis_up, {}, '1x3 0x10')], firesWithin: '6m' },
    healthy: { series: [series(metrics.redis_up, {}, '1x13')] },
  },
});

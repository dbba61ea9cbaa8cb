/**
 * Info tier: worth knowing, not worth an interruption. Deployment notifications go to
 * #deployments; trends and capacity planning to the daily devops digest.
 */

import { defineAlert, series } from 'obsgen';
import api, { metrics } from '../slos/malaria-predictor-api.ts';

const service = api.name;
const predict = { handler: '/predict', method: 'POST' } as const;
const hpa = { horizontalpodautoscaler: 'malaria-predictor-api' } as const;
const pvc = { persistentvolumeclaim: 'data-malaria-predictor-api-0' } as const;

export const deploymentRolledOut = defineAlert({
  name: 'DeploymentRolledOut',
  severity: 'info',
  category: 'deployment',
  service,
  for: '0s',
  groupBy: ['version'],
  summary: 'A new version of the malaria prediction API is rolling out.',
  description: 'Version {{ $labels.version }} started serving in the last 15 minutes.',
  // A version that serves now but did not 15 minutes ago: fires once per rollout and resolves by
  // itself (also for the running version in the first 15 minutes of a Prometheus without history).
  expr: ({ sel }) =>
    [
      `count by (version) (${sel(metrics.malaria_build_info)})`,
      'unless',
      `count by (version) (${sel(metrics.malaria_build_info)} offset 15m)`,
    ].join('\n'),
  runbook: {
    impact: 'A notification, not a problem: it gives context to alerts that fire right after a deployment.',
    steps: [
      'Watch the error rate and latency on the service dashboard for the next 30 minutes.',
      'If alerts follow, compare with the previous version and roll back: `kubectl rollout undo deploy/malaria-predictor-api`.',
    ],
    kubectl: ['rollout status deploy/malaria-predictor-api', 'rollout history deploy/malaria-predictor-api'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.malaria_build_info, { version: '2.3.1', revision: '4f2a9c1' }, '1x19'),
        series(metrics.malaria_build_info, { version: '2.4.0', revision: '8be01d7' }, '_x20 1x20'),
      ],
      firesWithin: '21m',
      alerts: [
        {
          labels: { version: '2.4.0' },
          description: 'Version 2.4.0 started serving in the last 15 minutes.',
        },
      ],
    },
    healthy: {
      series: [series(metrics.malaria_build_info, { version: '2.3.1', revision: '4f2a9c1' }, '1x40')],
    },
  },
});

/**
 * Hourly cumulative bucket counts over two weeks: `lastWeek` per hour for the first 168 hours,
 * then `thisWeek` per hour, by bucket bound.
 */
const twoWeeks = (lastWeek: Readonly<Record<string, number>>, thisWeek: Readonly<Record<string, number>>) =>
  Object.keys(lastWeek).map((le) => {
    const a = lastWeek[le] ?? 0;
    const b = thisWeek[le] ?? 0;
    return series(
      metrics.http_request_duration_seconds,
      { ...predict, le },
      `0+${a}x168 ${168 * a + b}+${b}x167`,
      '_bucket',
    );
  });

export const latencyTrendWeekOverWeek = defineAlert({
  name: 'LatencyTrendWeekOverWeek',
  severity: 'info',
  category: 'latency',
  service,
  for: '1h',
  family: 'ApiLatency',
  // Two weeks of raw buckets per evaluation: every 5 minutes is plenty for a trend.
  interval: '5m',
  summary: 'The p95 response time of this week is more than 10% above last week.',
  description:
    'p95 response time over the last 7 days is {{ $value | humanize }} times that of the 7 days before.',
  expr: ({ sel }) => {
    const buckets = sel(metrics.http_request_duration_seconds, {}, '_bucket');
    return [
      `histogram_quantile(0.95, sum by (le) (rate(${buckets}[1w])))`,
      '/',
      `histogram_quantile(0.95, sum by (le) (rate(${buckets}[1w] offset 1w)))`,
      '> 1.1',
    ].join('\n');
  },
  runbook: {
    impact:
      'Nothing breaks yet; a steady slowdown eats the latency SLO later and hints at growing data or load.',
    steps: [
      'Compare the week-over-week request rate: more traffic at equal latency per request is capacity, not a regression.',
      'Look for the release that started the trend (DeploymentRolledOut in #deployments).',
      'Plan a profiling session or capacity change; no immediate action needed.',
    ],
  },
  examples: {
    firing: {
      interval: '1h',
      series: twoWeeks(
        { '0.25': 80, '0.5': 96, '1': 100, '2': 100, '+Inf': 100 },
        { '0.25': 60, '0.5': 80, '1': 98, '2': 100, '+Inf': 100 },
      ),
      firesWithin: '14d',
      // Last week's p95 is 0.484s, this week's 0.917s.
      alerts: [
        { description: 'p95 response time over the last 7 days is 1.892 times that of the 7 days before.' },
      ],
    },
    healthy: {
      interval: '1h',
      series: twoWeeks(
        { '0.25': 80, '0.5': 96, '1': 100, '2': 100, '+Inf': 100 },
        { '0.25': 80, '0.5': 96, '1': 100, '2': 100, '+Inf': 100 },
      ),
    },
  },
});

export const hpaAtMaxReplicas = defineAlert({
  name: 'HpaAtMaxReplicas',
  severity: 'info',
  category: 'capacity',
  service,
  for: '15m',
  groupBy: ['horizontalpodautoscaler'],
  summary: 'An autoscaler has been running at its maximum replicas.',
  description:
    'HPA {{ $labels.horizontalpodautoscaler }} has run {{ $value }} replicas, its maximum, for 15 minutes: it cannot absorb more load.',
  expr: ({ sel }) =>
    [
      `max by (horizontalpodautoscaler) (${sel(metrics.kube_horizontalpodautoscaler_status_current_replicas)})`,
      '>=',
      `max by (horizontalpodautoscaler) (${sel(metrics.kube_horizontalpodautoscaler_spec_max_replicas)})`,
    ].join('\n'),
  runbook: {
    impact: 'The next traffic peak has no headroom: latency and errors follow when load grows further.',
    steps: [
      'Check whether the load is expected (seasonal outbreak reports drive traffic).',
      'Raise maxReplicas if the cluster has room, or make requests cheaper.',
    ],
    kubectl: ['get hpa', 'describe hpa malaria-predictor-api'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.kube_horizontalpodautoscaler_status_current_replicas, hpa, '4x10 10x30'),
        series(metrics.kube_horizontalpodautoscaler_spec_max_replicas, hpa, '10x40'),
      ],
      firesWithin: '30m',
      alerts: [
        {
          labels: hpa,
          description:
            'HPA malaria-predictor-api has run 10 replicas, its maximum, for 15 minutes: it cannot absorb more load.',
        },
      ],
    },
    healthy: {
      series: [
        series(metrics.kube_horizontalpodautoscaler_status_current_replicas, hpa, '4x40'),
        series(metrics.kube_horizontalpodautoscaler_spec_max_replicas, hpa, '10x40'),
      ],
    },
  },
});

export const diskWillFillIn7Days = defineAlert({
  name: 'DiskWillFillIn7Days',
  severity: 'info',
  category: 'capacity',
  panel: 'disk',
  service,
  for: '1h',
  groupBy: ['persistentvolumeclaim'],
  family: 'DiskUsage',
  summary: 'A persistent volume will be full within 7 days at its current growth.',
  description:
    'Volume {{ $labels.persistentvolumeclaim }} is more than half full and, at the growth of the last day, runs out of space within 7 days.',
  // Only volumes already half full: a fresh volume filling from zero is not a capacity problem.
  expr: ({ sel }) =>
    [
      `min by (persistentvolumeclaim) (predict_linear(${sel(metrics.kubelet_volume_stats_available_bytes)}[1d], 7 * 86400)) < 0`,
      'and',
      `sum by (persistentvolumeclaim) (${sel(metrics.kubelet_volume_stats_used_bytes)})`,
      '/',
      `sum by (persistentvolumeclaim) (${sel(metrics.kubelet_volume_stats_capacity_bytes)})`,
      '> 0.5',
    ].join('\n'),
  runbook: {
    impact:
      'Nothing fails yet; without action the volume fills (HighDiskUsage, then failed writes) within a week.',
    steps: [
      'Check what grows on the volume and whether retention of raw downloads works.',
      'Plan an expansion or a cleanup before the week is over.',
    ],
    kubectl: ['get pvc'],
  },
  examples: {
    firing: {
      interval: '10m',
      series: [
        series(metrics.kubelet_volume_stats_available_bytes, pvc, '400-2x30'),
        series(metrics.kubelet_volume_stats_used_bytes, pvc, '600+2x30'),
        series(metrics.kubelet_volume_stats_capacity_bytes, pvc, '1000x30'),
      ],
      firesWithin: '2h',
      alerts: [
        {
          labels: pvc,
          description:
            'Volume data-malaria-predictor-api-0 is more than half full and, at the growth of the last day, runs out of space within 7 days.',
        },
      ],
    },
    healthy: {
      interval: '10m',
      series: [
        series(metrics.kubelet_volume_stats_available_bytes, pvc, '400x30'),
        series(metrics.kubelet_volume_stats_used_bytes, pvc, '600x30'),
        series(metrics.kubelet_volume_stats_capacity_bytes, pvc, '1000x30'),
      ],
    },
  },
});

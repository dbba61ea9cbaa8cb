/**
 * Dashboards of the malaria prediction API beside its SLO dashboards: service (RED),
 * infrastructure of its pods, and business indicators.
 */

import { agePanel, defineDashboards, nre, ratePanel, re, select, valuePanel } from 'obsgen';
import { metrics } from '../slos/malaria-predictor-api.ts';

/** cAdvisor also reports pod-level (`container=""`) and pause-container (`POD`) series: skip them. */
const containers = { container: nre('POD|') } as const;

export default defineDashboards({
  service: 'malaria-predictor-api',
  red: {
    requests: select(metrics.http_requests_total),
    errors: select(metrics.http_requests_total, { status: re('5..') }),
    duration: select(metrics.http_request_duration_seconds),
    by: 'handler',
    quantiles: [0.5, 0.95, 0.99],
    // The critical "error rate above 5%" and warning "p95 above 2s" alerts of the catalog.
    errorRatioThreshold: 0.05,
    latencyThreshold: 2,
  },
  infrastructure: {
    cpu: {
      usage: select(metrics.container_cpu_usage_seconds_total, containers),
      limit: select(metrics.kube_pod_container_resource_limits, { resource: 'cpu' }),
    },
    memory: {
      usage: select(metrics.container_memory_working_set_bytes, containers),
      limit: select(metrics.kube_pod_container_resource_limits, { resource: 'memory' }),
    },
    disk: {
      usage: select(metrics.kubelet_volume_stats_used_bytes),
      limit: select(metrics.kubelet_volume_stats_capacity_bytes),
      by: 'persistentvolumeclaim',
    },
    network: {
      receive: select(metrics.container_network_receive_bytes_total),
      transmit: select(metrics.container_network_transmit_bytes_total),
    },
    threshold: 0.8,
  },
  business: {
    rows: [
      {
        title: 'Model and data',
        panels: [
          valuePanel({
            key: 'model-accuracy',
            title: 'Model accuracy by model',
            description: 'Accuracy of the serving model on the validation set.',
            series: select(metrics.malaria_model_accuracy),
            by: ['model'],
            aggregate: 'min',
            unit: 'percentunit',
          }),
          agePanel({
            key: 'data-freshness',
            title: 'Data age by source',
            description: 'Time since the last successful ingestion of ERA5, MODIS and MAP data.',
            timestamp: select(metrics.malaria_data_last_success_timestamp_seconds),
            by: ['source'],
            maxAge: '2h',
          }),
          ratePanel({
            key: 'prediction-volume',
            title: 'Predictions served per second',
            description: 'Successful requests to the prediction endpoints.',
            counter: select(metrics.http_requests_total, { handler: re('/predict.*'), status: re('2..') }),
            by: ['handler'],
            unit: 'reqps',
          }),
        ],
      },
    ],
  },
});

/**
 * Critical tier: the API is down or failing, its database is unreachable, or its predictions got
 * worse. Pages the on-call in production; staging sends them to #alerts.
 */

import { defineAlert, fromEnv, re, series } from 'obsgen';
import api, { metrics } from '../slos/malaria-predictor-api.ts';

const service = api.name;
const predict = { handler: '/predict', method: 'POST' } as const;

export const apiDown = defineAlert({
  name: 'ApiDown',
  severity: 'critical',
  category: 'availability',
  service,
  for: '2m',
  summary: 'The malaria prediction API is down.',
  description:
    'The readiness probe of the API fails, or no malaria-predictor-api target is up, for 2 minutes: clients get no predictions.',
  expr: ({ sel }) =>
    [
      `max(${sel(metrics.probe_success, { instance: fromEnv('probeTarget') })}) == 0`,
      'or',
      `(max(${sel(metrics.up, { job: 'malaria-predictor-api' })}) or vector(0)) == 0`,
    ].join('\n'),
  runbook: {
    impact:
      'Every client (health ministries, partner dashboards) gets errors or timeouts; no outbreak predictions are served.',
    steps: [
      'Check whether the pods run and are ready (`get pods`); a crash loop shows in `describe pod` and the logs.',
      'If a rollout just happened, compare with the previous revision and roll back: `kubectl rollout undo deploy/malaria-predictor-api`.',
      'If the pods are ready but the probe fails, check the ingress and the readiness endpoint from inside the cluster.',
    ],
    kubectl: ['rollout status deploy/malaria-predictor-api', 'describe deploy/malaria-predictor-api'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.probe_success, { instance: fromEnv('probeTarget') }, '1x5 0x10'),
        series(metrics.up, { job: 'malaria-predictor-api' }, '1x15'),
      ],
      firesWithin: '9m',
    },
    healthy: {
      series: [
        series(metrics.probe_success, { instance: fromEnv('probeTarget') }, '1x15'),
        series(metrics.up, { job: 'malaria-predictor-api' }, '1x15'),
      ],
    },
  },
});

export const highErrorRate = defineAlert({
  name: 'HighErrorRate',
  severity: 'critical',
  category: 'errors',
  service,
  for: '2m',
  summary: 'More than 5% of API requests fail with a 5xx status.',
  description:
    '{{ $value | humanizePercentage }} of requests failed with a 5xx status over the last 5 minutes (threshold 5%).',
  expr: ({ sel }) =>
    [
      `sum(rate(${sel(metrics.http_requests_total, { status: re('5..') })}[5m]))`,
      '/',
      `sum(rate(${sel(metrics.http_requests_total)}[5m]))`,
      '> 0.05',
    ].join('\n'),
  runbook: {
    impact:
      'One request in twenty or more fails: predictions are missing for clients, and the error-rate SLO budget (0.5%) burns ten times faster than it may.',
    steps: [
      'Find the failing handler and status: `sum by (handler, status) (rate(http_requests_total{status=~"5.."}[5m]))`.',
      'Check the logs for exceptions and the database and cache alerts (DatabaseConnectionFailure, CacheConnectionFailure).',
      'If it started with a deployment, roll back.',
    ],
    kubectl: ['rollout history deploy/malaria-predictor-api'],
  },
  examples: {
    firing: {
      series: [
        series(metrics.http_requests_total, { ...predict, status: '200' }, '0+540x20'),
        series(metrics.http_requests_total, { ...predict, status: '503' }, '0+60x20'),
      ],
      firesWithin: '6m',
      alerts: [
        {
          description: '10% of requests failed with a 5xx status over the last 5 minutes (threshold 5%).',
        },
      ],
    },
    healthy: {
      series: [
        series(metrics.http_requests_total, { ...predict, status: '200' }, '0+594x20'),
        series(metrics.http_requests_total, { ...predict, status: '503' }, '0+6x20'),
      ],
    },
  },
});

export const databaseConnectionFailure = defineAlert({
  name: 'DatabaseConnectionFailure',
  severity: 'critical',
  category: 'infrastructure',
  dashboard: 'service',
  panel: 'errors',
  service,
  for: '1m',
  summary: 'The API database (PostgreSQL) is unreachable.',
  description: 'The postgres exporter cannot reach the database (pg_up is 0) for 1 minute.',
  expr: ({ sel }) => `min(${sel(metrics.pg_up)}) == 0`,
  runbook: {
    impact:
      'Predictions and ingestion need the database: requests fail and new climate data cannot be stored.',
    steps: [
      'Check the database pod or managed instance status and its recent events.',
      'Check the connection limits and credentials (a rotated secret shows as authentication errors in the exporter logs).',
    ],
    kubectl: ['get pods -l app.kubernetes.io/name=postgresql', 'logs deploy/postgres-exporter --since=30m'],
  },
  examples: {
    firing: { series: [series(metrics.pg_up, {}, '1x3 0x10')], firesWithin: '6m' },
    healthy: { series: [series(metrics.pg_up, {}, '1x13')] },
  },
});

export const modelAccuracyDrop = defineAlert({
  name: 'ModelAccuracyDrop',
  severity: 'critical',
  category: 'business',
  service,
  panel: 'model-accuracy',
  for: '15m',
  groupBy: ['model'],
  summary: 'The accuracy of a prediction model dropped by more than 5 points.',
  description:
    'Accuracy of model {{ $labels.model }} is {{ $value | humanizePercentage }} (absolute) below its best of the last 24 hours.',
  expr: ({ sel }) =>
    [
      `max by (model) (max_over_time(${sel(metrics.malaria_model_accuracy)}[1d]))`,
      '-',
      `max by (model) (${sel(metrics.malaria_model_accuracy)})`,
      '> 0.05',
    ].join('\n'),
  runbook: {
    impact:
      'Outbreak predictions are less reliable: health authorities may send resources to the wrong districts.',
    steps: [
      'Check whether a new model version was deployed or retrained in the last day (DeploymentRolledOut, model registry).',
      'Check the input data: a stale or broken source (DataStale) degrades accuracy.',
      'If the new model is worse, pin the previous model version.',
    ],
  },
  examples: {
    firing: {
      series: [series(metrics.malaria_model_accuracy, { model: 'xgb-v3' }, '0.92x30 0.84x30')],
      firesWithin: '50m',
      alerts: [
        {
          labels: { model: 'xgb-v3' },
          description: 'Accuracy of model xgb-v3 is 8% (absolute) below its best of the last 24 hours.',
        },
      ],
    },
    healthy: { series: [series(metrics.malaria_model_accuracy, { model: 'xgb-v3' }, '0.92x30 0.90x30')] },
  },
});

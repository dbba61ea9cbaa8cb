/**
 * Environment settings of the project: namespaces, paging, per-environment values and the rule
 * selector labels. The one place where environments differ.
 */
import { defineEnvironment } from '../src/model/index.ts';

const runbookBaseUrl =
  'https://github.com/malaria-prediction/malaria-predictor-api/blob/main/generated/runbooks';
const grafanaBaseUrl = 'https://grafana.malaria-prediction.com';

export const staging = defineEnvironment({
  name: 'staging',
  namespace: 'malaria-prediction-staging',
  paging: false,
  vars: { probeTarget: 'https://api-staging.malaria-prediction.com/health/readiness' },
  runbookBaseUrl,
  grafanaBaseUrl,
  ruleSelectorLabels: { release: 'kube-prometheus-stack' },
});

export const production = defineEnvironment({
  name: 'production',
  namespace: 'malaria-prediction-production',
  paging: true,
  vars: { probeTarget: 'https://api.malaria-prediction.com/health/readiness' },
  runbookBaseUrl,
  grafanaBaseUrl,
  ruleSelectorLabels: { release: 'kube-prometheus-stack' },
});

export const environments = [staging, production] as const;

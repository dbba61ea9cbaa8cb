/**
 * The deploy gate as Kubernetes objects: an Argo Rollouts AnalysisTemplate per service and
 * environment and a Flagger MetricTemplate per decision, with the gate's own queries and
 * thresholds (src/compile/prometheus/gate.ts), so `obsgen gate` and a controller decide alike.
 * The new version's series are those whose `version` label holds the analysis argument (Argo
 * `{{args.version}}`, Flagger `{{ variables.version }}`).
 */
import {
  burnRateQuery,
  GATE_MAX_DEGRADATION,
  GATE_WINDOW_SECONDS,
  maxBurnRate,
  p95RatioQuery,
} from '../../compile/prometheus/gate.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { formatSeconds } from '../../model/units.ts';
import type { AnalysisMetric, AnalysisTemplateObject, MetricTemplateObject } from './types.ts';

/** The pod label that tells versions apart in the analysis objects. */
export const ROLLOUT_VERSION_LABEL = 'version';
/**
 * Prometheus address written into the objects: kube-prometheus-stack's `prometheus-operated`
 * service in a `monitoring` namespace. Argo's `prometheus-address` argument overrides it; a
 * Flagger MetricTemplate is patched (kustomize) where Prometheus lives elsewhere.
 */
export const ROLLOUT_PROMETHEUS_ADDRESS = 'http://prometheus-operated.monitoring.svc:9090';
/** Measurements per window: a 2m window is measured every 30s. */
const MEASUREMENTS = 4;
/** Annotation of a MetricTemplate with the largest passing value (a Canary's thresholdRange.max). */
export const THRESHOLD_ANNOTATION = 'obsgen/threshold-range-max';

/** One gate decision: its metric name, query and the largest value that passes. */
export interface RolloutCheck {
  readonly name: string;
  readonly query: string;
  readonly max: number;
}

/** The gate's decisions for a service in an environment, with `version`/`baseline` placeholders. */
export function rolloutChecks(
  svc: ResolvedService,
  env: Environment,
  version: string,
  baseline: string,
): RolloutCheck[] {
  const fresh = { label: ROLLOUT_VERSION_LABEL, value: version };
  const old = { label: ROLLOUT_VERSION_LABEL, value: baseline };
  return svc.slos.flatMap((slo) => {
    const burn: RolloutCheck = {
      name: `${slo.id}-burn-rate`,
      query: burnRateQuery(svc, slo, env, GATE_WINDOW_SECONDS, fresh),
      max: maxBurnRate(slo.windows),
    };
    const ratio = p95RatioQuery(slo, env, GATE_WINDOW_SECONDS, fresh, old);
    return ratio
      ? [burn, { name: `${slo.id}-p95-degradation`, query: ratio, max: 1 + GATE_MAX_DEGRADATION }]
      : [burn];
  });
}

const ARGS = { version: '{{args.version}}', baseline: '{{args.baseline-version}}' };

/** The AnalysisTemplate: one metric per decision; no data is inconclusive, as "cannot decide". */
export function toAnalysisTemplate(
  svc: ResolvedService,
  env: Environment,
  labels: Readonly<Record<string, string>>,
): AnalysisTemplateObject {
  const checks = rolloutChecks(svc, env, ARGS.version, ARGS.baseline);
  const usesBaseline = checks.some((c) => c.query.includes(ARGS.baseline));
  const metrics = checks.map(
    (check): AnalysisMetric => ({
      name: check.name,
      interval: formatSeconds(GATE_WINDOW_SECONDS / MEASUREMENTS),
      count: MEASUREMENTS,
      successCondition: `len(result) > 0 && result[0] <= ${check.max}`,
      failureCondition: `len(result) > 0 && result[0] > ${check.max}`,
      failureLimit: 0,
      provider: { prometheus: { address: '{{args.prometheus-address}}', query: check.query } },
    }),
  );
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: `${svc.name}-slo-gate`, namespace: env.namespace, labels: { ...labels } },
    spec: {
      args: [
        { name: 'version' },
        ...(usesBaseline ? [{ name: 'baseline-version' }] : []),
        { name: 'prometheus-address', value: ROLLOUT_PROMETHEUS_ADDRESS },
      ],
      metrics,
    },
  };
}

/** Flagger MetricTemplates: one per decision; its threshold goes into the Canary's thresholdRange. */
export function toMetricTemplates(
  svc: ResolvedService,
  env: Environment,
  labels: Readonly<Record<string, string>>,
): MetricTemplateObject[] {
  return rolloutChecks(svc, env, '{{ variables.version }}', '{{ variables.baseline }}').map((check) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: {
      name: `${svc.name}-${check.name}`,
      namespace: env.namespace,
      labels: { ...labels },
      annotations: { [THRESHOLD_ANNOTATION]: String(check.max) },
    },
    spec: { provider: { type: 'prometheus', address: ROLLOUT_PROMETHEUS_ADDRESS }, query: check.query },
  }));
}

import { DEFAULT_CLUSTER_LABEL } from '../conventions.ts';
import type { KubernetesSpec } from './kubernetes.ts';
import type { MetricContract } from './metrics.ts';
import type { AlertRouting } from './routing.ts';
import type { Slo } from './slo.ts';
import type { Duration } from './units.ts';

/** One deployment environment (staging, production) and everything that differs per environment. */
export interface EnvironmentSpec {
  /** Name, the `environment` label: lower-case kebab. */
  readonly name: string;
  /** Kubernetes namespace of the service; every selector carries `namespace="<this>"`. */
  readonly namespace: string;
  /** Whether critical alerts page a human here. Staging never pages. @default false */
  readonly paging?: boolean;
  /** Extra matchers added to every selector of this environment (`cluster`). @default {} */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /** Named values selectors and raw SLIs can use (`probeTarget`). @default {} */
  readonly vars?: Readonly<Record<string, string>>;
  /** Base URL of the runbooks; `runbook_url` is `<base>/<service>/<AlertName>.md`. */
  readonly runbookBaseUrl: string;
  /** Base URL of Grafana; `dashboard_url` is `<base>/d/<uid>/...`. */
  readonly grafanaBaseUrl: string;
  /**
   * Labels the Prometheus rule selector matches, set on the PrometheusRule objects; presets in
   * `RULE_SELECTOR_LABELS` (`kubePrometheusStack`, `kubePrometheus`).
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly ruleSelectorLabels?: Readonly<Record<string, string>>;
  /** How generated/kubernetes/<env>/ is written (dashboard folder, operators' selectors, secrets). @default {} */
  readonly kubernetes?: KubernetesSpec;
  /**
   * The environment spans several clusters whose series one Prometheus-compatible ruler reads
   * together (Thanos, Mimir, a federating Prometheus), told apart by a label. With it every SLI
   * recording rule keeps that label (`sum by (cluster, ...)`), so no two clusters' events are
   * summed, and every dashboard of the environment gets a `cluster` variable its queries filter
   * by. @default none: one cluster (or `selectorLabels` pins one), series summed over all the
   * selectors match
   */
  readonly clusters?: ClustersSpec;
  /**
   * How this environment's alerts reach people: receivers, route tree, time intervals. Without it
   * no Alertmanager configuration is generated for the environment. Paging receivers are used only
   * where `paging` is true. @default none
   */
  readonly alerting?: AlertRouting;
}

/** How an environment spanning several clusters is evaluated (`EnvironmentSpec.clusters`). */
export interface ClustersSpec {
  /** Label naming the cluster on every raw series (an external label, usually). @default 'cluster' */
  readonly label?: string;
  /**
   * Where burn alerts fire. `per-cluster`: one alert per cluster, on that cluster's error ratio,
   * so an outage in one cluster pages for that cluster only. `global`: one alert on the error
   * ratio of all clusters together (their bad events over their total), for a service whose users
   * are served by any cluster; the recorded series still keep the label. @default 'per-cluster'
   */
  readonly aggregate?: 'per-cluster' | 'global';
}

export type Environment = Readonly<EnvironmentSpec>;

/** The cluster label of an environment that spans clusters, else undefined. */
export const clusterLabelOf = (env: Environment): string | undefined =>
  env.clusters ? (env.clusters.label ?? DEFAULT_CLUSTER_LABEL) : undefined;

/** Whether burn alerts fire on the sum over all clusters (only with `clusters`). */
export const alertsAcrossClusters = (env: Environment): boolean => env.clusters?.aggregate === 'global';

/**
 * Labels an SLO's recorded series keep in an environment: the cluster label (when it spans
 * clusters), then the SLO's own `groupBy`.
 */
export function recordedLabels(groupBy: readonly string[], env: Environment): readonly string[] {
  const cluster = clusterLabelOf(env);
  return cluster === undefined ? groupBy : [cluster, ...groupBy.filter((l) => l !== cluster)];
}

/** Declares an environment. */
export function defineEnvironment<const E extends EnvironmentSpec>(spec: E): E {
  return Object.freeze(spec);
}

/** How a service is written in a definition file. */
export interface ServiceSpec {
  /** Service name, the `service` label: lower-case kebab. */
  readonly name: string;
  /** Owning team, shown in runbooks and escalation. */
  readonly team: string;
  /** One sentence on what the service does. @default '' */
  readonly description?: string;
  /** Environments the service runs in; rules are generated for each. */
  readonly environments: readonly Environment[];
  /** The metric contract: every metric the service and its exporters expose. */
  readonly metrics: MetricContract;
  /** The SLOs. */
  readonly slos: readonly Slo[];
  /** Prometheus scrape interval of the service's targets; windows are never shorter than 4 of them. @default '30s' */
  readonly scrapeInterval?: Duration;
  /** Rule evaluation interval of the generated groups. @default '30s' */
  readonly evaluationInterval?: Duration;
}

export type Service = Readonly<ServiceSpec>;

/** Marks a value as a service definition for the loader. */
export const SERVICE_KIND = 'obsgen.dev/Service';

/** Declares a service; definition files export its result. */
export function defineService<const S extends ServiceSpec>(
  spec: S,
): S & { readonly kind: typeof SERVICE_KIND } {
  return Object.freeze({ kind: SERVICE_KIND, ...spec });
}

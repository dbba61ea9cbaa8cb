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
  /**
   * What evaluates this environment's rules. `prometheus` loads generated/prometheus/<env>/;
   * `vmalert` (VictoriaMetrics) loads the same files; `thanos-ruler` loads
   * generated/thanos-ruler/<env>/ (groups with `partial_response_strategy`); `mimir` is the
   * Grafana Mimir ruler, and the Cortex ruler too, which reads the same format: generated/mimir/<env>/<tenant>/<namespace>.yaml,
   * loaded per tenant with `mimirtool rules sync` (or `cortextool`). Annotations may use only the
   * template functions the engine defines.
   * @default 'prometheus'
   */
  readonly engine?: RuleEngine;
  /** Settings of the engine that evaluates the rules; each is refused where the engine has no use for it. @default {} */
  readonly ruler?: RulerSpec;
}

/** The rule engines obsgen compiles for. */
export const RULE_ENGINES = ['prometheus', 'vmalert', 'thanos-ruler', 'mimir'] as const;

/** An engine evaluating rule groups: Prometheus, vmalert, Thanos Ruler, or the Mimir (Cortex) ruler. */
export type RuleEngine = (typeof RULE_ENGINES)[number];

/** Settings of the rule engine of an environment (`EnvironmentSpec.ruler`). */
export interface RulerSpec {
  /**
   * How far behind the evaluation time every query of a group reads, so samples that arrive late
   * through remote write are there: the group's `query_offset`. Accepted for `thanos-ruler` and
   * `mimir` (versions built on Prometheus 2.53 or later); refused for `prometheus` (promtool 2.42
   * rejects the field, and a Prometheus reads its own samples) and for `vmalert` (its groups have
   * no such field: start it with `-datasource.lookback`). Delays every alert by as much.
   * @default none
   */
  readonly queryOffset?: Duration;
  /**
   * Thanos Ruler only: what a group's queries do when a store does not answer: `abort` fails the
   * evaluation (no alert from half the data, and no recorded ratio of half the traffic, which the
   * alerts read), `warn` evaluates what did answer. Set on every group.
   * @default 'abort'
   */
  readonly partialResponseStrategy?: 'warn' | 'abort';
  /**
   * Mimir only: the tenant (`X-Scope-OrgID`, `mimirtool --id`) the rules are loaded into, the
   * folder under generated/mimir/<env>/. Lower-case kebab or any tenant ID Mimir accepts
   * (letters, digits, `!-_.*'()`).
   * @default the service's team
   */
  readonly tenant?: string;
  /**
   * Mimir only: the rule namespace the groups are loaded into (the file name, and its
   * `namespace:` field). Services sharing a tenant and namespace share one file.
   * @default the service's name
   */
  readonly namespace?: string;
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

/**
 * How an environment's manifests under generated/kubernetes/<env>/ are written: where dashboards
 * go, which labels the operators select by, where receiver secrets live. Every field is optional.
 */

/** grafana-operator (v5): a GrafanaDashboard per dashboard, reading the dashboard's ConfigMap. */
export interface GrafanaOperatorSpec {
  /** Labels of the Grafana resources that import the dashboards (`spec.instanceSelector.matchLabels`). */
  readonly instanceSelector: Readonly<Record<string, string>>;
  /**
   * Let Grafana resources in other namespaces import them (`spec.allowCrossNamespaceImport`);
   * needed when Grafana does not run in the dashboards' namespace. @default false
   */
  readonly allowCrossNamespaceImport?: boolean;
}

/** Kubernetes settings of an environment. */
export interface KubernetesSpec {
  /**
   * Grafana folder of the dashboards: the value of the folder annotations on their ConfigMaps and
   * the GrafanaDashboard's `folder`. @default the service name
   */
  readonly dashboardFolder?: string;
  /**
   * Namespace of the dashboard ConfigMaps (and GrafanaDashboards), when the Grafana sidecar
   * searches only its own namespace. @default the environment's namespace
   */
  readonly dashboardNamespace?: string;
  /** Also write a grafana-operator GrafanaDashboard per dashboard. @default none */
  readonly grafanaOperator?: GrafanaOperatorSpec;
  /**
   * Labels on the AlertmanagerConfig, for an Alertmanager whose `alertmanagerConfigSelector`
   * selects by label. @default {}
   */
  readonly alertmanagerConfigLabels?: Readonly<Record<string, string>>;
  /**
   * Directory under which receiver secret files live as `<dir>/<secret>/<key>` (where the
   * Prometheus operator mounts an Alertmanager's `spec.secrets`); the AlertmanagerConfig refers to
   * Secret `<secret>`, key `<key>`, in its own namespace. @default '/etc/alertmanager/secrets'
   */
  readonly secretsDir?: string;
}

/** A Secret key, as the operator reads it from the AlertmanagerConfig's namespace. */
export interface SecretRef {
  readonly name: string;
  readonly key: string;
}

/**
 * The Secret holding a secret file: `<secretsDir>/<secret>/<key>`, the layout the operator gives
 * an Alertmanager's mounted `spec.secrets`. Undefined when the path does not follow it (validation
 * reports that before anything is compiled).
 */
export function secretOfFile(file: string, secretsDir: string): SecretRef | undefined {
  const prefix = `${secretsDir.replace(/\/+$/, '')}/`;
  if (!file.startsWith(prefix)) return undefined;
  const parts = file.slice(prefix.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { name: parts[0], key: parts[1] };
}

/**
 * Names several targets share: rule and label names, alert and dashboard vocabulary, file names.
 * Compilers, checks and dashboards import these instead of spelling names themselves. Policy with
 * one user lives beside it (the burn-rate table in src/model/windows.ts). No imports: every stage
 * may read it.
 */
/** The no-data alert waits this long: a scrape hiccup must not open a ticket. */
export const NO_DATA_FOR_SECONDS = 600;
export const DEFAULT_SCRAPE_INTERVAL = '30s';
export const DEFAULT_EVALUATION_INTERVAL = '30s';
/** Label telling clusters apart in an environment that spans several (`clusters.label`). */
export const DEFAULT_CLUSTER_LABEL = 'cluster';
export const DEFAULT_RULE_SELECTOR_LABELS: Readonly<Record<string, string>> = {
  release: 'kube-prometheus-stack',
};

/**
 * Label sets Prometheus rule selectors commonly match, for an environment's `ruleSelectorLabels`:
 * the kube-prometheus-stack Helm chart selects its release label, kube-prometheus (jsonnet)
 * `prometheus: k8s` and `role: alert-rules`.
 */
export const RULE_SELECTOR_LABELS = {
  kubePrometheusStack: DEFAULT_RULE_SELECTOR_LABELS,
  kubePrometheus: { prometheus: 'k8s', role: 'alert-rules' },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

/** Label keys set on generated series and alerts. */
export const LABEL = {
  slo: 'slo',
  service: 'service',
  environment: 'environment',
  severity: 'severity',
  category: 'category',
  longWindow: 'long_window',
  shortWindow: 'short_window',
  burnFactor: 'burn_factor',
  /** Alerts describing one symptom at different severities share it; inhibition matches on it. */
  alertFamily: 'alert_family',
  /**
   * The environment's namespace, on every alert: the Prometheus operator routes alerts through a
   * namespace's AlertmanagerConfig only when they carry that namespace.
   */
  namespace: 'namespace',
} as const;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Severity of an alert meant for no human: the always-firing heartbeat (Watchdog), which only a
 * dead-man's-switch receiver reads. kube-prometheus and kube-prometheus-stack label their Watchdog
 * and InfoInhibitor so; their default inhibit rules (critical mutes warning|info, InfoInhibitor
 * mutes info per namespace) never take it as a target, so the heartbeat keeps sounding while the
 * namespace is quiet. No tier route, family inhibition or digest matches it.
 */
export const HEARTBEAT_SEVERITY = 'none';
/** What an alert's `severity` label may be: a tier, or the heartbeat's `none`. */
export const ALERT_SEVERITIES = [...SEVERITIES, HEARTBEAT_SEVERITY] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const CATEGORIES = [
  'slo',
  'availability',
  'errors',
  'latency',
  'business',
  'data',
  'infrastructure',
  'deployment',
  'capacity',
  'security',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * Recording rule names, `level:metric:operations`. The `slo:` level holds one series per SLO (and
 * group); `sli_bad`/`sli_total` over the base window are the only rules that read raw series.
 */
export const RECORD = {
  /** Bad events over the base window (per second for counters, sample count for time-based SLIs). */
  bad: (window: string) => `slo:sli_bad:rate${window}`,
  /** All events over the base window, same unit as `bad`. */
  total: (window: string) => `slo:sli_total:rate${window}`,
  /** Error ratio over a window (the Sloth name, so existing dashboards keep working). */
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  periodDays: 'slo:time_period:days',
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
} as const;

/** `error-rate` -> `ErrorRate`. */
export const pascalCase = (id: string): string =>
  id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Burn alert of an SLO: one name, one rule per window pair told apart by the window labels. */
export const burnAlertName = (sloId: string): string => `${pascalCase(sloId)}BudgetBurn`;
/** Warning when the SLI series are absent. */
export const noDataAlertName = (sloId: string): string => `${pascalCase(sloId)}SliNoData`;

/** Rule group names per service and SLO. */
export const GROUP = {
  sli: (service: string, slo: string) => `${service}-${slo}-sli`,
  meta: (service: string, slo: string) => `${service}-${slo}-meta`,
  alerts: (service: string, slo: string) => `${service}-${slo}-alerts`,
  /**
   * Alert catalog rules of one category (`malaria-predictor-api-latency`); rules evaluated at
   * another interval than the service's get their own group (`malaria-predictor-api-latency-5m`).
   */
  catalog: (service: string, category: string, interval?: string) =>
    interval === undefined ? `${service}-${category}` : `${service}-${category}-${interval}`,
} as const;

/** Grafana limits uids to 40 characters. */
const MAX_UID = 40;

/** FNV-1a (32 bit) of a string as 8 hex digits: stable across runs and platforms, no imports. */
export const shortHash = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
};

/**
 * A Grafana uid from a longer name: unchanged when it fits, else cut and suffixed with a hash of
 * the whole name, so two names sharing their first 31 characters still get different uids.
 */
export const dashboardUid = (text: string): string => {
  if (text.length <= MAX_UID) return text;
  const suffix = shortHash(text);
  return `${text.slice(0, MAX_UID - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
};

/**
 * Stable dashboard uids, so `dashboard_url` links survive regeneration; one per environment, so
 * one Grafana can load the dashboards of staging and production side by side.
 */
export const DASHBOARD_UID = {
  sloOverview: (service: string, environment: string) => dashboardUid(`${service}-${environment}-slos`),
  sloDetail: (service: string, slo: string, environment: string) =>
    dashboardUid(`${service}-${environment}-slo-${slo}`),
  service: (service: string, environment: string) => dashboardUid(`${service}-${environment}-red`),
  infrastructure: (service: string, environment: string) => dashboardUid(`${service}-${environment}-infra`),
  business: (service: string, environment: string) => dashboardUid(`${service}-${environment}-business`),
} as const;

/** Title of a dashboard: `<service> / <what> (<environment>)`, unique per environment. */
export const dashboardTitle = (service: string, what: string, environment: string): string =>
  `${service} / ${what} (${environment})`;

/** Grafana folder of a service's dashboards in an environment (unless the environment names one). */
export const dashboardFolder = (service: string, environment: string): string => `${service}-${environment}`;

/** First line of every generated file whose format has comments. */
export const GENERATED_HEADER = 'generated by obsgen, do not edit';

/** Which dashboard an alert's `dashboard_url` opens, by category (a definition may override it). */
export type DashboardKind = Exclude<keyof typeof DASHBOARD_UID, 'sloDetail'>;

/**
 * `path` below a base URL, joined as a URL: the base's own query and fragment never end up in the
 * middle of the link (`?token=X/ApiDown.md`), a trailing slash is not doubled.
 */
export function urlUnder(base: string, path: string, query?: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  url.search = query ?? '';
  url.hash = '';
  return url.href;
}

/** `dashboard_url` of an alert: the dashboard with the environment preselected. */
export const dashboardUrl = (grafanaBaseUrl: string, uid: string, environment: string): string =>
  urlUnder(grafanaBaseUrl, `d/${uid}`, `var-environment=${environment}`);

/**
 * File of an alert's runbook under generated/runbooks/ and below `runbookBaseUrl`, keyed by
 * service: two services with an SLO of the same id never share (or rename) a runbook.
 */
export const runbookFile = (service: string, alertName: string): string => `${service}/${alertName}.md`;

/** Alertmanager grouping and timing of one branch of the route tree. */
export interface RouteTiming {
  /** Labels notifications are grouped by. */
  readonly groupBy?: readonly string[];
  /** Wait before the first notification of a new group (collects alerts that fire together). */
  readonly groupWait?: `${number}${'s' | 'm' | 'h' | 'd'}`;
  /** Wait before notifying about alerts added to a group that was already notified. */
  readonly groupInterval?: `${number}${'s' | 'm' | 'h' | 'd'}`;
  /** Wait before repeating a notification for alerts still firing. */
  readonly repeatInterval?: `${number}${'s' | 'm' | 'h' | 'd'}`;
}

/**
 * Timing per tier. Critical: out within seconds, repeated hourly while it fires. Warning: within
 * minutes, repeated every 4h (response within 30 min). Info: one digest per service and day
 * (group_interval and repeat_interval of 24h). Deployment notifications go out at once and are not
 * repeated. The Watchdog is a heartbeat: the receiver expects it every few minutes.
 */
export const TIER_TIMING = {
  default: {
    groupBy: ['alertname', 'environment', 'service'],
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
  },
  critical: {
    groupBy: ['alertname', 'environment', 'service'],
    groupWait: '10s',
    groupInterval: '1m',
    repeatInterval: '1h',
  },
  warning: {
    groupBy: ['alertname', 'environment', 'service'],
    groupWait: '1m',
    groupInterval: '5m',
    repeatInterval: '4h',
  },
  info: {
    groupBy: ['environment', 'service'],
    groupWait: '10m',
    groupInterval: '24h',
    repeatInterval: '24h',
  },
  deployment: {
    groupBy: ['alertname', 'environment', 'service'],
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '24h',
  },
  watchdog: {
    groupBy: ['alertname', 'environment'],
    groupWait: '0s',
    groupInterval: '1m',
    repeatInterval: '5m',
  },
} as const satisfies Record<string, RouteTiming>;

/** Files of the Alertmanager target, per environment. */
export const ALERTMANAGER_FILE = {
  config: (environment: string) => `alertmanager/${environment}/alertmanager.yaml`,
  /** Notification templates, beside the config (Alertmanager resolves `templates` relative to it). */
  templates: (environment: string) => `alertmanager/${environment}/notifications.tmpl`,
  templatesName: 'notifications.tmpl',
} as const;
/**
 * Grafana dashboard JSON `schemaVersion` the dashboards are written in (the foundation SDK
 * 0.0.21 default, Grafana 12). Pinned so a Grafana upgrade does not silently change the output.
 */
export const GRAFANA_SCHEMA_VERSION = 42;

/** Dashboard variable names; `dashboard_url` links set `var-<environment>`. */
export const DASHBOARD_VARIABLE = {
  datasource: 'datasource',
  environment: 'environment',
  /** Only on dashboards of an environment that spans clusters. */
  cluster: 'cluster',
} as const;

/**
 * Names, labels, files and size budgets of the Kubernetes target (generated/kubernetes/<env>/).
 */
export const KUBERNETES = {
  /** Directory of an environment's manifests under generated/. */
  dir: (environment: string) => `kubernetes/${environment}`,
  /** Label on every generated object, so `kubectl get -l` finds them. */
  managedByLabel: 'app.kubernetes.io/managed-by',
  managedBy: 'obsgen',
  /** AlertmanagerConfig of an environment; the operator names receivers `<namespace>/<this>/<receiver>`. */
  alertmanagerConfigName: 'alert-routing',
  /** PrometheusRule of a service; `<service>-<n>` when its groups are split over several objects. */
  prometheusRuleName: (service: string, part: number, parts: number) =>
    parts === 1 ? service : `${service}-${part}`,
  /** ConfigMap of one dashboard (uids are at most 40 characters, so this is a valid name). */
  dashboardConfigMapName: (uid: string) => `grafana-dashboard-${uid}`,
  /** Key of the dashboard JSON in its ConfigMap: the file name the Grafana sidecar writes. */
  dashboardKey: (uid: string) => `${uid}.json`,
  /** The label the Grafana sidecar (kube-prometheus-stack, Grafana Helm chart) collects dashboards by. */
  dashboardLabel: { key: 'grafana_dashboard', value: '1' },
  /**
   * Folder annotations written on dashboard ConfigMaps, both with the folder name: the k8s-sidecar
   * reads the one named by its FOLDER_ANNOTATION (default `k8s-sidecar-target-directory`); the Grafana
   * Helm chart's documentation sets `sidecar.dashboards.folderAnnotation: grafana_folder`.
   */
  folderAnnotations: ['grafana_folder', 'k8s-sidecar-target-directory'],
  /** Where the Prometheus operator mounts an Alertmanager's `spec.secrets`: `<dir>/<secret>/<key>`. */
  secretsDir: '/etc/alertmanager/secrets',
  /**
   * The API server refuses a ConfigMap whose data values add up to more than 1 MiB
   * (`corev1.MaxSecretSize`).
   */
  maxConfigMapDataBytes: 1024 * 1024,
  /**
   * The operator copies each PrometheusRule, as one rule file, into ConfigMaps of at most 512 KiB
   * and refuses a rule file larger than that; half of it leaves room for its own re-serialization.
   */
  maxPrometheusRuleBytes: 256 * 1024,
} as const;

/**
 * The live fire drill (`obsgen drill`): a synthetic service scraped by a real Prometheus running the
 * generated rules with every window and `for` divided by one time factor.
 */
export const DRILL = {
  /** Scrape and rule evaluation interval of the drill's Prometheus, seconds. */
  scrapeIntervalSeconds: 1,
  /** The fastest page of a total outage must fire within this many drill seconds. */
  fastestPageSeconds: 60,
  /**
   * Healthy history before the scenario's faults start, in model time: rules that compare with
   * the recent past (a deployment is a version absent 15 minutes ago) need it, and a fresh
   * Prometheus has none. Alertmanager receives nothing before it ends.
   */
  historySeconds: 15 * 60,
  /** Requests per second the synthetic service serves. */
  requestsPerSecond: 10,
  /** How often the drill reads Prometheus' alerts, milliseconds. */
  pollMs: 500,
} as const;

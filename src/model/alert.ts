/**
 * The alert catalog: symptom alerts beside the SLO burn alerts, written against the metric
 * contract. A definition carries its own proof data (synthetic series on which it must fire, and
 * series on which it must stay silent), from which the promtool unit tests are derived.
 */
import type { AlertSeverity, Category, DashboardKind } from '../conventions.ts';
import type { Matchers, Metric } from './metrics.ts';
import type { Environment } from './service.ts';
import type { Duration } from './units.ts';

/** Series of a histogram, which the contract declares by base name. */
export type HistogramSuffix = '_bucket' | '_count' | '_sum';

/** Label names of a contract metric; histograms add `le` (on `_bucket` series). */
export type LabelOf<M extends Metric> =
  | M['labels'][number]
  | (M extends Metric<string, string, 'histogram'> ? 'le' : never);

/** What an alert expression is written with; one call per environment. */
export interface AlertExprContext {
  /**
   * Selector text of a contract metric in this environment: its constant labels, the
   * environment's `namespace` and `selectorLabels`, then `matchers`, sorted by label name.
   * `suffix` picks a histogram's `_bucket`, `_count` or `_sum` series.
   */
  sel<M extends Metric>(metric: M, matchers?: Matchers<LabelOf<M>>, suffix?: HistogramSuffix): string;
  /** The environment the expression is rendered for. */
  readonly env: Environment;
}

/** One synthetic input series of an example, written against the metric contract. */
export interface ExampleSeries {
  readonly metric: Metric;
  /**
   * Label values (equality only; `fromEnv(name)` for an environment var). The metric's constant
   * labels and the environment's `namespace` and `selectorLabels` are added.
   */
  readonly labels: Readonly<Record<string, string | { readonly env: string }>>;
  /** promtool expanding notation: `0+60x30`, `1x20 0x20`, `_x5 1`, `stale`. */
  readonly values: string;
  /** Which series of a histogram. */
  readonly suffix?: HistogramSuffix;
}

/** Declares one input series of an example (`series(metrics.up, { job: 'x' }, '1x30')`). */
export function series<M extends Metric>(
  metric: M,
  labels: Readonly<Partial<Record<LabelOf<M>, string | { readonly env: string }>>>,
  values: string,
  suffix?: HistogramSuffix,
): ExampleSeries {
  return Object.freeze({
    metric,
    labels: Object.freeze({ ...labels }) as Readonly<Record<string, string>>,
    values,
    ...(suffix ? { suffix } : {}),
  });
}

/** One alert an example expects to be firing. */
export interface ExpectedAlert {
  /** Values of the alert's `groupBy` labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The description as Prometheus renders it for this alert (templates filled in); required when
   * the description has templates. The test compares it, so a template that renders wrong fails.
   * @default the description as written (when it has no templates)
   */
  readonly description?: string;
}

/** Synthetic series for one scenario. */
export interface AlertExample {
  /** Input series; each starts at time 0. */
  readonly series: readonly ExampleSeries[];
  /** Spacing of the input samples. @default '1m' */
  readonly interval?: Duration;
}

/** A scenario in which the alert must fire. */
export interface FiringExample extends AlertExample {
  /** Time after the series start by which the alert is firing (its `for` included). */
  readonly firesWithin: Duration;
  /** The alerts expected to fire at that time. @default [{}]: one alert, no groupBy labels */
  readonly alerts?: readonly ExpectedAlert[];
}

/** Runbook content only a human can write; the rest is generated. */
export interface AlertRunbook {
  /** Why it matters: what users or the business lose while it fires. */
  readonly impact: string;
  /** First diagnosis steps, in order (Markdown). @default [] */
  readonly steps?: readonly string[];
  /** Extra kubectl arguments, run in the environment's namespace (`logs deploy/x --since=1h`). @default [] */
  readonly kubectl?: readonly string[];
  /** Who to involve and when. @default by severity (page: lead after 30 min; warning: page if users suffer; info: ticket) */
  readonly escalation?: string;
}

/** How an alert is written in alerts/*.ts. */
export interface AlertSpec {
  /** Alert name, CamelCase (`HighErrorRate`); also the runbook's file name. */
  readonly name: string;
  /**
   * Tier: `critical` pages (in environments that page), `warning` goes to chat, `info` to the
   * daily digest. `none` is for the always-firing heartbeat only (an expression that reads no
   * metric, routed by its name to a dead-man's-switch receiver): kube-prometheus' label for its
   * Watchdog, which kube-prometheus-stack's default inhibit rules never mute.
   */
  readonly severity: AlertSeverity;
  /** What the alert is about (the `category` label). */
  readonly category: Category;
  /** Name of the service the alert belongs to (the `service` label); its metric contract is used. */
  readonly service: string;
  /** How long the condition must hold before the alert fires (`0s` fires at once). */
  readonly for: Duration;
  /** One static sentence ending with a period (no templates): the notification title. */
  readonly summary: string;
  /** Details with Prometheus templates (`{{ $labels.source }}`, `{{ $value | humanize }}`). */
  readonly description: string;
  /** The PromQL condition, rendered per environment from the metric contract. */
  readonly expr: (context: AlertExprContext) => string;
  /**
   * Labels the expression keeps (`sum by (source) (...)`): one alert per value, and inhibition
   * only matches alerts with equal values. @default []
   */
  readonly groupBy?: readonly string[];
  /**
   * Alerts describing one symptom at different severities share a family (the `alert_family`
   * label): a firing alert inhibits lower-severity alerts of its family. CamelCase. @default name
   */
  readonly family?: string;
  /** Extra labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra annotations (summary, description, runbook_url and dashboard_url are set by obsgen). @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Evaluation interval of the rule, for alerts over long windows that need not run every
   * evaluation (a week-over-week trend): they get their own rule group. @default the service's evaluationInterval
   */
  readonly interval?: Duration;
  /** Dashboard `dashboard_url` opens. @default by category (`service`, `infrastructure`, `business`) */
  readonly dashboard?: DashboardKind;
  /**
   * Panel of that dashboard the link opens: `requests`, `errors`, `latency` (service), `cpu`,
   * `memory`, `disk`, `network` (infrastructure), a business panel key, `alerts` (SLO overview).
   * @default by category: `alerts`, `requests`, `errors`, `latency`, `cpu`; for business and data
   * alerts the business dashboard's first panel
   */
  readonly panel?: string;
  /** Runbook content. */
  readonly runbook: AlertRunbook;
  /** Proof data: the generated promtool tests run these. */
  readonly examples: {
    readonly firing: FiringExample;
    /**
     * Series on which the alert stays silent (checked at `firesWithin`). Only an alert whose
     * expression reads no metric (the always-firing Watchdog) has none.
     */
    readonly healthy?: AlertExample;
  };
}

export type Alert = Readonly<AlertSpec>;

/** Marks a value as an alert definition for the loader. */
export const ALERT_KIND = 'obsgen.dev/Alert';

/** Declares a catalog alert; files in alerts/ export it (alone or in arrays). */
export function defineAlert<const A extends AlertSpec>(spec: A): A & { readonly kind: typeof ALERT_KIND } {
  return Object.freeze({ kind: ALERT_KIND, ...spec });
}

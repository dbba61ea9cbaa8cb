/**
 * Dashboard definitions (dashboards/*.ts): which rows and panels a service gets beside the SLO
 * dashboards, which are derived from its SLOs alone. Panels select series only through the
 * service's metric contract, like SLIs do.
 */
import type { Selector } from './metrics.ts';
import type { Duration } from './units.ts';

/** Request rate, error ratio and latency quantiles by one label (the RED method). */
export interface RedSpec {
  /** Counter of all requests. */
  readonly requests: Selector;
  /** The same counter narrowed to failed requests (`status=~"5.."`). */
  readonly errors: Selector;
  /** Request latency histogram (declared by base name). */
  readonly duration: Selector;
  /** Label every panel is broken down by. @default 'handler' */
  readonly by?: string;
  /** Latency quantiles, fractions in (0, 1). @default [0.5, 0.95, 0.99] */
  readonly quantiles?: readonly number[];
  /** Error ratio drawn as a red threshold line (a fraction, 0.05 for 5%). @default none */
  readonly errorRatioThreshold?: number;
  /** Latency drawn as a red threshold line, in the histogram's unit (seconds). @default none */
  readonly latencyThreshold?: number;
}

/** Usage of one resource against its limit (or capacity), per `by` label value. */
export interface UsageSpec {
  /** Usage: a counter (CPU seconds, rated) or a gauge (bytes). */
  readonly usage: Selector;
  /** Limit or capacity in the same unit, a gauge. */
  readonly limit: Selector;
  /** Label usage and limit are summed by (both must carry it). @default 'pod' */
  readonly by?: string;
}

/** Throughput of a network counter pair (there is no Kubernetes network limit to compare with). */
export interface NetworkSpec {
  /** Counter of bytes received. */
  readonly receive: Selector;
  /** Counter of bytes sent. */
  readonly transmit: Selector;
  /** @default 'pod' */
  readonly by?: string;
}

/** CPU, memory, disk and network of the namespace's pods against their limits. */
export interface InfrastructureSpec {
  readonly cpu?: UsageSpec;
  readonly memory?: UsageSpec;
  readonly disk?: UsageSpec;
  readonly network?: NetworkSpec;
  /** Share of a limit drawn as the warning line. @default 0.8 */
  readonly threshold?: number;
}

interface PanelCommon {
  /** Stable key (lower-case kebab), unique in the dashboard; alerts link to it. */
  readonly key: string;
  readonly title: string;
  /** One line shown in the panel's info tooltip. @default '' */
  readonly description?: string;
  /** Grafana unit id (`percentunit`, `s`, `reqps`). @default 'short' */
  readonly unit?: string;
  /** A red threshold line at this value (in `unit`). @default none */
  readonly threshold?: number;
}

/** Current value of a gauge, aggregated by labels (model accuracy by model). */
export interface ValuePanel extends PanelCommon {
  readonly kind: 'value';
  readonly series: Selector;
  /** @default [] */
  readonly by?: readonly string[];
  /** How series sharing the `by` labels are combined. @default 'max' */
  readonly aggregate?: 'max' | 'min' | 'avg' | 'sum';
}

/** Age of a unix-seconds timestamp gauge (data freshness by source). */
export interface AgePanel extends Omit<PanelCommon, 'unit' | 'threshold'> {
  readonly kind: 'age';
  readonly timestamp: Selector;
  /** @default [] */
  readonly by?: readonly string[];
  /** Largest acceptable age, drawn as the threshold line. @default none */
  readonly maxAge?: Duration;
}

/** Per-second rate of a counter, summed by labels (prediction volume). */
export interface RatePanel extends PanelCommon {
  readonly kind: 'rate';
  readonly counter: Selector;
  /** @default [] */
  readonly by?: readonly string[];
}

/**
 * Escape hatch: PromQL as written. Grafana variables are allowed: `$environment` is the
 * environment's namespace, `${environment:text}` its name, `$__rate_interval` the rate window.
 * Every metric it selects must still be in the metric contract or a generated recording rule.
 */
export interface QueryPanel extends PanelCommon {
  readonly kind: 'query';
  readonly expr: string;
  /** Series name template (`{{model}}`). @default '' */
  readonly legend?: string;
}

export type BusinessPanel = ValuePanel | AgePanel | RatePanel | QueryPanel;

export interface BusinessRow {
  readonly title: string;
  readonly panels: readonly BusinessPanel[];
}

/** Business dashboard: rows of panels over the service's own metrics. */
export interface BusinessSpec {
  readonly rows: readonly BusinessRow[];
}

/** How a service's dashboards are written in a definition file. */
export interface DashboardsSpec {
  /** Name of the service (defined in slos/) the dashboards belong to. */
  readonly service: string;
  /** Service dashboard (RED). @default none */
  readonly red?: RedSpec;
  /** Infrastructure dashboard. @default none */
  readonly infrastructure?: InfrastructureSpec;
  /** Business dashboard. @default none */
  readonly business?: BusinessSpec;
}

/** Marks a value as a dashboards definition for the loader. */
export const DASHBOARDS_KIND = 'obsgen.dev/Dashboards';

/** Declares a service's dashboards; definition files in dashboards/ export its result. */
export function defineDashboards<const D extends DashboardsSpec>(
  spec: D,
): D & { readonly kind: typeof DASHBOARDS_KIND } {
  return Object.freeze({ kind: DASHBOARDS_KIND, ...spec });
}

/** Gauge value panel. */
export const valuePanel = (spec: Omit<ValuePanel, 'kind'>): ValuePanel =>
  Object.freeze({ kind: 'value', ...spec });
/** Timestamp age panel. */
export const agePanel = (spec: Omit<AgePanel, 'kind'>): AgePanel => Object.freeze({ kind: 'age', ...spec });
/** Counter rate panel. */
export const ratePanel = (spec: Omit<RatePanel, 'kind'>): RatePanel =>
  Object.freeze({ kind: 'rate', ...spec });
/** Raw PromQL panel. */
export const queryPanel = (spec: Omit<QueryPanel, 'kind'>): QueryPanel =>
  Object.freeze({ kind: 'query', ...spec });

/** Validated dashboards of a service, tied to the file that defined them. */
export interface ResolvedDashboards {
  readonly red?: RedSpec;
  readonly infrastructure?: InfrastructureSpec;
  readonly business?: BusinessSpec;
  /** Definition file, relative to the project root. */
  readonly file: string;
}

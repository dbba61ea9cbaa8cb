/**
 * The metric contract: what a service and its exporters expose. SLIs, alerts and dashboards select
 * series only through it, so a misspelt metric or label is a type error (in TypeScript definitions)
 * or a diagnostic (at validation), never a silent empty query.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** How one metric is declared in `defineMetrics`. */
export interface MetricSpec<L extends string = string, T extends MetricType = MetricType> {
  /** Prometheus metric type. Histograms are declared by base name (without `_bucket`). */
  readonly type: T;
  /** Every label name the series carry (`le` of histograms is implied, do not list it). */
  readonly labels: readonly L[];
  /** One-line meaning, shown in runbooks and dashboards. */
  readonly help: string;
  /** Histogram bucket upper bounds in the metric's unit; required for histograms. */
  readonly buckets?: readonly number[];
  /** Unit of the values (`seconds`, `bytes`, `ratio`, `requests`). @default '' */
  readonly unit?: string;
  /**
   * Label values the series are known to take (status codes, handlers, data sources). Synthetic
   * services and generated tests draw their series from these. @default {}
   */
  readonly values?: Readonly<Partial<Record<L, readonly string[]>>>;
  /** Fixed label values the exporter always sets (`job`), used in every selector of it. @default {} */
  readonly constLabels?: Readonly<Partial<Record<L, string>>>;
}

/** A declared metric, as referenced from SLIs, alerts and dashboards. */
export interface Metric<
  N extends string = string,
  L extends string = string,
  T extends MetricType = MetricType,
> extends MetricSpec<L, T> {
  /** Metric name (histogram base name). */
  readonly name: N;
}

export type MetricContract = Readonly<Record<string, Metric>>;

type ContractOf<S extends Record<string, MetricSpec>> = {
  readonly [K in keyof S & string]: Metric<K, S[K]['labels'][number], S[K]['type']>;
};

/** Declares the metrics a service exposes; each key is the metric name. */
export function defineMetrics<const S extends Record<string, MetricSpec>>(specs: S): ContractOf<S> {
  const entries = Object.entries(specs).map(([name, spec]) => [name, Object.freeze({ name, ...spec })]);
  return Object.freeze(Object.fromEntries(entries)) as ContractOf<S>;
}

/** One label matcher value: equality by default, or a regex / negation. */
export type MatcherValue =
  | string
  | { readonly re: string }
  | { readonly ne: string }
  | { readonly nre: string }
  /** The value of `vars[name]` of the environment the rules are generated for. */
  | { readonly env: string };

export type Matchers<L extends string = string> = Readonly<Partial<Record<L, MatcherValue>>>;

/** A selection of one contract metric's series. */
export interface Selector<M extends Metric = Metric> {
  readonly metric: M;
  readonly matchers: Matchers;
}

/** Selects series of a contract metric; matcher keys are the metric's declared labels. */
export function select<M extends Metric>(
  metric: M,
  matchers: Matchers<M['labels'][number]> = {} as Matchers<M['labels'][number]>,
): Selector<M> {
  return Object.freeze({ metric, matchers: Object.freeze({ ...matchers }) });
}

/** Regex matcher (`=~`); Prometheus anchors it at both ends. */
export const re = (pattern: string): MatcherValue => Object.freeze({ re: pattern });
/** Negative equality matcher (`!=`). */
export const ne = (value: string): MatcherValue => Object.freeze({ ne: value });
/** Negative regex matcher (`!~`). */
export const nre = (pattern: string): MatcherValue => Object.freeze({ nre: pattern });
/** Matcher whose value is the environment's `vars[name]` (a probe URL per environment). */
export const fromEnv = (name: string): { readonly env: string } => Object.freeze({ env: name });

/** The promtool unit-test file format (`promtool test rules`) as plain data. */
export interface InputSeries {
  /** `name{label="value",...}` */
  readonly series: string;
  /** Expanding notation: `0+10x100 1000+20x50`, `1x99 0`. */
  readonly values: string;
}

export interface ExpectedSample {
  /** `{label="value",...}` of the result series (no metric name after a function). */
  readonly labels: string;
  readonly value: number;
}

export interface PromqlExprTest {
  readonly expr: string;
  readonly eval_time: string;
  /** Empty: the query must return nothing. */
  readonly exp_samples: readonly ExpectedSample[];
}

export interface ExpectedAlert {
  readonly exp_labels: Readonly<Record<string, string>>;
  readonly exp_annotations: Readonly<Record<string, string>>;
}

export interface AlertRuleTest {
  readonly eval_time: string;
  readonly alertname: string;
  /** Empty: the alert must not be firing. */
  readonly exp_alerts: readonly ExpectedAlert[];
}

export interface PromtoolTest {
  readonly name: string;
  /** Sample interval of the input series. */
  readonly interval: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test?: readonly AlertRuleTest[];
  readonly promql_expr_test?: readonly PromqlExprTest[];
}

export interface PromtoolTestFile {
  /** Relative to the test file. */
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  /** Group evaluation order; without it promtool picks a random one per run. */
  readonly group_eval_order?: readonly string[];
  readonly tests: readonly PromtoolTest[];
}

/**
 * What a scenario proves: `outage` (a total outage fires the first page in time and the page
 * resolves after recovery), `burst` (a burst the long window absorbs stays silent), `half-budget`,
 * `budget-rate` (a steady 1x burn never pages), `one-bad-sample` (one failed probe fires nothing),
 * `between` (tickets, no page), `threshold` (just under / just over), `no-data`, `example` (a
 * catalog alert's own examples), `shape` (an SLO's rules are its math shape's, rule for rule).
 */
export type ScenarioKind =
  | 'outage'
  | 'burst'
  | 'half-budget'
  | 'budget-rate'
  | 'one-bad-sample'
  | 'between'
  | 'threshold'
  | 'no-data'
  | 'example'
  | 'shape';

/**
 * One thing a scenario proves of one alert: that it fires, or that it stays silent. `labels`
 * narrows the alert to one of its rules (a burn alert's window pair: `long_window`,
 * `short_window`, `severity`); without it the proof holds for every rule of that name.
 */
export interface Proof {
  readonly alert: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly fires: boolean;
}

/**
 * One scenario of one alert: its series and checks. Scenarios of different alerts whose series do
 * not overlap are packed into one promtool test, so days of replay are paid once, not per alert.
 */
export interface Scenario {
  /** What the scenario proves, as a sentence. */
  readonly name: string;
  /** Scenarios with the same owner (an SLO, an alert) never share a test. */
  readonly owner: string;
  readonly kind: ScenarioKind;
  /** Names of the alerts whose behaviour the checks prove. */
  readonly alerts: readonly string[];
  /** What the checks prove, alert by alert: read by the proof-coverage check. */
  readonly proves: readonly Proof[];
  /**
   * Metric names the scenario feeds or its alerts read: scenarios sharing one never share a test,
   * so one scenario's series cannot make another's alert fire.
   */
  readonly metrics: readonly string[];
  /** Sample interval of the input series. */
  readonly interval: string;
  /** How long the scenario's series run, seconds. */
  readonly seconds: number;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test?: readonly AlertRuleTest[];
  readonly promql_expr_test?: readonly PromqlExprTest[];
}

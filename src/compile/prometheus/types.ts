/** The Prometheus rule file format as plain data. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  /** Thanos Ruler only. */
  readonly partial_response_strategy?: 'warn' | 'abort';
  /** Engines built on Prometheus 2.53 or later (Thanos Ruler, Mimir) only. */
  readonly query_offset?: string;
  readonly rules: readonly Rule[];
}

export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

/** A Mimir (Cortex) rule namespace file, as `mimirtool rules load` and `rules sync` read it. */
export interface RuleNamespaceFile {
  readonly namespace: string;
  readonly groups: readonly RuleGroup[];
}

export const isAlertingRule = (rule: Rule): rule is AlertingRule => 'alert' in rule;

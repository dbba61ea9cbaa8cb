/** The Alertmanager configuration format (0.25) as plain data: only the fields obsgen writes. */

export interface AmRoute {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly mute_time_intervals?: readonly string[];
  readonly active_time_intervals?: readonly string[];
  readonly routes?: readonly AmRoute[];
}

export interface AmInhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

export interface AmTimeRange {
  readonly weekdays?: readonly string[];
  readonly times?: readonly { readonly start_time: string; readonly end_time: string }[];
  readonly days_of_month?: readonly string[];
  readonly months?: readonly string[];
  readonly location?: string;
}

export interface AmReceiver {
  readonly name: string;
  readonly pagerduty_configs?: readonly Record<string, unknown>[];
  readonly slack_configs?: readonly Record<string, unknown>[];
  readonly email_configs?: readonly Record<string, unknown>[];
  readonly webhook_configs?: readonly Record<string, unknown>[];
}

export interface AlertmanagerConfig {
  readonly global: Readonly<Record<string, string | boolean>>;
  readonly templates: readonly string[];
  readonly route: AmRoute;
  readonly inhibit_rules: readonly AmInhibitRule[];
  readonly receivers: readonly AmReceiver[];
  readonly time_intervals?: readonly {
    readonly name: string;
    readonly time_intervals: readonly AmTimeRange[];
  }[];
}

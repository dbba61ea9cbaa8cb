/**
 * Every rule name, label key and window table in one place. Compilers, lint and dashboards import
 * these instead of spelling names themselves.
 */
import { type Rational, rational } from './model/units.ts';

/** The period the SRE Workbook table is written for; other periods scale its windows. */
export const REFERENCE_PERIOD_SECONDS = 30 * 86_400;

export type BurnTier = 'page' | 'ticket';

export interface BurnPolicy {
  readonly tier: BurnTier;
  readonly severity: 'critical' | 'warning';
  /** Share of the period's error budget that burns within the long window at this rate. */
  readonly budgetShare: Rational;
  /** Long window for a 30 day period, seconds. */
  readonly referenceLongWindow: number;
}

/**
 * Google SRE Workbook, "Alerting on SLOs", multiwindow multi-burn-rate table for 30 days:
 * 2% in 1h (14.4x) and 5% in 6h (6x) page; 10% in 1d (3x) and 10% in 3d (1x) open a ticket.
 */
export const BURN_POLICIES: readonly BurnPolicy[] = [
  { tier: 'page', severity: 'critical', budgetShare: rational(2n, 100n), referenceLongWindow: 3_600 },
  { tier: 'page', severity: 'critical', budgetShare: rational(5n, 100n), referenceLongWindow: 6 * 3_600 },
  { tier: 'ticket', severity: 'warning', budgetShare: rational(10n, 100n), referenceLongWindow: 86_400 },
  { tier: 'ticket', severity: 'warning', budgetShare: rational(10n, 100n), referenceLongWindow: 3 * 86_400 },
];

/** Short window = long window / 12 (the Workbook's reset-time choice). */
export const SHORT_WINDOW_DIVISOR = 12;
/** `rate()` needs several samples: no window shorter than this many scrape intervals. */
export const MIN_WINDOW_SCRAPES = 4;
/** Burn alerts wait long/30 before firing (1h -> 2m, 6h -> 12m), rounded up to evaluations. */
export const FOR_DIVISOR = 30;
/** The no-data alert waits this long: a scrape hiccup must not open a ticket. */
export const NO_DATA_FOR_SECONDS = 600;

export const DEFAULT_PERIOD = '30d';
export const DEFAULT_SCRAPE_INTERVAL = '30s';
export const DEFAULT_EVALUATION_INTERVAL = '30s';
export const DEFAULT_RULE_SELECTOR_LABELS: Readonly<Record<string, string>> = {
  release: 'kube-prometheus-stack',
};

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
} as const;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

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
} as const;

/** Grafana limits uids to 40 characters. */
const MAX_UID = 40;
const uid = (text: string): string => text.slice(0, MAX_UID).replace(/-+$/, '');

/** Stable dashboard uids, so `dashboard_url` links survive regeneration. */
export const DASHBOARD_UID = {
  sloOverview: (service: string) => uid(`${service}-slos`),
  sloDetail: (service: string, slo: string) => uid(`${service}-slo-${slo}`),
  service: (service: string) => uid(`${service}-red`),
  infrastructure: (service: string) => uid(`${service}-infra`),
  business: (service: string) => uid(`${service}-business`),
} as const;

/** First line of every generated file whose format has comments. */
export const GENERATED_HEADER = 'generated by obsgen, do not edit';

/**
 * OpenSLO import and export. OpenSLO cannot say everything the model holds; these annotations
 * carry the rest (both directions), and the notification targets name the receivers each tier's
 * alerts go to.
 */
export const OPENSLO = {
  annotation: {
    prefix: 'obsgen.dev/',
    /** Service: owning team. */
    team: 'obsgen.dev/team',
    /** Service: the metric contract, JSON `{ name: MetricSpec }`. */
    metrics: 'obsgen.dev/metrics',
    scrapeInterval: 'obsgen.dev/scrape-interval',
    evaluationInterval: 'obsgen.dev/evaluation-interval',
    /** SLO: grouping labels, comma-separated. */
    groupBy: 'obsgen.dev/group-by',
    /** SLO: "true" when bad/total are the model's raw SLI verbatim. */
    rawSli: 'obsgen.dev/raw-sli',
    /** SLO: "true" or "false"; overrides the alert policies' alertWhenNoData. */
    noData: 'obsgen.dev/no-data-alert',
    /** SLO: extra alert labels, JSON object. */
    alertLabels: 'obsgen.dev/alert-labels',
    /** SLO: extra alert annotations, JSON object. */
    alertAnnotations: 'obsgen.dev/alert-annotations',
    runbookUrl: 'obsgen.dev/runbook-url',
  },
  /** Team of an imported service that names none. */
  defaultTeam: 'unassigned',
  /** AlertNotificationTarget per burn tier (the Alertmanager receivers of the same names). */
  notificationTarget: {
    page: { name: 'pagerduty-oncall', target: 'pagerduty' },
    ticket: { name: 'slack-alerts', target: 'slack' },
  },
} as const;

/** The authoring API definition files import. */

export { RULE_SELECTOR_LABELS, TIER_TIMING } from '../conventions.ts';
export type {
  Alert,
  AlertExample,
  AlertExprContext,
  AlertRunbook,
  AlertSpec,
  ExampleSeries,
  ExpectedAlert,
  FiringExample,
} from './alert.ts';
export { defineAlert, series } from './alert.ts';
export type { ObsgenConfig, ObsgenConfigSpec, OutputTarget } from './config.ts';
export { defineConfig, OUTPUT_TARGETS } from './config.ts';
export type {
  AgePanel,
  BusinessPanel,
  BusinessRow,
  BusinessSpec,
  DashboardsSpec,
  InfrastructureSpec,
  NetworkSpec,
  QueryPanel,
  RatePanel,
  RedSpec,
  UsageSpec,
  ValuePanel,
} from './dashboards.ts';
export { agePanel, defineDashboards, queryPanel, ratePanel, valuePanel } from './dashboards.ts';
export type { GrafanaOperatorSpec, KubernetesSpec } from './kubernetes.ts';
export type {
  Matchers,
  MatcherValue,
  Metric,
  MetricContract,
  MetricSpec,
  MetricType,
  Selector,
} from './metrics.ts';
export { defineMetrics, fromEnv, ne, nre, re, select } from './metrics.ts';
export type {
  AlertRouting,
  AlertRoutingSpec,
  ReceiverSpec,
  RouteMatcher,
  RouteSpec,
  RouteTiming,
  SmtpSpec,
  TimeRangeSpec,
} from './routing.ts';
export { defineAlertRouting } from './routing.ts';
export type {
  ClustersSpec,
  Environment,
  EnvironmentSpec,
  RuleEngine,
  RulerSpec,
  Service,
  ServiceSpec,
} from './service.ts';
export { defineEnvironment, defineService, RULE_ENGINES } from './service.ts';
export type {
  ExplicitBurnWindow,
  FreshnessSli,
  LatencySli,
  ProbeSli,
  RatioSli,
  RawSli,
  Sli,
  Slo,
  SloAlerting,
  SloSpec,
  ThresholdSli,
} from './slo.ts';
export { defineSlo, freshnessSli, latencySli, probeSli, ratioSli, rawSli, thresholdSli } from './slo.ts';
export type { Duration } from './units.ts';

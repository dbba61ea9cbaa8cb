/** The authoring API definition files import. */

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
export type { Environment, EnvironmentSpec, Service, ServiceSpec } from './service.ts';
export { defineEnvironment, defineService } from './service.ts';
export type {
  FreshnessSli,
  LatencySli,
  ProbeSli,
  RatioSli,
  RawSli,
  Sli,
  Slo,
  SloAlerting,
  SloSpec,
} from './slo.ts';
export { defineSlo, freshnessSli, latencySli, probeSli, ratioSli, rawSli } from './slo.ts';
export type { Duration } from './units.ts';

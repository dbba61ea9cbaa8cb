/**
 * The Grafana target: per service and environment, the SLO overview, one detail dashboard per
 * SLO and the dashboards its dashboards/ definition asks for, as Grafana dashboard JSON built with
 * the foundation SDK.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { buildDashboard, type DashboardPlan } from './plan.ts';
import { servicePlans } from './service.ts';
import { sloDetailPlan, sloOverviewPlan } from './slo.ts';

export { dashboardLink, type PanelTarget } from './links.ts';
export type { DashboardPlan } from './plan.ts';
export { interpolate } from './queries.ts';

/** Every dashboard plan of a service in an environment, SLO dashboards first. */
export function dashboardPlans(svc: ResolvedService, env: Environment): DashboardPlan[] {
  return [
    sloOverviewPlan(svc, env),
    ...svc.slos.map((slo) => sloDetailPlan(svc, slo, env)),
    ...servicePlans(svc, env),
  ];
}

export interface BuiltDashboard {
  readonly plan: DashboardPlan;
  readonly path: string;
  readonly dashboard: Dashboard;
}

/** Path of a dashboard under generated/. */
export const dashboardPath = (env: Environment, uid: string): string => `grafana/${env.name}/${uid}.json`;

/** The built dashboards of a service in an environment. */
export function toDashboards(svc: ResolvedService, env: Environment): BuiltDashboard[] {
  return dashboardPlans(svc, env).map((plan) => ({
    plan,
    path: dashboardPath(env, plan.uid),
    dashboard: buildDashboard(plan, svc, env),
  }));
}

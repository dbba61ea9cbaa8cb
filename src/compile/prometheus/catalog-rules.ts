/** Alert catalog rule groups: one group per category, beside the SLO groups of the service. */
import {
  CATEGORIES,
  DASHBOARD_UID,
  dashboardUrl,
  GROUP,
  LABEL,
  runbookFile,
  urlUnder,
} from '../../conventions.ts';
import type { ResolvedAlert, ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { formatSeconds } from '../../model/units.ts';
import { catalogPanelTarget, dashboardLink } from '../grafana/links.ts';
import type { AlertingRule, RuleGroup } from './types.ts';

const sortedRecord = (record: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Labels obsgen sets on a catalog alert in an environment (the definition's extra labels included). */
export function catalogAlertLabels(alert: ResolvedAlert, env: Environment): Record<string, string> {
  return sortedRecord({
    ...alert.labels,
    [LABEL.alertFamily]: alert.family,
    [LABEL.category]: alert.category,
    [LABEL.environment]: env.name,
    [LABEL.namespace]: env.namespace,
    [LABEL.service]: alert.service,
    [LABEL.severity]: alert.severity,
  });
}

/** `runbook_url` and `dashboard_url` of a catalog alert. */
export function catalogAlertLinks(
  svc: ResolvedService,
  alert: ResolvedAlert,
  env: Environment,
): Record<string, string> {
  return {
    runbook_url: urlUnder(env.runbookBaseUrl, runbookFile(alert.service, alert.name)),
    // Without such a panel the dashboard alone; generation then reports the missing panel.
    dashboard_url:
      dashboardLink(svc, env, catalogPanelTarget(alert.dashboard, alert.panel)) ??
      dashboardUrl(env.grafanaBaseUrl, DASHBOARD_UID[alert.dashboard](alert.service, env.name), env.name),
  };
}

/** Annotations of a catalog alert (templates untouched: Prometheus fills them in). */
export function catalogAlertAnnotations(
  svc: ResolvedService,
  alert: ResolvedAlert,
  env: Environment,
): Record<string, string> {
  return sortedRecord({
    ...alert.annotations,
    summary: alert.summary,
    description: alert.description,
    ...catalogAlertLinks(svc, alert, env),
  });
}

/** The alerting rule of a catalog alert in an environment. */
export function toCatalogRule(svc: ResolvedService, alert: ResolvedAlert, env: Environment): AlertingRule {
  return {
    alert: alert.name,
    expr: alert.exprs[env.name] ?? '',
    ...(alert.forSeconds > 0 ? { for: formatSeconds(alert.forSeconds) } : {}),
    labels: catalogAlertLabels(alert, env),
    annotations: catalogAlertAnnotations(svc, alert, env),
  };
}

/**
 * Catalog groups of a service in an environment, in CATEGORIES order (empty categories left out),
 * one per evaluation interval within a category.
 */
export function toCatalogRuleGroups(
  svc: ResolvedService,
  env: Environment,
  alerts: readonly ResolvedAlert[],
): RuleGroup[] {
  const own = alerts.filter((a) => a.service === svc.name);
  const intervalOf = (a: ResolvedAlert) => a.intervalSeconds ?? svc.evaluationInterval;
  return CATEGORIES.flatMap((category) => {
    const inCategory = own.filter((a) => a.category === category);
    const intervals = [...new Set(inCategory.map(intervalOf))].sort((x, y) => x - y);
    return intervals.map((interval) => ({
      name: GROUP.catalog(
        svc.name,
        category,
        interval === svc.evaluationInterval ? undefined : formatSeconds(interval),
      ),
      interval: formatSeconds(interval),
      rules: inCategory.filter((a) => intervalOf(a) === interval).map((a) => toCatalogRule(svc, a, env)),
    }));
  });
}

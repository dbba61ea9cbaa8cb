/**
 * PromQL of dashboard panels: recorded SLO series by name and labels, contract series through the
 * metric contract, with the dashboard variables in place of the environment's values.
 */
import { DASHBOARD_VARIABLE, LABEL, RECORD } from '../../conventions.ts';
import type { MatcherValue, Selector } from '../../model/metrics.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import { clusterLabelOf, type Environment, recordedLabels } from '../../model/service.ts';
import { formatSeconds } from '../../model/units.ts';
import { quote, renderSelector, selectorMatchers } from '../../promql/index.ts';

/** The environment's name (the `environment` label of recorded series). */
export const ENVIRONMENT_NAME = `\${${DASHBOARD_VARIABLE.environment}:text}`;
/** The environment's namespace (the `namespace` label of raw series). */
export const ENVIRONMENT_NAMESPACE = `\${${DASHBOARD_VARIABLE.environment}}`;
/** The clusters chosen in the cluster variable, as a regex (`.*` for All). */
export const CLUSTER_VALUE = `$${DASHBOARD_VARIABLE.cluster}`;
/** Grafana's rate window: at least four scrape intervals, wider when zoomed out. */
export const RATE_INTERVAL = '$__rate_interval';

/** The environment as panels see it: its namespace comes from the environment variable. */
const panelEnvironment = (env: Environment): Environment => ({ ...env, namespace: ENVIRONMENT_NAMESPACE });

/** `cluster=~"$cluster"` in an environment that spans clusters, else nothing. */
export const clusterMatchers = (env: Environment): Record<string, MatcherValue> => {
  const cluster = clusterLabelOf(env);
  return cluster === undefined ? {} : { [cluster]: { re: CLUSTER_VALUE } };
};

/** `name{...}` of a contract selector, namespace from the environment variable, clusters from the cluster variable. */
export function contractSeries(
  sel: Selector,
  env: Environment,
  name: string = sel.metric.name,
  extra: Readonly<Record<string, MatcherValue>> = {},
): string {
  const penv = panelEnvironment(env);
  return renderSelector(name, selectorMatchers(sel, penv, { ...clusterMatchers(env), ...extra }), penv);
}

/**
 * `{environment="${environment:text}",service="x",slo="y"}`: the recorded series of one SLO,
 * with `cluster=~"$cluster"` where the environment spans clusters.
 */
export const sloMatchers = (svc: ResolvedService, slo: ResolvedSlo, env: Environment): string => {
  const cluster = clusterLabelOf(env);
  const clusters = cluster === undefined ? '' : `,${cluster}=~${quote(CLUSTER_VALUE)}`;
  return `{${LABEL.environment}=${quote(ENVIRONMENT_NAME)},${LABEL.service}=${quote(svc.name)},${LABEL.slo}=${quote(slo.id)}${clusters}}`;
};

/** A recorded SLO series selected by name. */
export const sloSeries = (svc: ResolvedService, slo: ResolvedSlo, env: Environment, record: string): string =>
  `${record}${sloMatchers(svc, slo, env)}`;

/** Error ratio of an SLO over `window` seconds (a recorded series: the window must be recorded). */
export const errorRatio = (
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  window: number,
): string => sloSeries(svc, slo, env, RECORD.errorRatio(formatSeconds(window)));

/** Labels that tell an SLO's recorded series apart: its cluster label, then its `groupBy`. */
export const seriesLabelsOf = (slo: ResolvedSlo, env: Environment): readonly string[] =>
  recordedLabels(slo.groupBy, env);

/** `sum by (a, b) (expr)`, `sum(expr)` without labels; `op` defaults to sum. */
export const aggregate = (by: readonly string[], expr: string, op = 'sum'): string =>
  by.length > 0 ? `${op} by (${by.join(', ')}) (${expr})` : `${op}(${expr})`;

/** Legend template of a breakdown: `{{source}}`, `{{handler}} {{method}}`. */
export const legendOf = (labels: readonly string[], suffix = ''): string => {
  const text = [...labels.map((l) => `{{${l}}}`), suffix].filter(Boolean).join(' ');
  return text === '' ? '__auto' : text;
};

/**
 * A panel query with its dashboard variables replaced by the values Grafana would send for
 * `env`, so it can be parsed and run outside Grafana: the environment's name and namespace, every
 * cluster (the cluster variable's All), and
 * `$__rate_interval` / `$__interval` as four / one scrape intervals (Grafana's own minimums).
 */
export function interpolate(expr: string, svc: ResolvedService, env: Environment): string {
  const name = DASHBOARD_VARIABLE.environment;
  // The cluster variable's All value.
  const clusters =
    clusterLabelOf(env) === undefined ? expr : expr.replaceAll(`=~${quote(CLUSTER_VALUE)}`, '=~".*"');
  return clusters
    .replaceAll(`\${${name}:text}`, env.name)
    .replaceAll(`\${${name}}`, env.namespace)
    .replace(new RegExp(`\\$${name}\\b`, 'g'), env.namespace)
    .replaceAll('$__rate_interval', formatSeconds(4 * svc.scrapeInterval))
    .replaceAll('$__interval', formatSeconds(svc.scrapeInterval));
}

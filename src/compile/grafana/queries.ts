/**
 * PromQL of dashboard panels: recorded SLO series by name and labels, contract series through the
 * metric contract, with the dashboard variables in place of the environment's values.
 */
import { DASHBOARD_VARIABLE, LABEL, RECORD } from '../../conventions.ts';
import type { MatcherValue, Selector } from '../../model/metrics.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { formatSeconds } from '../../model/units.ts';
import { quote, renderSelector, selectorMatchers } from '../../promql/index.ts';

/** The environment's name (the `environment` label of recorded series). */
export const ENVIRONMENT_NAME = `\${${DASHBOARD_VARIABLE.environment}:text}`;
/** The environment's namespace (the `namespace` label of raw series). */
export const ENVIRONMENT_NAMESPACE = `\${${DASHBOARD_VARIABLE.environment}}`;
/** Grafana's rate window: at least four scrape intervals, wider when zoomed out. */
export const RATE_INTERVAL = '$__rate_interval';

/** The environment as panels see it: its namespace comes from the environment variable. */
const panelEnvironment = (env: Environment): Environment => ({ ...env, namespace: ENVIRONMENT_NAMESPACE });

/** `name{...}` of a contract selector, namespace from the environment variable. */
export function contractSeries(
  sel: Selector,
  env: Environment,
  name: string = sel.metric.name,
  extra: Readonly<Record<string, MatcherValue>> = {},
): string {
  const penv = panelEnvironment(env);
  return renderSelector(name, selectorMatchers(sel, penv, extra), penv);
}

/** `{environment="${environment:text}",service="x",slo="y"}`: the recorded series of one SLO. */
export const sloMatchers = (svc: ResolvedService, slo: ResolvedSlo): string =>
  `{${LABEL.environment}=${quote(ENVIRONMENT_NAME)},${LABEL.service}=${quote(svc.name)},${LABEL.slo}=${quote(slo.id)}}`;

/** A recorded SLO series selected by name. */
export const sloSeries = (svc: ResolvedService, slo: ResolvedSlo, record: string): string =>
  `${record}${sloMatchers(svc, slo)}`;

/** Error ratio of an SLO over `window` seconds (a recorded series: the window must be recorded). */
export const errorRatio = (svc: ResolvedService, slo: ResolvedSlo, window: number): string =>
  sloSeries(svc, slo, RECORD.errorRatio(formatSeconds(window)));

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
 * `env`, so it can be parsed and run outside Grafana: the environment's name and namespace, and
 * `$__rate_interval` / `$__interval` as four / one scrape intervals (Grafana's own minimums).
 */
export function interpolate(expr: string, svc: ResolvedService, env: Environment): string {
  const name = DASHBOARD_VARIABLE.environment;
  return expr
    .replaceAll(`\${${name}:text}`, env.name)
    .replaceAll(`\${${name}}`, env.namespace)
    .replace(new RegExp(`\\$${name}\\b`, 'g'), env.namespace)
    .replaceAll('$__rate_interval', formatSeconds(4 * svc.scrapeInterval))
    .replaceAll('$__interval', formatSeconds(svc.scrapeInterval));
}

/**
 * The deploy gate's queries and thresholds, shared by `obsgen gate` and the rollout analysis
 * objects (Argo Rollouts, Flagger): the SLI's bad and total events over a short window from the
 * raw series of one version, the burn rate it must stay under, and the p95 of a latency SLI.
 */
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { formatSeconds, toNumber } from '../../model/units.ts';
import type { WindowPair } from '../../model/windows.ts';
import { renderSelector, selectorMatchers, withLabelMatcher } from '../../promql/index.ts';
import { eventExprs } from './sli.ts';

/** A label and the value that selects one version's series (`version=v2`). */
export interface VersionSelector {
  readonly label: string;
  readonly value: string;
}

/** Window the gate reads SLIs over by default, seconds: a blue-green switch's monitoring time. */
export const GATE_WINDOW_SECONDS = 120;
/** Fewest requests in the window to decide on, by default. */
export const GATE_MIN_EVENTS = 100;
/** Largest accepted p95 increase over the baseline, by default (0.2 = 20% slower). */
export const GATE_MAX_DEGRADATION = 0.2;

/** The fastest page pair's factor: the burn rate at which the definitions page soonest. */
export function maxBurnRate(windows: readonly WindowPair[]): number {
  const pages = windows.filter((w) => w.tier === 'page');
  const fastest = [...(pages.length > 0 ? pages : windows)].sort((a, b) => a.long - b.long)[0];
  return fastest ? toNumber(fastest.factor) : 1;
}

/** Series of the new version: request SLIs read per version, outside views (probes, freshness) do not. */
export const versioned = (slo: ResolvedSlo): boolean =>
  slo.sli.kind === 'ratio' || slo.sli.kind === 'latency' || slo.sli.kind === 'raw';

/**
 * Fewest events to decide on. Request SLIs: at least `minEvents` requests, and more than
 * 1 / (factor x budget), so that one bad request cannot on its own push the burn rate over the
 * page factor. Probe and freshness SLIs: one sample; their samples come at a fixed pace no window
 * of a few minutes can raise to that floor, and a failed probe while the new version serves is
 * reason enough to roll back.
 */
export function requiredEvents(slo: ResolvedSlo, minEvents: number): number {
  if (!versioned(slo)) return 1;
  const threshold = maxBurnRate(slo.windows) * toNumber(slo.errorBudget);
  const singleEvent = threshold > 0 ? Math.floor(1 / threshold) + 1 : 1;
  return Math.max(minEvents, singleEvent);
}

/** The environment with the version matcher added to every raw selector of the SLI. */
const versionEnv = (env: Environment, version: VersionSelector | undefined): Environment =>
  version ? { ...env, selectorLabels: { ...env.selectorLabels, [version.label]: version.value } } : env;

/** Bad and total events over the window, ungrouped: the gate decides per SLO, not per group. */
export function gateExprs(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  windowSeconds: number,
  version: VersionSelector | undefined,
): { bad: string; total: string; perSecond: boolean } {
  const ungrouped = { ...slo, groupBy: [] };
  const window = formatSeconds(windowSeconds);
  const selected = versioned(slo) ? version : undefined;
  const exprs = eventExprs(svc, ungrouped, versionEnv(env, selected), window);
  // Raw SLIs are written PromQL: the matcher goes into their selectors.
  const rewrite = (expr: string) =>
    slo.sli.kind === 'raw' && selected ? withLabelMatcher(expr, selected.label, selected.value) : expr;
  return {
    bad: `sum(${rewrite(exprs.bad)})`,
    total: `sum(${rewrite(exprs.total)})`,
    perSecond: slo.sli.kind === 'ratio' || slo.sli.kind === 'latency' || slo.sli.kind === 'raw',
  };
}

/** p95 of a latency SLI's raw histogram over the window for one version. */
export function p95Expr(
  slo: ResolvedSlo,
  env: Environment,
  windowSeconds: number,
  version: VersionSelector | undefined,
): string | undefined {
  if (slo.sli.kind !== 'latency') return undefined;
  const hist = slo.sli.histogram;
  const bucket = renderSelector(
    `${hist.metric.name}_bucket`,
    selectorMatchers(hist, versionEnv(env, version)),
    env,
  );
  return `histogram_quantile(0.95, sum by (le) (rate(${bucket}[${formatSeconds(windowSeconds)}])))`;
}

/**
 * One expression for the burn rate of `slo` over the window: empty (no decision) while the window
 * holds fewer events than `requiredEvents`, so an analysis reads "no data" as inconclusive.
 */
export function burnRateQuery(
  svc: ResolvedService,
  slo: ResolvedSlo,
  env: Environment,
  windowSeconds: number,
  version: VersionSelector | undefined,
  minEvents: number = GATE_MIN_EVENTS,
): string {
  const { bad, total, perSecond } = gateExprs(svc, slo, env, windowSeconds, version);
  const events = perSecond ? `${total} * ${windowSeconds}` : total;
  const budget = toNumber(slo.errorBudget);
  return `(${bad} / ${total}) / ${budget} and on () (${events} >= ${requiredEvents(slo, minEvents)})`;
}

/** The new version's p95 over the baseline's (1.3 = 30% slower); undefined for non-latency SLIs. */
export function p95RatioQuery(
  slo: ResolvedSlo,
  env: Environment,
  windowSeconds: number,
  version: VersionSelector,
  baseline: VersionSelector,
): string | undefined {
  const fresh = p95Expr(slo, env, windowSeconds, version);
  const old = p95Expr(slo, env, windowSeconds, baseline);
  return fresh && old ? `${fresh} / ${old}` : undefined;
}

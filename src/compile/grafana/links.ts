/**
 * `dashboard_url` of alerts: the dashboard and panel that explain an alert. Panel ids come from
 * the same plans the dashboards are built from, so a link cannot point at a panel that moved.
 */
import { DASHBOARD_VARIABLE, type DashboardKind, urlUnder } from '../../conventions.ts';
import type { ResolvedService, ResolvedSlo } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import type { WindowPair } from '../../model/windows.ts';
import { byIdentity } from '../memo/index.ts';
import { type DashboardPlan, panelIds } from './plan.ts';
import { SERVICE_PANEL, servicePlans } from './service.ts';
import { SLO_PANEL, sloDetailPlan, sloOverviewPlan } from './slo.ts';

/** The panel target of a catalog alert's `dashboard` and `panel` (see AlertSpec.panel). */
export function catalogPanelTarget(dashboard: DashboardKind, panel: string | undefined): PanelTarget {
  switch (dashboard) {
    case 'sloOverview':
      return { dashboard: 'slo-overview', panel: 'alerts' };
    case 'service':
      return panel === 'latency'
        ? { dashboard: 'service', panel: 'latency', quantile: 0.95 }
        : { dashboard: 'service', panel: (panel ?? 'requests') as 'requests' | 'errors' };
    case 'infrastructure':
      return {
        dashboard: 'infrastructure',
        panel: (panel ?? 'cpu') as 'cpu' | 'memory' | 'disk' | 'network',
      };
    case 'business':
      return panel === undefined ? { dashboard: 'business' } : { dashboard: 'business', panel };
  }
}

/** A panel an alert can link to. */
export type PanelTarget =
  /** SLO overview: the firing alerts table. */
  | { readonly dashboard: 'slo-overview'; readonly panel: 'alerts' }
  /** SLO overview: one SLO's SLI, budget or burn-rate panel. */
  | {
      readonly dashboard: 'slo-overview';
      readonly slo: string;
      readonly panel: 'sli' | 'budget' | 'burn-rate';
    }
  /** SLO detail: SLI over time, budget left, budget burn-down, or the SLI's good/bad events. */
  | {
      readonly dashboard: 'slo-detail';
      readonly slo: string;
      readonly panel: 'sli' | 'budget' | 'burn-down' | 'events';
    }
  /** SLO detail: the burn rate panel of one window pair (an element of the SLO's `windows`). */
  | {
      readonly dashboard: 'slo-detail';
      readonly slo: string;
      readonly panel: 'burn-rate';
      readonly pair: WindowPair;
    }
  /** Service (RED): request rate, error ratio, or latency at a quantile (`quantile: 0.95`). */
  | { readonly dashboard: 'service'; readonly panel: 'requests' | 'errors' }
  | { readonly dashboard: 'service'; readonly panel: 'latency'; readonly quantile: number }
  /** Infrastructure: usage against limits. */
  | { readonly dashboard: 'infrastructure'; readonly panel: 'cpu' | 'memory' | 'disk' | 'network' }
  /** Business: a panel by the key its definition gives it, or the dashboard's first panel. */
  | { readonly dashboard: 'business'; readonly panel?: string };

/** What a link needs of a plan: its uid and the id of each panel key. */
interface NumberedPlan {
  readonly uid: string;
  readonly ids: ReadonlyMap<string, number>;
  /** Key of the dashboard's first panel: where a link that names no panel lands. */
  readonly first: string | undefined;
}

const numbered = (plan: DashboardPlan): NumberedPlan => ({
  uid: plan.uid,
  ids: panelIds(plan),
  first: plan.rows.flatMap((r) => r.panels)[0]?.key,
});

// Every alert links to a panel (one per window pair of every SLO, in every target that compiles
// rules), and planning a dashboard to number its panels costs more than the rest of the alert.
const numberedOverview = byIdentity((svc: ResolvedService, env: Environment) =>
  numbered(sloOverviewPlan(svc, env)),
);
const numberedDetails = byIdentity(
  (_svc: ResolvedService, _env: Environment) => new Map<ResolvedSlo, NumberedPlan>(),
);
function numberedDetail(svc: ResolvedService, slo: ResolvedSlo, env: Environment): NumberedPlan {
  const plans = numberedDetails(svc, env);
  let found = plans.get(slo);
  if (!found) {
    found = numbered(sloDetailPlan(svc, slo, env));
    plans.set(slo, found);
  }
  return found;
}
const numberedServicePlans = byIdentity((svc: ResolvedService, env: Environment) =>
  servicePlans(svc, env).map((plan) => ({ kind: plan.kind, ...numbered(plan) })),
);

function resolve(
  svc: ResolvedService,
  env: Environment,
  target: PanelTarget,
): { plan: NumberedPlan; key: string } | undefined {
  const slo = 'slo' in target ? svc.slos.find((s) => s.id === target.slo) : undefined;
  const pairIndex =
    'pair' in target && slo
      ? slo.windows.findIndex(
          (p) => p.tier === target.pair.tier && p.long === target.pair.long && p.short === target.pair.short,
        )
      : -1;
  switch (target.dashboard) {
    case 'slo-overview': {
      const plan = numberedOverview(svc, env);
      if (!('slo' in target)) return { plan, key: SLO_PANEL.alerts };
      if (!slo) return undefined;
      if (target.panel !== 'burn-rate') return { plan, key: SLO_PANEL.overview(slo.id, target.panel) };
      return pairIndex < 0 ? undefined : { plan, key: SLO_PANEL.overviewBurnRate(slo.id, pairIndex) };
    }
    case 'slo-detail': {
      if (!slo) return undefined;
      const plan = numberedDetail(svc, slo, env);
      if (target.panel !== 'burn-rate') {
        const keys = {
          sli: SLO_PANEL.sli,
          budget: SLO_PANEL.budget,
          'burn-down': SLO_PANEL.burnDown,
          events: SLO_PANEL.events,
        };
        return { plan, key: keys[target.panel] };
      }
      return pairIndex < 0 ? undefined : { plan, key: SLO_PANEL.burnRate(pairIndex) };
    }
    case 'service':
    case 'infrastructure':
    case 'business': {
      const kind = target.dashboard === 'service' ? 'red' : target.dashboard;
      const plan = numberedServicePlans(svc, env).find((p) => p.kind === kind);
      if (!plan) return undefined;
      const key =
        'quantile' in target ? SERVICE_PANEL.latency(target.quantile) : (target.panel ?? plan.first);
      return key === undefined ? undefined : { plan, key };
    }
  }
}

/**
 * URL of the dashboard and panel that explain an alert, with the environment selected:
 * `<grafanaBaseUrl>/d/<uid>?var-environment=<env>&viewPanel=<id>`. Undefined when the service
 * has no such dashboard or panel (no dashboards/ definition for it, an unknown SLO or key).
 */
export function dashboardLink(
  svc: ResolvedService,
  env: Environment,
  target: PanelTarget,
): string | undefined {
  const found = resolve(svc, env, target);
  if (!found) return undefined;
  const id = found.plan.ids.get(found.key);
  if (id === undefined) return undefined;
  const query = new URLSearchParams({
    [`var-${DASHBOARD_VARIABLE.environment}`]: env.name,
    viewPanel: String(id),
  });
  return urlUnder(env.grafanaBaseUrl, `d/${found.plan.uid}`, query.toString());
}

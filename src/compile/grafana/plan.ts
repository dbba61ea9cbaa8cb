/**
 * A dashboard as a plan (rows of keyed panels) before it is built with the foundation SDK. Panel
 * ids follow from the plan alone, so `dashboard_url` links and the built JSON agree by
 * construction: rows and panels are numbered 1, 2, 3... in reading order.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  CustomVariableBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  type Panel,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_VARIABLE, GENERATED_HEADER, GRAFANA_SCHEMA_VERSION } from '../../conventions.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import { clusterLabelOf, type Environment } from '../../model/service.ts';
import { sliSelectors } from '../../model/slo.ts';
import { DATASOURCE } from './panels.ts';
import { contractSeries } from './queries.ts';

/** A panel builder the plan numbers: everything but the id is set. */
export interface NumberedPanel extends cog.Builder<Panel> {
  id(id: number): this;
}

export interface PanelPlan {
  /** Stable key, unique in the dashboard; `dashboardLink` targets resolve to it. */
  readonly key: string;
  readonly build: () => NumberedPanel;
  /** Where a definition wrote this panel (`['business', 'rows', 0, 'panels', 'accuracy']`), for diagnostics. */
  readonly origin?: readonly (string | number)[];
}

export interface RowPlan {
  readonly title: string;
  readonly panels: readonly PanelPlan[];
}

export interface DashboardPlan {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** Short name of the kind (`slo`, `red`...), a tag. */
  readonly kind: string;
  /** Default time range start, relative (`now-24h`). */
  readonly from: string;
  readonly rows: readonly RowPlan[];
  /** Definition file the dashboard comes from, for diagnostics. */
  readonly source: string;
}

/** Panel id of every panel key (rows are numbered too, so ids never collide with them). */
export function panelIds(plan: DashboardPlan): Map<string, number> {
  const ids = new Map<string, number>();
  let next = 1;
  for (const row of plan.rows) {
    next += 1;
    for (const panel of row.panels) {
      if (ids.has(panel.key)) throw new Error(`panel key ${panel.key} is used twice in ${plan.uid}`);
      ids.set(panel.key, next);
      next += 1;
    }
  }
  return ids;
}

/**
 * The environment variable: one option per environment of the service, shown by name, whose
 * value is the environment's namespace. Recorded SLO series select `${environment:text}` (their
 * `environment` label), raw series `$environment` (their `namespace` label), so switching it
 * switches every panel.
 */
function environmentVariable(svc: ResolvedService, env: Environment): CustomVariableBuilder {
  const options = svc.environments.map((e) => ({ text: e.name, value: e.namespace }));
  return new CustomVariableBuilder(DASHBOARD_VARIABLE.environment)
    .label('Environment')
    .values(options.map((o) => `${o.text} : ${o.value}`).join(','))
    .current({ selected: true, text: env.name, value: env.namespace })
    .options(options.map((o) => ({ ...o, selected: o.text === env.name })));
}

/**
 * The series the cluster variable reads its values from: the first SLI metric of the service (a
 * ratio's total, a histogram's count), in the environment's namespace, for every cluster.
 */
function clusterSource(svc: ResolvedService, env: Environment): string | undefined {
  const { clusters: _all, ...oneCluster } = env;
  for (const slo of svc.slos) {
    const found = sliSelectors(slo.sli).at(-1);
    if (!found) continue;
    const [, sel] = found;
    const name = sel.metric.type === 'histogram' ? `${sel.metric.name}_count` : sel.metric.name;
    return contractSeries(sel, oneCluster, name);
  }
  return undefined;
}

/**
 * The cluster variable of an environment that spans clusters: the values of its cluster label on
 * an SLI metric, several at once or All (`.*`, which also matches series without the label).
 * Every query of the dashboard matches `<label>=~"$cluster"`.
 */
function clusterVariable(svc: ResolvedService, env: Environment): QueryVariableBuilder | undefined {
  const label = clusterLabelOf(env);
  if (label === undefined) return undefined;
  const source = clusterSource(svc, env);
  const query = source === undefined ? `label_values(${label})` : `label_values(${source}, ${label})`;
  return new QueryVariableBuilder(DASHBOARD_VARIABLE.cluster)
    .label('Cluster')
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** The built dashboard JSON of a plan, for one environment. */
export function buildDashboard(plan: DashboardPlan, svc: ResolvedService, env: Environment): Dashboard {
  const ids = panelIds(plan);
  const builder = new DashboardBuilder(plan.title)
    .uid(plan.uid)
    .description(`${plan.description} (${GENERATED_HEADER}; source: ${plan.source})`)
    .tags([svc.name, 'obsgen', plan.kind])
    .readonly()
    .timezone('utc')
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: plan.from, to: 'now' })
    .refresh('1m')
    .withVariable(
      new DatasourceVariableBuilder(DASHBOARD_VARIABLE.datasource).label('Data source').type('prometheus'),
    )
    .withVariable(environmentVariable(svc, env));
  const clusters = clusterVariable(svc, env);
  if (clusters) builder.withVariable(clusters);
  builder.link(
    new DashboardLinkBuilder(`${svc.name} dashboards`)
      .type(DashboardLinkType.Dashboards)
      .tags([svc.name, 'obsgen'])
      .asDropdown(true)
      .includeVars(true)
      .keepTime(true)
      .icon('external link')
      .tooltip('')
      .targetBlank(false),
  );
  let rowId = 1;
  for (const row of plan.rows) {
    builder.withRow(new RowBuilder(row.title).id(rowId));
    for (const panel of row.panels) builder.withPanel(panel.build().id(ids.get(panel.key) ?? 0));
    rowId += row.panels.length + 1;
  }
  return plainData({ ...builder.build(), schemaVersion: GRAFANA_SCHEMA_VERSION }) as Dashboard;
}

/** Keys in `sort()` order, sorted in place: objects have a few keys, and `sort()` allocates. */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * A deep copy without functions and undefined values: the SDK's query builders leave a marker
 * method (`_implementsDataqueryVariant`) on every query, and the document must be plain data.
 * Keys are copied in the order the JSON is printed in, so printing it copies nothing again.
 */
function plainData(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plainData);
  // A loop instead of entries/filter/fromEntries: every dashboard of every service and
  // environment is copied.
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function') continue;
    // Assigning `__proto__` would set the prototype instead of adding a key.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: plainData(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = plainData(v);
  }
  return out;
}

/**
 * Every dashboard query must parse as PromQL and select only series that exist by construction:
 * a generated recording rule's output (or `ALERTS` of a generated alerting rule) or a metric of
 * the service's contract, with labels those series carry. Anything else would be an empty panel
 * nobody notices.
 */
import { interpolate } from '../compile/grafana/index.ts';
import type { Artifacts } from '../compile/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { ResolvedService } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { type Parsed, parsePromql, walk } from '../promql/index.ts';
import { type QueryProblem, queryProblems, type SeriesCatalog } from './series.ts';

export { contractSeriesNames } from './series.ts';

/** One query of one panel of a generated dashboard, with the definition it came from. */
export interface PanelQuery {
  readonly service: ResolvedService;
  readonly env: Environment;
  /** Definition file of the dashboard (dashboards/*.ts, or the service file for SLO dashboards). */
  readonly file: string;
  /** Field of the panel in that file, ending in `expr`. */
  readonly path: readonly (string | number)[];
  readonly title: string;
  readonly refId: string;
  /** The query with the dashboard variables replaced by the environment's values. */
  readonly expr: string;
  readonly parsed: Parsed;
}

interface Target {
  readonly refId?: string | null;
  readonly expr?: string;
}

/** Every panel query of the compiled dashboards, per service and environment. */
export function panelQueries(artifacts: Pick<Artifacts, 'services'>): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const { svc, env, dashboards } of artifacts.services)
    for (const built of dashboards) {
      const panels = (built.dashboard.panels ?? []).filter((p) => p.type !== 'row') as {
        id?: number;
        title?: string;
        targets?: Target[];
      }[];
      const planned = built.plan.rows.flatMap((r) => r.panels);
      panels.forEach((panel, i) => {
        const key = planned[i]?.key ?? String(panel.id);
        const origin = planned[i]?.origin;
        for (const target of panel.targets ?? []) {
          const expr = interpolate(target.expr ?? '', svc, env);
          out.push({
            service: svc,
            env,
            file: built.plan.source,
            path: [...(origin ?? [built.plan.uid, 'panels', key, 'targets', target.refId ?? '?']), 'expr'],
            title: panel.title ?? key,
            refId: target.refId ?? '?',
            expr,
            parsed: parsePromql(expr),
          });
        }
      });
    }
  return out;
}

const CODES: Readonly<Record<QueryProblem['kind'], string>> = {
  syntax: 'dashboards/promql-syntax',
  'unnamed-selector': 'dashboards/unnamed-selector',
  'unknown-metric': 'dashboards/unknown-metric',
  'unknown-label': 'dashboards/unknown-label',
};

/** Metric names a PromQL expression selects, or a syntax problem. Pure. */
export function selectedMetrics(expr: string): {
  names: string[];
  problems: { code: string; message: string }[];
} {
  const parsed = parsePromql(expr);
  if (!parsed.ok)
    return {
      names: [],
      problems: [{ code: CODES.syntax, message: `does not parse as PromQL: ${parsed.error.message}` }],
    };
  const names: string[] = [];
  const problems: { code: string; message: string }[] = [];
  walk(parsed.root, (node) => {
    if (node.kind !== 'selector') return;
    if (node.name !== undefined) names.push(node.name);
    else
      problems.push({
        code: CODES['unnamed-selector'],
        message: `selects series without an exact metric name (${expr.slice(node.from, node.to)}), which cannot be checked`,
      });
  });
  return { names, problems };
}

/** Problems of every dashboard query of the project, each reported once. */
export function lintDashboardQueries(
  queries: readonly PanelQuery[],
  catalog: (svc: ResolvedService, env: Environment) => SeriesCatalog,
): Diagnostic[] {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const q of queries)
    for (const p of queryProblems(q.parsed, catalog(q.service, q.env))) {
      const d: Diagnostic = {
        code: CODES[p.kind],
        severity: 'error',
        file: q.file,
        path: q.path,
        message: `panel "${q.title}" query ${q.refId} ${p.message}`,
        ...(p.hint ? { hint: p.hint } : {}),
      };
      const id = JSON.stringify([d.file, d.path, d.code, d.message]);
      if (seen.has(id)) continue;
      seen.add(id);
      diagnostics.push(d);
    }
  return diagnostics;
}

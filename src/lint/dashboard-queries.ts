/**
 * Every dashboard query must parse as PromQL and select only series that exist by construction:
 * a generated recording rule's output (or `ALERTS` of a generated alerting rule) or a metric of
 * the service's contract. Anything else would be an empty panel nobody notices.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { type BuiltDashboard, interpolate, toDashboards } from '../compile/grafana/index.ts';
import { isAlertingRule, toRuleFile } from '../compile/prometheus/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { MetricContract } from '../model/metrics.ts';
import type { Project, ResolvedService } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';

/** Series names a contract's metrics expose (histograms as _bucket/_count/_sum). */
export function contractSeriesNames(metrics: MetricContract): Set<string> {
  const names = new Set<string>();
  for (const m of Object.values(metrics)) {
    if (m.type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(`${m.name}${s}`);
    else if (m.type === 'summary') for (const s of ['', '_count', '_sum']) names.add(`${m.name}${s}`);
    else names.add(m.name);
  }
  return names;
}

/** Series names the generated rules of a service produce in an environment. */
export function ruleSeriesNames(svc: ResolvedService, env: Environment): Set<string> {
  const names = new Set<string>();
  for (const group of toRuleFile(svc, env).groups)
    for (const rule of group.rules) {
      if (isAlertingRule(rule)) {
        names.add('ALERTS');
        names.add('ALERTS_FOR_STATE');
      } else names.add(rule.record);
    }
  return names;
}

export interface QueryProblem {
  readonly code: string;
  readonly message: string;
}

const unquote = (literal: string): string => {
  try {
    return JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1)}"` : literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
};

/** Metric names a PromQL expression selects, or a syntax problem. Pure. */
export function selectedMetrics(expr: string): { names: string[]; problems: QueryProblem[] } {
  const tree = parser.parse(expr);
  const names: string[] = [];
  const problems: QueryProblem[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        problems.push({
          code: 'dashboards/promql-syntax',
          message: `does not parse as PromQL at offset ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 20), node.from + 20))}`,
        });
        return false;
      }
      if (node.name !== 'VectorSelector') return undefined;
      const identifier = node.node.getChild('Identifier');
      if (identifier) {
        names.push(expr.slice(identifier.from, identifier.to));
        return false;
      }
      const matchers = node.node.getChild('LabelMatchers');
      const byName = matchers
        ?.getChildren('UnquotedLabelMatcher')
        .find((m) => {
          const label = m.getChild('LabelName');
          const op = m.getChild('MatchOp');
          return (
            label !== null &&
            expr.slice(label.from, label.to) === '__name__' &&
            op !== null &&
            expr.slice(op.from, op.to) === '='
          );
        })
        ?.getChild('StringLiteral');
      if (byName) names.push(unquote(expr.slice(byName.from, byName.to)));
      else
        problems.push({
          code: 'dashboards/unnamed-selector',
          message: `selects series without an exact metric name (${expr.slice(node.from, node.to)}), which cannot be checked`,
        });
      return false;
    },
  });
  return { names, problems };
}

interface Target {
  readonly refId?: string | null;
  readonly expr?: string;
}

function lintDashboard(
  svc: ResolvedService,
  env: Environment,
  built: BuiltDashboard,
  known: ReadonlySet<string>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const panels = (built.dashboard.panels ?? []).filter((p) => p.type !== 'row') as {
    id?: number;
    title?: string;
    targets?: Target[];
  }[];
  const origins = new Map(built.plan.rows.flatMap((r) => r.panels).map((p) => [p.key, p.origin]));
  const keys = [...built.plan.rows.flatMap((r) => r.panels).map((p) => p.key)];
  panels.forEach((panel, i) => {
    const key = keys[i] ?? String(panel.id);
    const origin = origins.get(key) ?? [built.plan.uid, 'panels', key];
    for (const target of panel.targets ?? []) {
      const path = [...origin, ...(origins.get(key) ? [] : ['targets', target.refId ?? '?']), 'expr'];
      const expr = interpolate(target.expr ?? '', svc, env);
      const { names, problems } = selectedMetrics(expr);
      const report = (code: string, message: string, hint?: string) =>
        diagnostics.push({
          code,
          severity: 'error',
          file: built.plan.source,
          path,
          message: `panel "${panel.title ?? key}" query ${target.refId ?? '?'} ${message}`,
          ...(hint ? { hint } : {}),
        });
      for (const p of problems) report(p.code, p.message);
      for (const name of [...new Set(names)].sort())
        if (!known.has(name))
          report(
            'dashboards/unknown-metric',
            `selects ${name}, which is neither in the metric contract of ${svc.name} nor produced by a generated rule`,
            'declare the metric in the contract (slos/) or select a recorded slo: series',
          );
    }
  });
  return diagnostics;
}

/** Problems of every dashboard query of the project, each reported once. */
export function lintDashboardQueries(project: Project): Diagnostic[] {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const svc of project.services) {
    const contract = contractSeriesNames(svc.metrics);
    for (const env of svc.environments) {
      const known = new Set([...contract, ...ruleSeriesNames(svc, env)]);
      for (const built of toDashboards(svc, env))
        for (const d of lintDashboard(svc, env, built, known)) {
          const id = JSON.stringify([d.file, d.path, d.code, d.message]);
          if (seen.has(id)) continue;
          seen.add(id);
          diagnostics.push(d);
        }
    }
  }
  return diagnostics;
}

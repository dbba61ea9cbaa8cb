/**
 * Every series a generated rule selects exists: it is in the service's metric contract, recorded
 * by a generated rule of the environment, or `ALERTS`; every label a selector matches on is
 * declared on that series, and every label a `by`, `without`, `on`, `ignoring` or `group_*`
 * clause names is carried by its input (recorded series carry the labels their rule keeps and
 * sets). Dashboard panels get the same check in dashboard-queries.ts.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { type LintContext, placeRuleFindings, type RuleFinding } from './context.ts';
import { queryProblems } from './series.ts';

export function lintRuleSeries(ctx: LintContext): Diagnostic[] {
  const findings: RuleFinding[] = [];
  for (const ref of ctx.rules) {
    // A syntax error is promql-syntax's finding.
    if (!ref.parsed.ok) continue;
    for (const p of queryProblems(ref.parsed, ctx.catalog(ref.service, ref.env)))
      findings.push({
        ref,
        code: `series/${p.kind}`,
        field: ['expr'],
        message: p.message,
        ...(p.hint ? { hint: p.hint } : {}),
      });
  }
  return placeRuleFindings(ctx, findings);
}

/**
 * The PromQL of every generated rule parses, with the position of the first error. Catalog alert
 * expressions are already parsed at validation; raw SLIs and anything a target adds are not.
 * Dashboard queries are checked by dashboard-queries.ts.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { type LintContext, placeRuleFindings, type RuleFinding } from './context.ts';

export function lintPromqlSyntax(ctx: LintContext): Diagnostic[] {
  const findings: RuleFinding[] = [];
  for (const ref of ctx.rules) {
    if (ref.parsed.ok) continue;
    findings.push({
      ref,
      code: 'promql/syntax',
      field: ['expr'],
      message: `does not parse as PromQL: ${ref.parsed.error.message}`,
      hint: 'fix the expression; the error position counts from the start of the expression',
      exprLineOffset: ref.parsed.error.line - 1,
    });
  }
  return placeRuleFindings(ctx, findings);
}

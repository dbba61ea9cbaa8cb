/** Every alert name of the generated rules has its runbook, generated/runbooks/<service>/<AlertName>.md. */
import { isAlertingRule } from '../compile/prometheus/index.ts';
import { runbookFile } from '../conventions.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { type LintContext, placeRuleFindings, type RuleFinding } from './context.ts';

export function lintAlertRunbooks(ctx: LintContext): Diagnostic[] {
  const findings: RuleFinding[] = [];
  const reported = new Set<string>();
  for (const ref of ctx.rules) {
    if (!isAlertingRule(ref.rule)) continue;
    const path = `runbooks/${runbookFile(ref.service.name, ref.name)}`;
    if (ctx.tree.has(path) || reported.has(`${ref.env.name}/${path}`)) continue;
    reported.add(`${ref.env.name}/${path}`);
    findings.push({
      ref,
      code: 'runbooks/missing',
      field: ['name'],
      message: `alert ${ref.name} has no runbook: ${ctx.outDir}/${path} is not generated`,
      hint: 'every alert gets a runbook from its definition (runbook: { impact, steps }); add the alert to the runbooks target',
    });
  }
  return placeRuleFindings(ctx, findings);
}

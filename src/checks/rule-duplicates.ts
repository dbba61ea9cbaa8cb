/**
 * No rule is generated twice (same alert or record name and the same labels) in two rule files an
 * environment's Prometheus loads together: both would produce the same series or alerts and
 * Prometheus would not say which one wins. Duplicates within one file are promtool's finding.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import type { LintContext, RuleRef } from './context.ts';

/** Environment directory of a rule file (`prometheus/production/x.yaml` -> `prometheus/production`). */
const directoryOf = (path: string): string => path.slice(0, path.lastIndexOf('/'));

const where = (ctx: LintContext, ref: RuleRef): string =>
  `${ctx.outDir}/${ref.path}:${ref.line} (group ${ref.group})`;

export function lintRuleDuplicates(ctx: LintContext): Diagnostic[] {
  const first = new Map<string, RuleRef>();
  const out: Diagnostic[] = [];
  for (const ref of ctx.rules) {
    const labels = Object.entries(ref.rule.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const key = JSON.stringify([
      directoryOf(ref.path),
      'alert' in ref.rule ? 'alert' : 'record',
      ref.name,
      labels,
    ]);
    const seen = first.get(key);
    if (!seen) {
      first.set(key, ref);
      continue;
    }
    if (seen.path === ref.path) continue;
    const shown = labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    out.push({
      code: 'rules/duplicate',
      severity: 'error',
      file: `${ctx.outDir}/${ref.path}`,
      line: ref.line,
      path: [ref.group, ref.name],
      message: `${ref.name} {${shown}} is also generated in ${where(ctx, seen)}${seen.origin ? ` from ${seen.origin.file}` : ''}${ref.origin ? `; this one from ${ref.origin.file}` : ''}`,
      hint: 'give the rules different names or labels, or generate the rule once',
    });
  }
  return out;
}

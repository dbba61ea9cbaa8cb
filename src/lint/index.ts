/**
 * `obsgen lint`: every check of the definitions and of everything generated from them. A check is
 * one file exporting a function from the lint context to diagnostics; a new output gets its checks
 * by adding files and listing them here.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { lintAlertRunbooks } from './alert-runbooks.ts';
import { lintAlertmanagerAmtool } from './alertmanager-amtool.ts';
import { lintAlertmanagerRoutes } from './alertmanager-routes.ts';
import { lintAlertmanagerSecrets } from './alertmanager-secrets.ts';
import type { LintContext } from './context.ts';
import { lintCounters } from './counters.ts';
import { lintDashboardLinks } from './dashboard-links.ts';
import { lintDashboardQueries } from './dashboard-queries.ts';
import { lintPrometheusPromtool } from './prometheus-promtool.ts';
import { lintPromqlSyntax } from './promql-syntax.ts';
import { lintRuleConventions } from './rule-conventions.ts';
import { lintRuleDuplicates } from './rule-duplicates.ts';
import { lintRuleSeries } from './rule-series.ts';
import { lintSloSanity } from './slo-sanity.ts';

export type { LintContext } from './context.ts';
export { lintContext } from './context.ts';
export { formatLint, LINT_FORMATS, type LintFormat } from './format.ts';
export { ToolMissingError } from './tools.ts';

export interface LintCheck {
  /** Name (the file name), for `checks` selection and the report. */
  readonly name: string;
  /** What it proves, one line. */
  readonly description: string;
  readonly run: (ctx: LintContext) => Diagnostic[] | Promise<Diagnostic[]>;
}

export const CHECKS: readonly LintCheck[] = [
  { name: 'promql-syntax', description: 'the PromQL of every rule parses', run: lintPromqlSyntax },
  {
    name: 'prometheus-promtool',
    description: 'promtool check rules --lint=all --lint-fatal accepts every rule file',
    run: lintPrometheusPromtool,
  },
  {
    name: 'rule-conventions',
    description: 'tiers, categories, required labels and annotations, summaries, names, for bounds',
    run: lintRuleConventions,
  },
  {
    name: 'counters',
    description: 'rate/increase over counters only, ranges of two samples or more',
    run: lintCounters,
  },
  { name: 'rule-series', description: 'rules select known series and declared labels', run: lintRuleSeries },
  {
    name: 'slo-sanity',
    description: 'burn windows within the period and four scrapes, grouping labels kept',
    run: lintSloSanity,
  },
  {
    name: 'rule-duplicates',
    description: 'no rule generated twice in the rule files of one environment',
    run: lintRuleDuplicates,
  },
  { name: 'alert-runbooks', description: 'every alert has its generated runbook', run: lintAlertRunbooks },
  {
    name: 'alertmanager-amtool',
    description: 'amtool check-config accepts every Alertmanager configuration',
    run: lintAlertmanagerAmtool,
  },
  {
    name: 'alertmanager-routes',
    description: 'every tier x category x environment reaches an intended receiver (amtool)',
    run: lintAlertmanagerRoutes,
  },
  {
    name: 'alertmanager-secrets',
    description: 'no inline secret in the Alertmanager configurations',
    run: lintAlertmanagerSecrets,
  },
  {
    name: 'dashboard-queries',
    description: 'panel queries parse and select known series and declared labels',
    run: (ctx) => lintDashboardQueries(ctx.project, ctx.panels, ctx.catalog),
  },
  {
    name: 'dashboard-links',
    description: "every alert's dashboard_url opens a generated panel",
    run: (ctx) =>
      lintDashboardLinks(ctx.documents, (alert) => ctx.project.alerts?.find((a) => a.name === alert)?.file),
  },
];

/** Diagnostics in a stable order: file, line, field path, code, message. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) =>
    [d.file, String(d.line ?? 0).padStart(8, '0'), d.path.join('.'), d.code, d.message].join('\u0000');
  return [...diagnostics].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Runs the checks (all, or those named) on a context; tool checks run concurrently with the rest. */
export async function runChecks(ctx: LintContext, names?: readonly string[]): Promise<Diagnostic[]> {
  const checks = names ? CHECKS.filter((c) => names.includes(c.name)) : CHECKS;
  // Every check settles before any error is thrown: the caller removes the directory they read.
  const settled = await Promise.allSettled(checks.map(async (c) => c.run(ctx)));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return sortDiagnostics(settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])));
}

/**
 * The one registry of checks. `generate`, `generate --check`, `test` and `lint` all run it: every
 * check says what it reads (the definitions, or the outputs compiled from them) and whether it
 * blocks `generate`. A check that needs an external tool (promtool, amtool) runs in `lint` only,
 * so generating never depends on the tools being installed; `obsgen lint --list` says which.
 * A new output gets its checks by adding a file and listing it here.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { lintAlertRunbooks } from './alert-runbooks.ts';
import { lintAlertmanagerAmtool } from './alertmanager-amtool.ts';
import { lintAlertmanagerRoutes, lintAlertmanagerRoutesAmtool } from './alertmanager-routes.ts';
import { lintAlertmanagerSecrets } from './alertmanager-secrets.ts';
import type { LintContext, OpenContext } from './context.ts';
import { lintCounters } from './counters.ts';
import { lintDashboardLinks } from './dashboard-links.ts';
import { lintDashboardQueries } from './dashboard-queries.ts';
import { lintKubernetesSizes } from './kubernetes-sizes.ts';
import { lintPrometheusPromtool } from './prometheus-promtool.ts';
import { lintPromqlSyntax } from './promql-syntax.ts';
import { lintProofCoverage } from './proof-coverage.ts';
import { lintRuleConventions } from './rule-conventions.ts';
import { lintRuleDuplicates } from './rule-duplicates.ts';
import { lintRuleSeries } from './rule-series.ts';
import { lintSloSanity } from './slo-sanity.ts';
import { lintVmalertDryRun } from './vmalert-dryrun.ts';

export type { LintContext, OpenContext } from './context.ts';
export { lintContext } from './context.ts';
export { formatLint, LINT_FORMATS, type LintFormat } from './format.ts';
export { ToolMissingError } from './tools.ts';

export interface Check {
  /** Name (the file name), for `checks` selection and the report. */
  readonly name: string;
  /** What it proves, one line. */
  readonly description: string;
  /**
   * What it reads: `definitions` (the validated model alone) or `outputs` (what the model compiles
   * to: rule files, routing, dashboards, Kubernetes objects, runbooks).
   */
  readonly reads: 'definitions' | 'outputs';
  /** Whether its errors stop `generate` (exit 1, nothing written); otherwise it runs in `lint` only. */
  readonly blocksGenerate: boolean;
  /** The external program it runs, if any. */
  readonly tool?: 'promtool' | 'amtool' | 'vmalert';
  readonly run: (ctx: LintContext) => Diagnostic[] | Promise<Diagnostic[]>;
}

/** Checks that read the outputs and need no tool: they block `generate`. */
const output = (check: Omit<Check, 'reads' | 'blocksGenerate'>): Check => ({
  ...check,
  reads: 'outputs',
  blocksGenerate: check.tool === undefined,
});

export const CHECKS: readonly Check[] = [
  output({ name: 'promql-syntax', description: 'the PromQL of every rule parses', run: lintPromqlSyntax }),
  output({
    name: 'prometheus-promtool',
    description: 'promtool check rules --lint=all --lint-fatal accepts every rule file',
    tool: 'promtool',
    run: lintPrometheusPromtool,
  }),
  output({
    name: 'vmalert-dryrun',
    description: 'vmalert -dryRun accepts the rule files of every environment whose engine is vmalert',
    tool: 'vmalert',
    run: lintVmalertDryRun,
  }),
  output({
    name: 'rule-conventions',
    description: 'tiers, categories, required labels and annotations, summaries, names, for bounds',
    run: lintRuleConventions,
  }),
  output({
    name: 'counters',
    description: 'rate/increase over counters only, ranges of two samples or more',
    run: lintCounters,
  }),
  output({
    name: 'rule-series',
    description: 'rules select known series and declared labels',
    run: lintRuleSeries,
  }),
  output({
    name: 'slo-sanity',
    description: 'burn windows within the period and four scrapes, grouping labels kept',
    run: lintSloSanity,
  }),
  output({
    name: 'rule-duplicates',
    description: 'no rule generated twice in the rule files of one environment',
    run: lintRuleDuplicates,
  }),
  output({
    name: 'proof-coverage',
    description:
      'every burn-rate (per window pair) and catalog alert has a scenario that fires it and one that keeps it silent',
    run: lintProofCoverage,
  }),
  output({
    name: 'alert-runbooks',
    description: 'every alert has its generated runbook',
    run: lintAlertRunbooks,
  }),
  output({
    name: 'alertmanager-amtool',
    description: 'amtool check-config accepts every Alertmanager configuration',
    tool: 'amtool',
    run: lintAlertmanagerAmtool,
  }),
  output({
    name: 'alertmanager-routes',
    description: 'every tier x category x environment reaches an intended receiver',
    run: lintAlertmanagerRoutes,
  }),
  output({
    name: 'alertmanager-routes-amtool',
    description: 'the same routing, asked of amtool config routes test',
    tool: 'amtool',
    run: lintAlertmanagerRoutesAmtool,
  }),
  output({
    name: 'alertmanager-secrets',
    description: 'no inline secret in the Alertmanager configurations',
    run: lintAlertmanagerSecrets,
  }),
  output({
    name: 'dashboard-queries',
    description: 'panel queries parse and select known series and declared labels',
    run: (ctx) => lintDashboardQueries(ctx.panels, ctx.catalog),
  }),
  output({
    name: 'dashboard-links',
    description: "every alert's dashboard_url opens a generated panel",
    run: (ctx) =>
      lintDashboardLinks(ctx.documents, (alert) => ctx.project.alerts?.find((a) => a.name === alert)?.file),
  }),
  output({
    name: 'kubernetes-sizes',
    description: 'every Kubernetes object fits its size limit (ConfigMap 1 MiB, PrometheusRule budget)',
    run: (ctx) => lintKubernetesSizes(ctx.documents),
  }),
];

/** The checks `generate` (and `generate --check`, `test`) run: every check that blocks it. */
export const GENERATE_CHECKS: readonly string[] = CHECKS.filter((c) => c.blocksGenerate).map((c) => c.name);

/** What the validate stage checks of the definitions before any check runs (src/validate/). */
const VALIDATIONS: readonly { readonly name: string; readonly description: string }[] = [
  {
    name: 'validate/services',
    description: 'shape, units, objectives, windows, the metric contract and its selectors',
  },
  { name: 'validate/routing', description: 'receivers, routes, secrets as *_file paths, time intervals' },
  {
    name: 'validate/kubernetes',
    description: 'namespaces, labels, folders and secret mounts of each environment',
  },
  {
    name: 'validate/alerts',
    description: 'the alert catalog: tiers, templates, PromQL, contract series, proof data',
  },
  { name: 'validate/dashboards', description: 'dashboard definitions: rows, panels, known series' },
];

/** `obsgen lint --list`: one line per check with what it reads and where it runs. */
export function formatCheckList(checks: readonly Check[] = CHECKS): string {
  const rows = [
    ...VALIDATIONS.map((v) => [v.name, 'definitions', 'generate+lint', v.description]),
    ...checks.map((c) => [
      c.name,
      c.reads,
      c.blocksGenerate ? 'generate+lint' : `lint only (${c.tool ?? 'no tool'})`,
      c.description,
    ]),
  ];
  const header = ['check', 'reads', 'runs in', 'what it proves'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
  return [
    line(header),
    ...rows.map(line),
    '',
    'validate/* run first: definitions that do not validate stop every command before any check.',
  ].join('\n');
}

/** Diagnostics in a stable order: file, line, field path, code, message. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) =>
    [d.file, String(d.line ?? 0).padStart(8, '0'), d.path.join('.'), d.code, d.message].join('\u0000');
  return [...diagnostics].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The same finding from two checks (routing in process and by amtool) is reported once. */
const unique = (diagnostics: readonly Diagnostic[]): Diagnostic[] => {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.file, d.line, d.path, d.code, d.severity, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/**
 * Runs the checks (all, or those named) on a context, then removes what the context wrote; tool
 * checks run concurrently with the rest.
 */
export async function runChecks(open: OpenContext, names?: readonly string[]): Promise<Diagnostic[]> {
  const checks = names ? CHECKS.filter((c) => names.includes(c.name)) : CHECKS;
  try {
    // Every check settles before any error is thrown: the directory they read is removed after.
    const settled = await Promise.allSettled(checks.map(async (c) => c.run(open.ctx)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return sortDiagnostics(unique(settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))));
  } finally {
    await open.close();
  }
}

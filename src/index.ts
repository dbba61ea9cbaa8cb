/** The library API: the CLI and the tests call these. */
import { join } from 'node:path';
import { compileProject, type Document } from './compile/index.ts';
import { checkTree, type FileTree, renderTree, type TreeDrift, writeTree } from './emit/index.ts';
import { lintDashboardLinks } from './lint/dashboard-links.ts';
import { lintDashboardQueries } from './lint/dashboard-queries.ts';
import { loadAlerts, loadDashboardDefinitions, loadDefinitions } from './load/index.ts';
import { type Diagnostic, hasErrors } from './model/diagnostic.ts';
import type { Project } from './model/resolved.ts';
import { validateProject } from './model/validate.ts';
import { validateAlerts } from './model/validate-alerts.ts';
import { validateDashboards } from './model/validate-dashboards.ts';
import { originOf, validateRouting } from './model/validate-routing.ts';

export { explain, formatExplain } from './explain.ts';
export type { Diagnostic } from './model/diagnostic.ts';
export { formatDiagnostic } from './model/diagnostic.ts';
export type { Project, ResolvedAlert, ResolvedService, ResolvedSlo } from './model/resolved.ts';

export interface ProjectOptions {
  /** Project root holding slos/. */
  readonly root: string;
  /** Definition directory, relative to root. @default 'slos' */
  readonly definitions?: string;
  /** Alert catalog directory, relative to root. @default 'alerts' */
  readonly alerts?: string;
  /** Dashboard definition directory, relative to root. @default 'dashboards' */
  readonly dashboards?: string;
}

/** Loads and validates the definitions; `project` is set only when there are no errors. */
export async function loadProject(
  options: ProjectOptions,
): Promise<{ project?: Project; diagnostics: Diagnostic[] }> {
  const loaded = await loadDefinitions(options.root, options.definitions ?? 'slos');
  const catalog = await loadAlerts(options.root, options.alerts ?? 'alerts');
  const loadDiagnostics = [...loaded.diagnostics, ...catalog.diagnostics];
  if (hasErrors(loadDiagnostics)) return { diagnostics: loadDiagnostics };
  const validated = validateProject(loaded.services);
  if (!validated.project) return { diagnostics: [...loadDiagnostics, ...validated.diagnostics] };
  // Alerts and routing are checked against valid services only, so one mistake is reported once.
  const routing = validateRouting(validated.project.services, loaded.exports);
  const alerts = validateAlerts(catalog.alerts, validated.project.services);
  const diagnostics = [...loadDiagnostics, ...validated.diagnostics, ...routing, ...alerts.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics };
  const routingFiles: Record<string, string> = {};
  for (const svc of validated.project.services)
    for (const env of svc.environments)
      if (env.alerting && routingFiles[env.name] === undefined)
        routingFiles[env.name] = originOf(env.alerting, env, svc, loaded.exports).file;
  const services = validated.project.services.map((svc) => ({
    ...svc,
    alerts: alerts.alerts.filter((a) => a.service === svc.name),
  }));
  const withAlerts: Project = { ...validated.project, services, alerts: alerts.alerts, routingFiles };
  const boards = await loadDashboardDefinitions(options.root, options.dashboards ?? 'dashboards');
  if (hasErrors(boards.diagnostics)) return { diagnostics: [...diagnostics, ...boards.diagnostics] };
  const withBoards = validateDashboards(boards.definitions, withAlerts);
  const all = [...diagnostics, ...boards.diagnostics, ...withBoards.diagnostics];
  return { diagnostics: all, ...(withBoards.project ? { project: withBoards.project } : {}) };
}

/**
 * Checks of the compiled output that definitions cannot express as types: every dashboard query
 * parses and selects known series, every alert links to an existing dashboard panel.
 */
export function lintOutput(project: Project, documents: readonly Document[]): Diagnostic[] {
  return [...lintDashboardQueries(project), ...lintDashboardLinks(documents)];
}

/** Rendered output of a project, by path under generated/. */
export function buildTree(project: Project): FileTree {
  return renderTree(compileProject(project));
}

export interface GenerateOptions extends ProjectOptions {
  /** Output directory, relative to root. @default 'generated' */
  readonly outDir?: string;
  /** Compare with the output directory instead of writing. */
  readonly check?: boolean;
}

export interface GenerateResult {
  readonly diagnostics: Diagnostic[];
  /** Set when the definitions were valid: what differed (check) or what was changed (write). */
  readonly drift?: TreeDrift;
  readonly documents?: Document[];
}

/** Validates, compiles and writes (or checks) generated/. Invalid definitions write nothing. */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { project, diagnostics } = await loadProject(options);
  if (!project) return { diagnostics };
  const documents = compileProject(project);
  const findings = lintOutput(project, documents);
  if (hasErrors(findings)) return { diagnostics: [...diagnostics, ...findings] };
  const tree = renderTree(documents);
  const outDir = join(options.root, options.outDir ?? 'generated');
  const drift = options.check ? await checkTree(outDir, tree) : await writeTree(outDir, tree);
  return { diagnostics, drift, documents };
}

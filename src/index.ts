/** The library API: the CLI and the tests call these. */
import { access } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { compileProject, type Document } from './compile/index.ts';
import {
  checkTree,
  type FileTree,
  isDriftFree,
  renderTree,
  type TreeDrift,
  toYamlDocuments,
  writeTree,
} from './emit/index.ts';
import { openSloFilePath, toOpenSloDocuments } from './export/openslo/index.ts';
import { findOpenSloFiles, importOpenSloFiles } from './import/openslo/index.ts';
import { lintDashboardLinks } from './lint/dashboard-links.ts';
import { lintDashboardQueries } from './lint/dashboard-queries.ts';
import {
  findOpenSloDefinitionFiles,
  loadAlerts,
  loadDashboardDefinitions,
  loadDefinitions,
  loadEnvironments,
} from './load/index.ts';
import { type Diagnostic, hasErrors } from './model/diagnostic.ts';
import type { Project } from './model/resolved.ts';
import type { Environment } from './model/service.ts';
import { validateProject } from './model/validate.ts';
import { validateAlerts } from './model/validate-alerts.ts';
import { validateDashboards } from './model/validate-dashboards.ts';
import { originOf, validateRouting } from './model/validate-routing.ts';
import { type ProofReport, type ProveOptions, proveAlerts } from './proof/index.ts';

export { formatDrillPlan, formatDrillReport, formatDrillStatus } from './drill/format.ts';
export { type DrillOptions, type DrillReport, DrillUsageError, runDrill } from './drill/run.ts';
export { DRILL_SCENARIOS, scenarioNames } from './drill/scenarios.ts';
export { explain, formatExplain } from './explain.ts';
export type { Diagnostic } from './model/diagnostic.ts';
export { formatDiagnostic } from './model/diagnostic.ts';
export type { Project, ResolvedAlert, ResolvedService, ResolvedSlo } from './model/resolved.ts';
export { formatProofReport, type ProofReport } from './proof/index.ts';

export interface ProjectOptions {
  /** Project root holding slos/. */
  readonly root: string;
  /** Definition directory, relative to root. @default 'slos' */
  readonly definitions?: string;
  /** Alert catalog directory, relative to root. @default 'alerts' */
  readonly alerts?: string;
  /** Dashboard definition directory, relative to root. @default 'dashboards' */
  readonly dashboards?: string;
  /** OpenSLO files or directories read besides the `*.yaml` definitions, relative to root. @default [] */
  readonly openslo?: readonly string[];
  /**
   * Module whose `environments` export the OpenSLO services are generated for (OpenSLO has no
   * environments), relative to root. @default '<definitions>/environments.ts'
   */
  readonly environments?: string;
}

const absolute = (root: string, path: string): string => (isAbsolute(path) ? path : resolve(root, path));

const environmentsModule = (options: ProjectOptions): string =>
  absolute(options.root, options.environments ?? join(options.definitions ?? 'slos', 'environments.ts'));

/** Loads and validates the definitions; `project` is set only when there are no errors. */
export async function loadProject(
  options: ProjectOptions,
): Promise<{ project?: Project; diagnostics: Diagnostic[] }> {
  const dir = options.definitions ?? 'slos';
  const loaded = await loadDefinitions(options.root, dir);
  const catalog = await loadAlerts(options.root, options.alerts ?? 'alerts');
  const openslo = await findOpenSloFiles(options.root, [
    ...(await findOpenSloDefinitionFiles(join(options.root, dir))),
    ...(options.openslo ?? []),
  ]);
  const services = [...loaded.services];
  const loadDiagnostics = [...loaded.diagnostics, ...catalog.diagnostics, ...openslo.diagnostics];
  if (openslo.files.length > 0) {
    const env = await loadEnvironments(options.root, environmentsModule(options));
    loadDiagnostics.push(...env.diagnostics);
    if (env.environments) {
      const imported = await importOpenSloFiles(options.root, openslo.files, {
        environments: env.environments,
      });
      loadDiagnostics.push(...imported.diagnostics);
      services.push(...imported.services);
    }
  }
  if (hasErrors(loadDiagnostics)) return { diagnostics: loadDiagnostics };
  const validated = validateProject(services);
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
  const withAlerts: Project = {
    ...validated.project,
    services: validated.project.services.map((svc) => ({
      ...svc,
      alerts: alerts.alerts.filter((a) => a.service === svc.name),
    })),
    alerts: alerts.alerts,
    routingFiles,
  };
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

/**
 * The single environment OpenSLO files are checked against when the project has no environments
 * module: `validate` must work on a directory of OpenSLO files alone.
 */
export const VALIDATION_ENVIRONMENT: Environment = Object.freeze({
  name: 'default',
  namespace: 'default',
  runbookBaseUrl: 'https://runbooks.invalid',
  grafanaBaseUrl: 'https://grafana.invalid',
});

export interface ValidateResult {
  readonly diagnostics: Diagnostic[];
  readonly files: number;
  /** Valid objects by kind. */
  readonly objects: Readonly<Record<string, number>>;
  /** Services and SLOs the files convert into. */
  readonly services: number;
  readonly slos: number;
  /** Whether the environments came from the project (false: the single `default` environment). */
  readonly projectEnvironments: boolean;
}

/**
 * Checks OpenSLO files without generating: schema, references, conversion into the model and the
 * model's own validation, against the project's environments when it has them.
 */
export async function validateOpenSlo(
  options: Omit<ProjectOptions, 'openslo'> & { readonly paths: readonly string[] },
): Promise<ValidateResult> {
  const found = await findOpenSloFiles(options.root, options.paths);
  const module = environmentsModule(options);
  const present = await access(module).then(
    () => true,
    () => false,
  );
  const env =
    options.environments !== undefined || present
      ? await loadEnvironments(options.root, module)
      : { environments: [VALIDATION_ENVIRONMENT], diagnostics: [] };
  if (!env.environments)
    return {
      diagnostics: env.diagnostics,
      files: 0,
      objects: {},
      services: 0,
      slos: 0,
      projectEnvironments: true,
    };
  const imported = await importOpenSloFiles(options.root, found.files, { environments: env.environments });
  const validated = hasErrors(imported.diagnostics) ? undefined : validateProject(imported.services);
  const diagnostics = [...found.diagnostics, ...imported.diagnostics, ...(validated?.diagnostics ?? [])];
  if (found.files.length === 0 && found.diagnostics.length === 0)
    diagnostics.push({
      code: 'openslo/no-files',
      severity: 'error',
      file: options.paths.join(' '),
      path: [],
      message: 'no OpenSLO files (*.yaml, *.yml, *.json) found',
    });
  return {
    diagnostics,
    files: found.files.length,
    objects: imported.objects,
    services: imported.services.length,
    slos: imported.services.reduce((n, s) => n + ((s.value as { slos: unknown[] }).slos?.length ?? 0), 0),
    projectEnvironments: env.environments[0] !== VALIDATION_ENVIRONMENT,
  };
}

/** OpenSLO v1 files of every service, by file name; diagnostics name what OpenSLO cannot express. */
export function exportOpenSlo(project: Project): { tree: FileTree; diagnostics: Diagnostic[] } {
  const tree = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const svc of project.services) {
    const exported = toOpenSloDocuments(svc);
    diagnostics.push(...exported.diagnostics);
    tree.set(openSloFilePath(svc), toYamlDocuments(exported.documents, [svc.file]));
  }
  return { tree, diagnostics };
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

export interface TestResult {
  readonly diagnostics: Diagnostic[];
  /** Set when the definitions were valid. */
  readonly report?: ProofReport;
  /** Whether generated/ holds exactly what the definitions compile to (so the committed tests were run). */
  readonly upToDate?: boolean;
}

/**
 * Compiles the definitions and runs every generated promtool unit test with the real promtool;
 * the report says per alert which scenarios passed.
 */
export async function testAlerts(
  options: ProjectOptions & { readonly outDir?: string },
  prove: ProveOptions = {},
): Promise<TestResult> {
  const { project, diagnostics } = await loadProject(options);
  if (!project) return { diagnostics };
  const documents = compileProject(project);
  const findings = lintOutput(project, documents);
  if (hasErrors(findings)) return { diagnostics: [...diagnostics, ...findings] };
  const drift = await checkTree(join(options.root, options.outDir ?? 'generated'), renderTree(documents));
  const report = await proveAlerts(project, prove, documents);
  return { diagnostics, report, upToDate: isDriftFree(drift) };
}

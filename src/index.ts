/** The library API: the CLI and the tests call these. */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { compileProject, type Document } from './compile/index.ts';
import { extractRevision } from './diff/git.ts';
import { type Change, type Compiled, diffCompiled } from './diff/index.ts';
import { formatDiffMarkdown } from './diff/markdown.ts';
import {
  checkTree,
  type FileTree,
  isDriftFree,
  renderTree,
  type TreeDrift,
  toYamlDocuments,
  writeFiles,
  writeTree,
} from './emit/index.ts';
import { openSloFilePath, toOpenSloDocuments } from './export/openslo/index.ts';
import { findOpenSloFiles, importOpenSloFiles } from './import/openslo/index.ts';
import { lintDashboardLinks } from './lint/dashboard-links.ts';
import { lintDashboardQueries } from './lint/dashboard-queries.ts';
import { CHECKS, lintContext, runChecks, sortDiagnostics } from './lint/index.ts';
import { lintKubernetesSizes } from './lint/kubernetes-sizes.ts';
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
import { type ProofReport, type ProveOptions, proveAlerts } from './proof/index.ts';
import {
  originOf,
  validateAlerts,
  validateDashboards,
  validateKubernetes,
  validateProject,
  validateRouting,
} from './validate/index.ts';

export { RevisionError } from './diff/git.ts';
export type { Change } from './diff/index.ts';
export { formatDiffMarkdown } from './diff/markdown.ts';
export { formatDrillPlan, formatDrillReport, formatDrillStatus } from './drill/format.ts';
export { type DrillOptions, type DrillReport, DrillUsageError, runDrill } from './drill/run.ts';
export { DRILL_SCENARIOS, scenarioNames } from './drill/scenarios.ts';
export { explain, formatExplain } from './explain.ts';
export { CHECKS, formatLint, LINT_FORMATS, type LintFormat, ToolMissingError } from './lint/index.ts';
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
  const kubernetes = hasErrors(routing) ? [] : validateKubernetes(validated.project.services, loaded.exports);
  const alerts = validateAlerts(catalog.alerts, validated.project.services);
  const diagnostics = [
    ...loadDiagnostics,
    ...validated.diagnostics,
    ...routing,
    ...kubernetes,
    ...alerts.diagnostics,
  ];
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

/** The definition file of a catalog alert by name. */
const alertFileOf =
  (project: Project) =>
  (alert: string): string | undefined =>
    project.alerts?.find((a) => a.name === alert)?.file;

/**
 * Checks of the compiled output that definitions cannot express as types: every dashboard query
 * parses and selects known series, every alert links to an existing dashboard panel, every
 * Kubernetes object fits its size limit.
 */
export function lintOutput(project: Project, documents: readonly Document[]): Diagnostic[] {
  return [
    ...lintDashboardQueries(project),
    ...lintDashboardLinks(documents, alertFileOf(project)),
    ...lintKubernetesSizes(documents),
  ];
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

export interface LintOptions extends ProjectOptions {
  /** Names of the checks to run (`CHECKS` in src/lint/index.ts). @default every check */
  readonly checks?: readonly string[];
}

export interface LintResult {
  /** Findings: the definitions' validation diagnostics, then every check's, in a stable order. */
  readonly diagnostics: Diagnostic[];
  /** Names of the checks that ran (none when the definitions do not validate). */
  readonly checks: string[];
}

/** Names of `checks` that are not lint checks (a usage error). */
export const unknownChecks = (checks: readonly string[]): string[] =>
  checks.filter((name) => !CHECKS.some((c) => c.name === name));

/**
 * Lints compiled documents: renders them into a temporary directory (the real tools read files),
 * runs the checks, removes the directory. The documents need not be the compiler's own (tests
 * hand it altered ones).
 */
export async function lintDocuments(
  project: Project,
  documents: readonly Document[],
  checks?: readonly string[],
): Promise<LintResult> {
  const tree = renderTree(documents);
  const workDir = await mkdtemp(join(tmpdir(), 'obsgen-lint-'));
  try {
    await writeFiles(workDir, tree);
    const ctx = lintContext({ project, documents, tree, workDir });
    const diagnostics = await runChecks(ctx, checks);
    return {
      diagnostics,
      checks: CHECKS.filter((c) => !checks || checks.includes(c.name)).map((c) => c.name),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * `obsgen lint`: validates the definitions (their diagnostics are findings too), compiles them
 * and checks the output as it would be generated, with promtool and amtool. Reads definitions
 * only: generated/ is neither read nor written (`generate --check` compares it).
 */
export async function lint(options: LintOptions): Promise<LintResult> {
  const unknown = unknownChecks(options.checks ?? []);
  if (unknown.length > 0) throw new TypeError(`unknown lint check(s): ${unknown.join(', ')}`);
  const { project, diagnostics } = await loadProject(options);
  if (!project) return { diagnostics: sortDiagnostics(diagnostics), checks: [] };
  const result = await lintDocuments(project, compileProject(project), options.checks);
  return { ...result, diagnostics: sortDiagnostics([...diagnostics, ...result.diagnostics]) };
}

const compiled = (project: Project): Compiled => {
  const documents = compileProject(project);
  return { project, documents, tree: renderTree(documents) };
};

/** Changes of the generated output from `base` (undefined: an empty project) to `head`. Pure. */
export function diffProjects(base: Project | undefined, head: Project): Change[] {
  return diffCompiled(base === undefined ? undefined : compiled(base), compiled(head));
}

export interface DiffOptions extends Omit<ProjectOptions, 'openslo' | 'environments'> {
  /** Git revision to compare the working tree with. @default 'HEAD' */
  readonly base?: string;
}

export interface DiffResult {
  /** Set when the working tree's definitions are valid. */
  readonly markdown?: string;
  readonly changes: Change[];
  /** The working tree's validation diagnostics (errors mean no diff). */
  readonly diagnostics: Diagnostic[];
}

/**
 * `obsgen diff`: builds the project at `base` (extracted with git archive into a temporary
 * directory) and in the working tree, and compares what they generate. A base whose definitions
 * do not validate counts as empty, with a note.
 */
export async function diff(options: DiffOptions): Promise<DiffResult> {
  const base = options.base ?? 'HEAD';
  const head = await loadProject(options);
  if (!head.project) return { changes: [], diagnostics: head.diagnostics };
  const revision = await extractRevision(options.root, base);
  try {
    const dirs = {
      ...(options.definitions ? { definitions: options.definitions } : {}),
      ...(options.alerts ? { alerts: options.alerts } : {}),
      ...(options.dashboards ? { dashboards: options.dashboards } : {}),
    };
    const old = await loadProject({ root: revision.root, ...dirs });
    const errors = old.diagnostics.filter((d) => d.severity === 'error').length;
    const notes = old.project
      ? []
      : [
          `The definitions at ${base} do not validate (${errors} error${errors === 1 ? '' : 's'}): everything shows as added.`,
        ];
    const changes = diffProjects(old.project, head.project);
    const markdown = formatDiffMarkdown(changes, { base, notes });
    return { markdown, changes, diagnostics: head.diagnostics };
  } finally {
    await revision.cleanup();
  }
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

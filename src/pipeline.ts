/**
 * The pipeline, sequenced here and nowhere else:
 *
 *   load -> validate -> compile -> derive -> check -> render -> write
 *
 * load      src/load            definition files imported (TypeScript, OpenSLO), with their files
 * validate  src/validate        definitions into the resolved model, or diagnostics
 * compile   src/compile         the model into the primary artifacts, each once: rule files,
 *                               Alertmanager configurations, dashboards
 * derive    src/derive          Kubernetes objects, promtool tests and runbooks, from those artifacts
 * check     src/checks          one registry of checks over the model and the outputs
 * render    src/emit            documents into text (the one serializer)
 * write     src/emit            the tree into the output folder, or compared with it (--check)
 *
 * Every command is a use of these stages: `generate` runs all of them; `lint` all but write, with
 * the checks that need promtool and amtool too; `test` runs the generated tests after check;
 * `diff` compares what two revisions render.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { CHECKS, GENERATE_CHECKS, lintContext, runChecks } from './checks/index.ts';
import { type Artifacts, compileArtifacts, compiledDocuments } from './compile/index.ts';
import { type Derived, deriveArtifacts, derivedDocuments } from './derive/index.ts';
import {
  checkTree,
  type Document,
  type FileTree,
  renderTree,
  type TreeDrift,
  writeTree,
} from './emit/index.ts';
import { findOpenSloFiles, importOpenSloFiles } from './formats/openslo/import/index.ts';
import {
  findOpenSloDefinitionFiles,
  loadAlerts,
  loadDashboardDefinitions,
  loadDefinitions,
  loadEnvironments,
} from './load/index.ts';
import type { OutputTarget } from './model/config.ts';
import { type Diagnostic, hasErrors } from './model/diagnostic.ts';
import type { Project } from './model/resolved.ts';
import {
  type LoadedAlert,
  type LoadedExport,
  type LoadedService,
  originOf,
  validateAlerts,
  validateDashboards,
  validateKubernetes,
  validateProject,
  validateRouting,
} from './validate/index.ts';

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

/** What the load stage read: every definition as found, before validation. */
export interface Loaded {
  readonly services: readonly LoadedService[];
  /** Every export of the definition files (routing and Kubernetes settings are found through them). */
  readonly exports: readonly LoadedExport[];
  readonly alerts: readonly LoadedAlert[];
  /** Dashboard definitions (dashboards/), as found. */
  readonly dashboards: readonly LoadedService[];
  readonly diagnostics: readonly Diagnostic[];
}

const absolute = (root: string, path: string): string => (isAbsolute(path) ? path : resolve(root, path));

/** The module whose `environments` OpenSLO services are generated for, as an absolute path. */
export const environmentsModule = (options: ProjectOptions): string =>
  absolute(options.root, options.environments ?? join(options.definitions ?? 'slos', 'environments.ts'));

/** Load: imports every definition file (TypeScript services, alerts, dashboards, OpenSLO). */
export async function load(options: ProjectOptions): Promise<Loaded> {
  const dir = options.definitions ?? 'slos';
  const loaded = await loadDefinitions(options.root, dir);
  const catalog = await loadAlerts(options.root, options.alerts ?? 'alerts');
  const boards = await loadDashboardDefinitions(options.root, options.dashboards ?? 'dashboards');
  const openslo = await findOpenSloFiles(options.root, [
    ...(await findOpenSloDefinitionFiles(join(options.root, dir))),
    ...(options.openslo ?? []),
  ]);
  const services = [...loaded.services];
  const diagnostics = [...loaded.diagnostics, ...catalog.diagnostics, ...openslo.diagnostics];
  if (openslo.files.length > 0) {
    const env = await loadEnvironments(options.root, environmentsModule(options));
    diagnostics.push(...env.diagnostics);
    if (env.environments) {
      const imported = await importOpenSloFiles(options.root, openslo.files, {
        environments: env.environments,
      });
      diagnostics.push(...imported.diagnostics);
      services.push(...imported.services);
    }
  }
  return {
    services,
    exports: loaded.exports,
    alerts: catalog.alerts,
    dashboards: boards.definitions,
    diagnostics: [...diagnostics, ...boards.diagnostics],
  };
}

/**
 * Validate: the definitions into the resolved model. Services first; routing, Kubernetes settings,
 * the alert catalog and dashboards are checked against valid services only, so one mistake is
 * reported once. `project` is set only when there are no errors.
 */
export function validate(loaded: Loaded): { project?: Project; diagnostics: Diagnostic[] } {
  if (hasErrors(loaded.diagnostics)) return { diagnostics: [...loaded.diagnostics] };
  const validated = validateProject(loaded.services);
  if (!validated.project) return { diagnostics: [...loaded.diagnostics, ...validated.diagnostics] };
  const routing = validateRouting(validated.project.services, loaded.exports);
  const kubernetes = hasErrors(routing) ? [] : validateKubernetes(validated.project.services, loaded.exports);
  const alerts = validateAlerts(loaded.alerts, validated.project.services);
  const diagnostics = [
    ...loaded.diagnostics,
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
  const withBoards = validateDashboards(loaded.dashboards, withAlerts);
  return {
    diagnostics: [...diagnostics, ...withBoards.diagnostics],
    ...(withBoards.project ? { project: withBoards.project } : {}),
  };
}

/** Load and validate. */
export async function loadProject(
  options: ProjectOptions,
): Promise<{ project?: Project; diagnostics: Diagnostic[] }> {
  return validate(await load(options));
}

/** A project compiled, derived and rendered: everything the checks and the writer read. */
export interface Build {
  readonly project: Project;
  readonly artifacts: Artifacts;
  readonly derived: Derived;
  /** Every document, sorted by path. */
  readonly documents: readonly Document[];
  /** The rendered text of every document, by path under the output folder. */
  readonly tree: FileTree;
}

const byPath = (a: Document, b: Document): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Compile, derive and render. Pure. */
export function build(project: Project): Build {
  const artifacts = compileArtifacts(project);
  const derived = deriveArtifacts(artifacts);
  const documents = [...compiledDocuments(artifacts), ...derivedDocuments(derived)].sort(byPath);
  return { project, artifacts, derived, documents, tree: renderTree(documents) };
}

/** Every document of a project, sorted by path. */
export const compileProject = (project: Project): Document[] => [...build(project).documents];

/** Check: runs the named checks of the registry (default: those that block `generate`). */
export function check(
  built: Build,
  names: readonly string[] = GENERATE_CHECKS,
  outDir = 'generated',
): Promise<Diagnostic[]> {
  return runChecks(
    lintContext({
      artifacts: built.artifacts,
      derived: built.derived,
      documents: built.documents,
      tree: built.tree,
      outDir,
    }),
    names,
  );
}

export interface GenerateOptions extends ProjectOptions {
  /** Output directory, relative to root. @default 'generated' */
  readonly outDir?: string;
  /** Compare with the output directory instead of writing. */
  readonly check?: boolean;
  /** Folders of the output directory written (and compared). @default every target */
  readonly targets?: readonly OutputTarget[];
}

export interface GenerateResult {
  readonly diagnostics: Diagnostic[];
  /** Set when the definitions were valid: what differed (check) or what was changed (write). */
  readonly drift?: TreeDrift;
  readonly documents?: readonly Document[];
}

/**
 * Every stage: validates, compiles, derives, checks, renders and writes (or compares). Invalid
 * definitions, or an error of a check that blocks generate, write nothing.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { project, diagnostics } = await loadProject(options);
  if (!project) return { diagnostics };
  const built = build(project);
  const findings = await check(built);
  const all = [...diagnostics, ...findings];
  if (hasErrors(findings)) return { diagnostics: all };
  const outDir = join(options.root, options.outDir ?? 'generated');
  const documents = selectTargets(built.documents, options.targets);
  const tree = options.targets ? renderTree(documents) : built.tree;
  const drift = options.check
    ? await checkTree(outDir, tree)
    : await writeTree(outDir, tree, { root: options.root });
  return { diagnostics: all, drift, documents };
}

/** Output folders that belong to another target: the rule files of other engines are the `prometheus` target's. */
const TARGET_OF_FOLDER: Readonly<Record<string, OutputTarget>> = {
  'thanos-ruler': 'prometheus',
  mimir: 'prometheus',
};

/** The documents of the given targets (by the first folder of their path); all when none are given. */
export const selectTargets = (
  documents: readonly Document[],
  targets: readonly OutputTarget[] | undefined,
): readonly Document[] => {
  if (!targets) return documents;
  const targetOf = (path: string): string => {
    const folder = path.split('/')[0] ?? '';
    return TARGET_OF_FOLDER[folder] ?? folder;
  };
  return documents.filter((d) => (targets as readonly string[]).includes(targetOf(d.path)));
};

/** Names of `checks` that are not in the registry (a usage error). */
export const unknownChecks = (checks: readonly string[]): string[] =>
  checks.filter((name) => !CHECKS.some((c) => c.name === name));

/** Rendered output of a project, by path under the output folder. */
export const buildTree = (project: Project): FileTree => build(project).tree;

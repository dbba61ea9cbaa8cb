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
import { type Artifacts, compileAlertmanager, compileArtifacts, compiledDocuments } from './compile/index.ts';
import {
  type Derived,
  deriveArtifacts,
  derivedDocuments,
  environmentKubernetesDocuments,
  environmentNamespaces,
  type KustomizationEntry,
  runbookIndex,
} from './derive/index.ts';
import {
  cacheFolder,
  type Document,
  type FileTree,
  hashText,
  hashValue,
  type OutputSession,
  obsgenFingerprint,
  openOutput,
  pruneCache,
  readCacheEntry,
  render,
  renderTree,
  type TreeDrift,
  writeCacheEntry,
} from './emit/index.ts';
import { findOpenSloFiles, importOpenSloFiles } from './formats/openslo/import/index.ts';
import { BUNDLE_THRESHOLD, importBundled } from './load/bundle.ts';
import {
  findDefinitionFiles,
  findOpenSloDefinitionFiles,
  type Importer,
  importEach,
  loadAlerts,
  loadDashboardDefinitions,
  loadDefinitions,
  loadEnvironments,
} from './load/index.ts';
import type { OutputTarget } from './model/config.ts';
import { type Diagnostic, hasErrors } from './model/diagnostic.ts';
import type { Project, ResolvedService } from './model/resolved.ts';
import { buildService, byPath, type ServiceOutput, shareContext } from './service-share.ts';
import { defaultWorkers, type SharePool, sharePool } from './share-pool.ts';
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

/**
 * How the definition files are imported: many files (a fleet) through one cached bundle when the
 * project has a cache folder, otherwise (or when the bundle cannot be built or loaded) one by one.
 */
async function definitionImporter(root: string, folders: readonly string[]): Promise<Importer> {
  const files = [
    ...new Set((await Promise.all(folders.map((d) => findDefinitionFiles(join(root, d))))).flat()),
  ];
  const cache = await cacheFolder(root);
  if (files.length < BUNDLE_THRESHOLD || !cache) return importEach;
  const bundled = await importBundled(root, files, cache, await obsgenFingerprint());
  if (!bundled) return importEach;
  return async (file) => bundled.get(file) ?? importEach(file);
}

/** Load: imports every definition file (TypeScript services, alerts, dashboards, OpenSLO). */
export async function load(options: ProjectOptions): Promise<Loaded> {
  const dir = options.definitions ?? 'slos';
  const folders = [dir, options.alerts ?? 'alerts', options.dashboards ?? 'dashboards'];
  const importer = await definitionImporter(options.root, folders);
  const loaded = await loadDefinitions(options.root, dir, importer);
  const catalog = await loadAlerts(options.root, options.alerts ?? 'alerts', importer);
  const boards = await loadDashboardDefinitions(options.root, options.dashboards ?? 'dashboards', importer);
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
  /**
   * Reuse what an earlier run built for a service whose inputs are unchanged (the cache under
   * node_modules/.cache/obsgen). @default true
   */
  readonly incremental?: boolean;
  /**
   * Worker threads building services at once; 0 builds them on the main thread.
   * @default the CPUs (at most 4) when a run builds at least WORKERS_FROM services, else 0
   */
  readonly workers?: number;
}

export interface GenerateResult {
  readonly diagnostics: Diagnostic[];
  /** Set when the definitions were valid: what differed (check) or what was changed (write). */
  readonly drift?: TreeDrift;
  /** Files of the output tree (the manifest not counted), set with `drift`. */
  readonly files?: number;
  /** Services built this run (the others were unchanged and reused), set with `drift`. */
  readonly built?: readonly string[];
}

/** Cache kind of service outputs; the number changes when ServiceOutput does. */
const SERVICE_CACHE = 'service-v3';
/** Cache kind of math-shape file texts, by the SHA-256 of the text. */
const SHAPE_CACHE = 'shape-file-v1';

/** Whether a document belongs to the selected targets (the first folder of its path). */
const inTargets = (path: string, targets: readonly OutputTarget[] | undefined): boolean => {
  if (!targets) return true;
  // Asked for every file of a fleet: the first segment without splitting the whole path.
  const slash = path.indexOf('/');
  return (targets as readonly string[]).includes(slash < 0 ? path : path.slice(0, slash));
};

/** A diagnostic's identity: the same finding reached through two services is shown once. */
const diagnosticKey = (d: Diagnostic): string => JSON.stringify([d.file, d.line, d.path, d.code, d.message]);

/**
 * Every stage, one service at a time: each service is compiled, derived, checked, rendered and
 * handed to the output one file at a time (never the whole tree in memory), or, when nothing it
 * depends on changed since a run that cached it and its files on disk are still those, reused
 * without compiling. The files that span services (Alertmanager configurations, kustomizations,
 * the runbook index) are then built from every service's share. Invalid definitions, or an error
 * of a check that blocks generate, write nothing.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  // resolve, not join: an absolute output folder (a library caller's, a test's) is taken as it is.
  const outDir = resolve(options.root, options.outDir ?? 'generated');
  const targets = options.targets;
  const incremental = options.incremental !== false;
  const cache = await cacheFolder(options.root);
  // The output folder is opened (locked, listed, its files stat-ed) while the definitions load.
  const opening = openOutput(outDir, {
    root: options.root,
    check: options.check === true,
    ...(cache && incremental ? { statFile: join(cache, 'stat', `${hashText(resolve(outDir))}.json`) } : {}),
  });
  // Awaited after the load: invalid definitions are reported before a fault of the folder.
  const release = () => opening.then((s) => s.abort()).catch(() => undefined);
  opening.catch(() => undefined);
  const { project, diagnostics } = await loadProject(options).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  if (!project) {
    await release();
    return { diagnostics };
  }
  const session = await opening;
  const findings = new Map<string, Diagnostic>();
  const add = (list: readonly Diagnostic[]) => {
    for (const d of list) if (!findings.has(diagnosticKey(d))) findings.set(diagnosticKey(d), d);
  };
  const outputs: ServiceOutput[] = [];
  /** Texts of the math-shape files built this run, by hash. */
  const shapeTexts = new Map<string, string>();
  /** A service reusing each math-shape file, by hash: built again if the file's text is gone. */
  const shapeOwners = new Map<string, ResolvedService>();
  const built: string[] = [];
  let files = 0;
  let shares: SharePool | undefined;
  try {
    const alertmanager = compileAlertmanager(project);
    const shared: Artifacts = { project, services: [], alertmanager };
    const ctx = shareContext(project, alertmanager);
    const base = hashText(`${await obsgenFingerprint()}\0${hashValue(alertmanager)}`);
    // Which services are reused (unchanged since a cached run, their files on disk as written)...
    const keyed = project.services.map((svc) => {
      const key = hashText(`${base}\0${hashValue(svc)}`);
      const cached =
        incremental && cache ? readCacheEntry<ServiceOutput>(cache, SERVICE_CACHE, key) : undefined;
      return { svc, key, cached };
    });
    const plan: { svc: ResolvedService; key: string; reused?: ServiceOutput }[] = [];
    for (const { svc, key, cached } of keyed) {
      const reused = cached && (await holdsAll(session, cached, targets)) ? cached : undefined;
      plan.push({ svc, key, ...(reused ? { reused } : {}) });
    }
    // ...and the others built, on worker threads when there are many, taken in order.
    const toBuild = plan.filter((p) => !p.reused).map((p) => p.svc);
    shares = sharePool(ctx, toBuild, options.workers ?? defaultWorkers(toBuild.length));
    for (const { svc, key, reused } of plan) {
      if (reused) {
        add(reused.diagnostics);
        outputs.push(reused);
        for (const [, hash] of reused.shapes) if (!shapeOwners.has(hash)) shapeOwners.set(hash, svc);
        files += reused.files.filter(([path]) => inTargets(path, targets)).length;
        continue;
      }
      built.push(svc.name);
      const { found, files: tree, shapes, output: own } = await shares.next();
      add(found);
      if (hasErrors(found)) continue;
      for (const [, text] of shapes) {
        const hash = hashText(text);
        if (shapeTexts.has(hash)) continue;
        shapeTexts.set(hash, text);
        if (incremental && cache) await writeCacheEntry(cache, SHAPE_CACHE, hash, text);
      }
      const hashes = tree.map(([path, text]) => [path, hashText(text)] as const);
      const output: ServiceOutput = {
        ...own,
        files: hashes,
        diagnostics: found,
        shapes: shapes.map(([path, text]) => [path, hashText(text)] as const),
      };
      for (const [i, [path, text]] of tree.entries())
        if (inTargets(path, targets)) {
          await session.put(path, text, hashes[i]?.[1]);
          files++;
        }
      outputs.push(output);
      if (incremental && cache) await writeCacheEntry(cache, SERVICE_CACHE, key, output);
    }
    const all = [...diagnostics, ...findings.values()];
    if (hasErrors(all)) {
      await session.abort();
      return { diagnostics: all };
    }
    if (duplicateRules(outputs)) {
      // Two services generate one rule (or two rule identities share a short hash): the full
      // check confirms it and names both places exactly.
      const full = await check(build(project));
      if (hasErrors(full)) {
        await session.abort();
        return { diagnostics: [...diagnostics, ...full] };
      }
    }
    const sharedDocs = sharedDocuments(shared, outputs);
    const sharedFindings = await runChecks(
      lintContext({
        artifacts: shared,
        derived: {
          kubernetes: sharedDocs.filter((d) => d.path.startsWith('kubernetes/')),
          tests: [],
          shapes: [],
          runbooks: [],
        },
        documents: sharedDocs,
        tree: renderTree(sharedDocs),
        outDir: 'generated',
      }),
      ['kubernetes-sizes'],
    );
    add(sharedFindings);
    const withShared = [...diagnostics, ...findings.values()];
    if (hasErrors(withShared)) {
      await session.abort();
      return { diagnostics: withShared };
    }
    for (const doc of sharedDocs)
      if (inTargets(doc.path, targets)) {
        await session.put(doc.path, render(doc));
        files++;
      }
    // Each math shape once, however many services share it; kept when already on disk as it is.
    const shapeText = (path: string, hash: string): string => {
      const text =
        shapeTexts.get(hash) ?? (cache ? readCacheEntry<string>(cache, SHAPE_CACHE, hash) : undefined);
      if (text !== undefined) return text;
      // The cached text is gone (the cache was trimmed): a service of that shape builds it again.
      const owner = shapeOwners.get(hash);
      const doc = owner
        ? buildService(project, owner, alertmanager).documents.find((d) => d.path === path)
        : undefined;
      if (!doc) throw new Error(`no service builds ${path}`);
      return render(doc);
    };
    const shapeFiles = new Map(outputs.flatMap((o) => o.shapes));
    for (const [path, hash] of [...shapeFiles].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (inTargets(path, targets)) {
        if (!(await session.holds(path, hash))) await session.put(path, shapeText(path, hash));
        files++;
      }
    const drift = await session.finish();
    // A run that wrote entries trims what it did not use (a run that built nothing wrote none).
    if (incremental && cache && built.length > 0)
      await pruneCache(
        cache,
        new Map([
          [SERVICE_CACHE, new Set(plan.map((p) => p.key))],
          [SHAPE_CACHE, new Set(shapeFiles.values())],
        ]),
      );
    return { diagnostics: withShared, drift, files, built };
  } catch (error) {
    await session.abort();
    throw error;
  } finally {
    await shares?.close();
  }
}

/** Whether the files of a cached service are on disk as it wrote them (only the selected targets). */
async function holdsAll(
  session: OutputSession,
  cached: ServiceOutput,
  targets: readonly OutputTarget[] | undefined,
): Promise<boolean> {
  // A service's files are read at once: the disk, not the loop, sets the pace.
  const found = await Promise.all(
    cached.files
      .filter(([path]) => inTargets(path, targets))
      .map(([path, hash]) => session.holds(path, hash)),
  );
  return found.every(Boolean);
}

/** Whether two services generate the same rule in one environment. */
function duplicateRules(outputs: readonly ServiceOutput[]): boolean {
  const owner = new Map<string, number>();
  for (const [i, output] of outputs.entries())
    for (const rule of output.rules) {
      const first = owner.get(rule);
      if (first === undefined) owner.set(rule, i);
      else if (first !== i) return true;
    }
  return false;
}

/**
 * The documents that span services: each environment's Alertmanager configuration and templates,
 * its AlertmanagerConfig objects and kustomization, and the runbook index, from every service's share.
 */
function sharedDocuments(shared: Artifacts, outputs: readonly ServiceOutput[]): Document[] {
  const entries = new Map<string, KustomizationEntry[]>();
  for (const output of outputs)
    for (const [env, list] of Object.entries(output.kubernetes)) {
      const all = entries.get(env) ?? [];
      for (const entry of list) all.push(entry);
      entries.set(env, all);
    }
  const pairs = shared.project.services.flatMap((svc) => svc.environments.map((env) => ({ env })));
  const kubernetes = [...environmentNamespaces(pairs)].flatMap(([env, namespaces]) =>
    environmentKubernetesDocuments(shared, env, namespaces, entries.get(env) ?? []),
  );
  const index = runbookIndex(outputs.flatMap((o) => o.runbooks));
  return [
    ...compiledDocuments(shared),
    ...kubernetes,
    { path: index.path, format: 'text' as const, text: index.text },
  ].sort(byPath);
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

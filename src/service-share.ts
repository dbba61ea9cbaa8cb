/**
 * One service built on its own for `generate`: compiled, derived, rendered and checked without the
 * others (the files that span services are built from each service's `ServiceOutput`). The same
 * function runs on the main thread and on the worker threads of share-pool.ts.
 */
import { GENERATE_CHECKS, lintContext, runChecks } from './checks/index.ts';
import {
  type AlertmanagerArtifact,
  type Artifacts,
  compiledDocuments,
  compileService,
  type ServiceArtifacts,
} from './compile/index.ts';
import { ruleFilePath } from './compile/prometheus/index.ts';
import {
  type Derived,
  derivedDocuments,
  deriveTests,
  type KustomizationEntry,
  type RunbookEntry,
  serviceKubernetesDocuments,
  serviceRunbooks,
} from './derive/index.ts';
import { type Document, type FileTree, hashText, renderTree } from './emit/index.ts';
import type { Diagnostic } from './model/diagnostic.ts';
import type { Project, ResolvedService } from './model/resolved.ts';

/**
 * A service's share of the output, cached under the hash of everything that produced it (its
 * resolved definition, the Alertmanager configurations its runbooks and checks read, obsgen's own
 * code): what the shared files need from it, so an unchanged service is neither compiled nor
 * rendered again.
 */
export interface ServiceOutput {
  /** Its files (every target) and the SHA-256 of their text, sorted by path. */
  readonly files: readonly (readonly [string, string])[];
  /** Its objects in each environment's kustomization, by environment name. */
  readonly kubernetes: Readonly<Record<string, readonly KustomizationEntry[]>>;
  /** Its lines in the runbook index. */
  readonly runbooks: readonly RunbookEntry[];
  /**
   * A short hash of each of its rules' identity (environment, kind, name, labels): duplicates
   * across services. Hashed because a fleet's run reads every reused service's entry; a match is
   * confirmed (and named) by the full check.
   */
  readonly rules: readonly string[];
  /** The warnings of the checks over it, shown again when it is reused. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The math-shape files its SLOs share with others (`tests/shapes/...`), path and SHA-256 of the
   * text: written once per run, after every service, since several services hand in the same file.
   * The texts are cached once each (SHAPE_CACHE), not in every service's entry.
   */
  readonly shapes: readonly (readonly [string, string])[];
}

/** Whether a document is a math shape's, shared by every SLO of that shape. */
export const isShapeFile = (path: string): boolean => path.startsWith('tests/shapes/');

export const byPath = (a: Document, b: Document): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Identities of the rules of compiled rule files, as the duplicate check compares them. */
const ruleIdentities = (services: readonly ServiceArtifacts[]): string[] =>
  services.flatMap(({ svc, env, rules }) => {
    const path = ruleFilePath(svc, env);
    const dir = path.slice(0, path.lastIndexOf('/'));
    return rules.groups.flatMap((g) =>
      g.rules.map((r) =>
        hashText(
          JSON.stringify([
            dir,
            'alert' in r ? 'alert' : 'record',
            'alert' in r ? r.alert : r.record,
            Object.entries(r.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
          ]),
        ).slice(0, 16),
      ),
    );
  });

/** The documents of one service: compiled and derived on their own, never with the others. */
export function buildService(
  project: Project,
  svc: ResolvedService,
  alertmanager: readonly AlertmanagerArtifact[],
): {
  artifacts: Artifacts;
  derived: Derived;
  documents: Document[];
  output: Omit<ServiceOutput, 'files' | 'diagnostics' | 'shapes'>;
} {
  const own: Project = { ...project, services: [svc], alerts: svc.alerts ?? [] };
  const artifacts: Artifacts = { project: own, services: compileService(svc), alertmanager };
  const kubernetes = artifacts.services.map((a) => ({ env: a.env.name, ...serviceKubernetesDocuments(a) }));
  const runbooks = serviceRunbooks(svc, alertmanager);
  const derived: Derived = {
    kubernetes: kubernetes.flatMap((k) => k.documents),
    ...deriveTests(artifacts),
    runbooks: runbooks.files,
  };
  const documents = [
    ...compiledDocuments({ ...artifacts, alertmanager: [] }),
    ...derivedDocuments(derived),
  ].sort(byPath);
  return {
    artifacts,
    derived,
    documents,
    output: {
      kubernetes: Object.fromEntries(kubernetes.map((k) => [k.env, k.entries])),
      runbooks: runbooks.entries,
      rules: ruleIdentities(artifacts.services),
    },
  };
}

/** What building one service needs besides the service: the same for every service of a run. */
export interface ShareContext {
  readonly project: Project;
  readonly alertmanager: readonly AlertmanagerArtifact[];
  /** The Alertmanager documents and their text, checked with each service (routes, receivers). */
  readonly alertmanagerDocs: readonly Document[];
  readonly alertmanagerTree: FileTree;
}

/** The context of a run building services of `project` against its compiled Alertmanager configurations. */
export function shareContext(project: Project, alertmanager: readonly AlertmanagerArtifact[]): ShareContext {
  const alertmanagerDocs = compiledDocuments({ project, services: [], alertmanager });
  return { project, alertmanager, alertmanagerDocs, alertmanagerTree: renderTree(alertmanagerDocs) };
}

/**
 * The context a worker thread is started with: the run's context without the services, each of
 * which comes with the request to build it, so a thread holds one service at a time, not the fleet.
 */
export const threadContext = (ctx: ShareContext): ShareContext => ({
  ...ctx,
  project: { ...ctx.project, services: [] },
});

/** A request to a worker thread: build this service, the `index`-th of the project. */
export interface ShareRequest {
  readonly index: number;
  readonly svc: ResolvedService;
}

/** One service compiled, derived, rendered and checked on its own: what `generate` keeps of it. */
export interface ServiceShare {
  /** The findings of the checks over it. */
  readonly found: readonly Diagnostic[];
  /** Its own files, path and text (not the math-shape files). */
  readonly files: readonly (readonly [string, string])[];
  /** The math-shape files its SLOs share with other services, path and text. */
  readonly shapes: readonly (readonly [string, string])[];
  readonly output: Omit<ServiceOutput, 'files' | 'diagnostics' | 'shapes'>;
}

/** Builds one service: compile, derive, render and the checks that block `generate`. */
export async function serviceShare(ctx: ShareContext, svc: ResolvedService): Promise<ServiceShare> {
  const one = buildService(ctx.project, svc, ctx.alertmanager);
  const rendered = renderTree(one.documents);
  const found = await runChecks(
    lintContext({
      artifacts: one.artifacts,
      derived: one.derived,
      documents: [...one.documents, ...ctx.alertmanagerDocs],
      tree: new Map([...rendered, ...ctx.alertmanagerTree]),
      outDir: 'generated',
    }),
    GENERATE_CHECKS,
  );
  return {
    found,
    files: [...rendered].filter(([path]) => !isShapeFile(path)),
    shapes: [...rendered].filter(([path]) => isShapeFile(path)),
    output: one.output,
  };
}

/**
 * The derive stage: artifacts built from the compiled ones, never by compiling again. Kubernetes
 * objects wrap the rule groups, dashboards and Alertmanager configurations; the promtool tests read
 * each rule file's groups; the runbooks read the compiled route trees. Pure.
 */
import type { Artifacts } from '../compile/index.ts';
import type { Document } from '../emit/document.ts';
import type { ResolvedService } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { toKubernetesDocuments } from './kubernetes/index.ts';
import { toRunbooks } from './runbooks/index.ts';
import { type TestFilePlan, toTestFiles } from './tests/index.ts';

/** The promtool test files of one service in one environment. */
export interface ServiceTests {
  readonly svc: ResolvedService;
  readonly env: Environment;
  readonly plans: readonly TestFilePlan[];
  /** Names of the alerts of the service's rule file in the environment, sorted. */
  readonly alerts: readonly string[];
}

/** Everything the derive stage produces. */
export interface Derived {
  readonly kubernetes: readonly Document[];
  readonly tests: readonly ServiceTests[];
  readonly runbooks: readonly { readonly path: string; readonly text: string }[];
}

/** The promtool test plans of every service and environment, from their rule files. */
export const deriveTests = (artifacts: Artifacts): ServiceTests[] =>
  artifacts.services.map(({ svc, env, rules }) => ({
    svc,
    env,
    plans: toTestFiles(svc, env, rules),
    alerts: [
      ...new Set(rules.groups.flatMap((g) => g.rules).flatMap((r) => ('alert' in r ? [r.alert] : []))),
    ].sort(),
  }));

/** Derives every secondary artifact from the compiled ones. */
export function deriveArtifacts(artifacts: Artifacts): Derived {
  return {
    kubernetes: toKubernetesDocuments(artifacts),
    tests: deriveTests(artifacts),
    runbooks: toRunbooks(artifacts),
  };
}

/** The documents of the derived artifacts, unsorted. */
export const derivedDocuments = (derived: Derived): Document[] => [
  ...derived.kubernetes,
  ...derived.tests.flatMap(({ svc, plans }) =>
    plans.map((plan) => ({
      path: plan.path,
      format: 'yaml' as const,
      value: plan.file,
      sources: [svc.file, ...new Set((svc.alerts ?? []).map((a) => a.file))].sort(),
    })),
  ),
  ...derived.runbooks.map((rb) => ({ path: rb.path, format: 'text' as const, text: rb.text })),
];

export {
  environmentKubernetesDocuments,
  environmentNamespaces,
  type KustomizationEntry,
  serviceKubernetesDocuments,
} from './kubernetes/index.ts';
export { type RunbookEntry, runbookIndex, serviceRunbooks } from './runbooks/index.ts';
export type { TestFilePlan } from './tests/index.ts';

/**
 * The derive stage: artifacts built from the compiled ones, never by compiling again. Kubernetes
 * objects wrap the rule groups, dashboards and Alertmanager configurations; the promtool tests read
 * each rule file's groups; the runbooks read the compiled route trees. Pure.
 */
import type { Artifacts } from '../compile/index.ts';
import { burnAlertName } from '../conventions.ts';
import type { Document } from '../emit/document.ts';
import { printedOnce } from '../emit/yaml.ts';
import type { ResolvedService } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import { toKubernetesDocuments } from './kubernetes/index.ts';
import { toRunbooks } from './runbooks/index.ts';
import {
  type MathShape,
  type Scenario,
  type ShapeUse,
  shapeRulesPath,
  type TestFilePlan,
  toServiceTests,
  toShapeTestFiles,
} from './tests/index.ts';

/** The promtool test files of one service in one environment. */
export interface ServiceTests {
  readonly svc: ResolvedService;
  readonly env: Environment;
  readonly plans: readonly TestFilePlan[];
  /** SLOs whose window math their shape's file proves (the same shape object for every user). */
  readonly shapes: readonly ShapeUse[];
  /** Names of the alerts of the service's rule file in the environment, sorted. */
  readonly alerts: readonly string[];
}

/** A math shape and the test files proving it, once for every SLO that shares it. */
export interface ShapeTests {
  readonly shape: MathShape;
  readonly plans: readonly TestFilePlan[];
}

/** Every scenario proving a shape, across its files. */
export const shapeScenarios = (shapes: readonly ShapeTests[], shape: MathShape): Scenario[] =>
  (shapes.find((s) => s.shape === shape)?.plans ?? []).flatMap((p) => p.packed.flatMap((t) => t.scenarios));

/**
 * A shape's scenario told as a proof of one SLO sharing the shape: named after the SLO and the
 * shape, its alert and proofs the SLO's burn alert instead of the canonical one.
 */
export function sharedScenario(scenario: Scenario, use: ShapeUse): Scenario {
  const alert = burnAlertName(use.slo.id);
  const canonical = burnAlertName(use.shape.slo.id);
  return {
    ...scenario,
    name: `${use.slo.id}: math shape ${use.shape.hash}: ${scenario.name.replace(/^[^:]*: /, '')}`,
    alerts: [alert],
    proves: scenario.proves.filter((p) => p.alert === canonical).map((p) => ({ ...p, alert })),
  };
}

/** Everything the derive stage produces. */
export interface Derived {
  readonly kubernetes: readonly Document[];
  readonly tests: readonly ServiceTests[];
  /** The math shapes the tests share, by hash. */
  readonly shapes: readonly ShapeTests[];
  readonly runbooks: readonly { readonly path: string; readonly text: string }[];
}

/**
 * The promtool test plans of every service and environment, from their rule files, and the math
 * shapes they share, each proven once.
 */
export function deriveTests(artifacts: Artifacts): { tests: ServiceTests[]; shapes: ShapeTests[] } {
  const byHash = new Map<string, MathShape>();
  const tests = artifacts.services.map(({ svc, env, rules }): ServiceTests => {
    const { plans, shapes } = toServiceTests(svc, env, rules);
    return {
      svc,
      env,
      plans,
      shapes: shapes.map(({ slo, shape }) => {
        const first = byHash.get(shape.hash) ?? shape;
        byHash.set(shape.hash, first);
        return { slo, shape: first };
      }),
      alerts: [
        ...new Set(rules.groups.flatMap((g) => g.rules).flatMap((r) => ('alert' in r ? [r.alert] : []))),
      ].sort(),
    };
  });
  const shapes = [...byHash.values()]
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    .map((shape) => ({ shape, plans: toShapeTestFiles(shape) }));
  return { tests, shapes };
}

/** Derives every secondary artifact from the compiled ones. */
export function deriveArtifacts(artifacts: Artifacts): Derived {
  return {
    kubernetes: toKubernetesDocuments(artifacts),
    ...deriveTests(artifacts),
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
  // A shape's files name no source: they hold only the window math, whoever shares it.
  // Every service of a shape holds the same objects: printed once a run.
  ...derived.shapes.flatMap(({ shape, plans }) => [
    {
      path: shapeRulesPath(shape.hash),
      format: 'yaml' as const,
      value: printedOnce(shape.rules),
      sources: [],
    },
    ...plans.map((plan) => ({
      path: plan.path,
      format: 'yaml' as const,
      value: printedOnce(plan.file),
      sources: [],
    })),
  ]),
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

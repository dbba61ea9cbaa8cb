/**
 * The compile stage: the validated model into the primary artifacts, each computed once: a rule
 * file per service and environment, the dashboards of each, and an Alertmanager configuration per
 * environment. Pure: no file system, clock or process. The derive stage (src/derive) builds the
 * Kubernetes objects, promtool tests and runbooks from these artifacts, never by compiling again.
 */
import { ALERTMANAGER_FILE } from '../conventions.ts';
import type { Document } from '../emit/document.ts';
import type { AlertRouting } from '../model/index.ts';
import type { Project, ResolvedService } from '../model/resolved.ts';
import type { Environment } from '../model/service.ts';
import {
  type AlertmanagerConfig,
  alertingEnvironments,
  notificationTemplates,
  toAlertmanagerConfig,
} from './alertmanager/index.ts';
import { type BuiltDashboard, toDashboards } from './grafana/index.ts';
import {
  engineOf,
  mimirNamespace,
  mimirNamespacePath,
  mimirTenant,
  thanosRuleFilePath,
  toEngineGroup,
  toThanosRuleFile,
} from './prometheus/engines.ts';
import { ruleFilePath, toRuleFile } from './prometheus/index.ts';
import type { RuleFile, RuleNamespaceFile } from './prometheus/types.ts';

/** The compiled artifacts of one service in one environment. */
export interface ServiceArtifacts {
  readonly svc: ResolvedService;
  readonly env: Environment;
  readonly rules: RuleFile;
  readonly dashboards: readonly BuiltDashboard[];
}

/** The Alertmanager configuration of one environment. */
export interface AlertmanagerArtifact {
  readonly env: Environment;
  readonly routing: AlertRouting;
  readonly config: AlertmanagerConfig;
}

/** Everything the compile stage produces; the derive stage and the checks read it. */
export interface Artifacts {
  readonly project: Project;
  /** Per service, then per environment in definition order. */
  readonly services: readonly ServiceArtifacts[];
  /** Per environment with alerting, sorted by name. */
  readonly alertmanager: readonly AlertmanagerArtifact[];
}

/** The rule file and dashboards of one service in each of its environments. */
export const compileService = (svc: ResolvedService): ServiceArtifacts[] =>
  svc.environments.map((env) => ({
    svc,
    env,
    rules: toRuleFile(svc, env),
    dashboards: toDashboards(svc, env),
  }));

/** The Alertmanager configuration of every environment with alerting, sorted by name. */
export const compileAlertmanager = (project: Project): AlertmanagerArtifact[] =>
  alertingEnvironments(project).map(({ env, routing, teams }) => ({
    env,
    routing,
    config: toAlertmanagerConfig(project, env, teams),
  }));

/** Compiles every primary artifact of the project once. */
export function compileArtifacts(project: Project): Artifacts {
  return {
    project,
    services: project.services.flatMap(compileService),
    alertmanager: compileAlertmanager(project),
  };
}

/** The artifacts of one service in one environment (undefined when it has no such environment). */
export const artifactsOf = (
  artifacts: Artifacts,
  service: string,
  env: string,
): ServiceArtifacts | undefined =>
  artifacts.services.find((a) => a.svc.name === service && a.env.name === env);

/** Definition files a service's rules come from: its own first, then its catalog alert files. */
export const ruleSources = (svc: ResolvedService): string[] => [
  svc.file,
  ...[...new Set((svc.alerts ?? []).map((a) => a.file))].sort(),
];

/** Rule files per service and environment. */
export const ruleDocuments = (artifacts: Artifacts): Document[] =>
  artifacts.services.map(({ svc, env, rules }) => ({
    path: ruleFilePath(svc, env),
    format: 'yaml' as const,
    value: rules,
    sources: [...ruleSources(svc)].sort(),
  }));

/**
 * The rule files of environments evaluated by Thanos Ruler, one per service like Prometheus's,
 * and of those evaluated by Mimir: one namespace file per tenant and namespace, holding the groups
 * of every service loaded there, in service order (mimirtool refuses a namespace given twice).
 */
export function engineRuleDocuments(artifacts: Artifacts): Document[] {
  const thanos: Document[] = artifacts.services
    .filter(({ env }) => engineOf(env) === 'thanos-ruler')
    .map(({ svc, env, rules }) => ({
      path: thanosRuleFilePath(svc, env),
      format: 'yaml' as const,
      value: toThanosRuleFile(rules, env),
      sources: ruleSources(svc).sort(),
    }));
  const namespaces = new Map<string, { file: RuleNamespaceFile; sources: Set<string> }>();
  for (const { svc, env, rules } of artifacts.services) {
    if (engineOf(env) !== 'mimir') continue;
    const path = mimirNamespacePath(env.name, mimirTenant(svc, env), mimirNamespace(svc, env));
    const entry = namespaces.get(path) ?? {
      file: { namespace: mimirNamespace(svc, env), groups: [] },
      sources: new Set<string>(),
    };
    entry.file = {
      ...entry.file,
      groups: [...entry.file.groups, ...rules.groups.map((g) => toEngineGroup(g, env))],
    };
    for (const source of ruleSources(svc)) entry.sources.add(source);
    namespaces.set(path, entry);
  }
  const mimir: Document[] = [...namespaces].map(([path, { file, sources }]) => ({
    path,
    format: 'yaml' as const,
    value: file,
    sources: [...sources].sort(),
  }));
  return [...thanos, ...mimir];
}

/** Per environment with alerting: alertmanager.yaml and the notification templates beside it. */
const alertmanagerDocuments = (artifacts: Artifacts): Document[] =>
  artifacts.alertmanager.flatMap(({ env, config }) => [
    {
      path: ALERTMANAGER_FILE.config(env.name),
      format: 'yaml' as const,
      value: config,
      sources: [
        artifacts.project.routingFiles?.[env.name] ?? artifacts.project.services.map((s) => s.file),
      ].flat(),
    },
    { path: ALERTMANAGER_FILE.templates(env.name), format: 'text' as const, text: notificationTemplates() },
  ]);

const dashboardDocuments = (artifacts: Artifacts): Document[] =>
  artifacts.services.flatMap(({ dashboards }) =>
    dashboards.map((d) => ({ path: d.path, format: 'json' as const, value: d.dashboard })),
  );

/** The documents of the primary artifacts (rules, Alertmanager, dashboards), unsorted. */
export const compiledDocuments = (artifacts: Artifacts): Document[] => [
  ...ruleDocuments(artifacts),
  ...engineRuleDocuments(artifacts),
  ...alertmanagerDocuments(artifacts),
  ...dashboardDocuments(artifacts),
];

export type { AlertmanagerConfig } from './alertmanager/index.ts';
export type { BuiltDashboard } from './grafana/index.ts';
export type { RuleFile, RuleNamespaceFile } from './prometheus/types.ts';

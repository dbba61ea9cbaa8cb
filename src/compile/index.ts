/**
 * Every target, from the validated model to plain documents. Pure: no file system, clock or
 * process. The emitter turns the documents into text.
 */
import { ALERTMANAGER_FILE } from '../conventions.ts';
import { toKubernetesDocuments } from '../derive/kubernetes/index.ts';
import { toRunbooks } from '../derive/runbooks/index.ts';
import { toTestFiles } from '../derive/tests/index.ts';
import type { Project } from '../model/resolved.ts';
import { alertingEnvironments, notificationTemplates, toAlertmanagerConfig } from './alertmanager/index.ts';
import { toDashboards } from './grafana/index.ts';
import { ruleFilePath, toRuleFile } from './prometheus/index.ts';

/** One output document before serialization. */
export type Document =
  | {
      readonly path: string;
      readonly format: 'yaml';
      readonly value: unknown;
      readonly sources: readonly string[];
    }
  | { readonly path: string; readonly format: 'json'; readonly value: unknown }
  | { readonly path: string; readonly format: 'text'; readonly text: string };

/** A target: the documents it produces for the whole project. */
export type Target = (project: Project) => Document[];

/** Rule files per service and environment. */
export const prometheusTarget: Target = (project) =>
  project.services.flatMap((svc) =>
    svc.environments.map((env) => ({
      path: ruleFilePath(svc, env),
      format: 'yaml' as const,
      value: toRuleFile(svc, env),
      sources: [svc.file, ...new Set((svc.alerts ?? []).map((a) => a.file))].sort(),
    })),
  );

const testsTarget: Target = (project) =>
  project.services.flatMap((svc) =>
    svc.environments.flatMap((env) =>
      toTestFiles(svc, env).map((plan) => ({
        path: plan.path,
        format: 'yaml' as const,
        value: plan.file,
        sources: [svc.file, ...new Set((svc.alerts ?? []).map((a) => a.file))].sort(),
      })),
    ),
  );

/** Per environment with alerting: alertmanager.yaml and the notification templates beside it. */
const alertmanagerTarget: Target = (project) =>
  alertingEnvironments(project).flatMap(({ env, routing }) => [
    {
      path: ALERTMANAGER_FILE.config(env.name),
      format: 'yaml' as const,
      value: toAlertmanagerConfig(project, env, routing),
      sources: [project.routingFiles?.[env.name] ?? project.services.map((s) => s.file)].flat(),
    },
    { path: ALERTMANAGER_FILE.templates(env.name), format: 'text' as const, text: notificationTemplates() },
  ]);

const runbooksTarget: Target = (project) =>
  toRunbooks(project).map((rb) => ({ path: rb.path, format: 'text' as const, text: rb.text }));

const grafanaTarget: Target = (project) =>
  project.services.flatMap((svc) =>
    svc.environments.flatMap((env) =>
      toDashboards(svc, env).map((d) => ({ path: d.path, format: 'json' as const, value: d.dashboard })),
    ),
  );

export const TARGETS: readonly Target[] = [
  prometheusTarget,
  alertmanagerTarget,
  grafanaTarget,
  runbooksTarget,
  testsTarget,
  toKubernetesDocuments,
];

/** All documents of the project, sorted by path. */
export function compileProject(project: Project): Document[] {
  return TARGETS.flatMap((target) => target(project)).sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}

/**
 * Every target, from the validated model to plain documents. Pure: no file system, clock or
 * process. The emitter turns the documents into text.
 */
import type { Project } from '../model/resolved.ts';
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

const prometheusTarget: Target = (project) =>
  project.services.flatMap((svc) =>
    svc.environments.map((env) => ({
      path: ruleFilePath(svc, env),
      format: 'yaml' as const,
      value: toRuleFile(svc, env),
      sources: [svc.file],
    })),
  );

const grafanaTarget: Target = (project) =>
  project.services.flatMap((svc) =>
    svc.environments.flatMap((env) =>
      toDashboards(svc, env).map((d) => ({ path: d.path, format: 'json' as const, value: d.dashboard })),
    ),
  );

export const TARGETS: readonly Target[] = [prometheusTarget, grafanaTarget];

/** All documents of the project, sorted by path. */
export function compileProject(project: Project): Document[] {
  return TARGETS.flatMap((target) => target(project)).sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}

/** `obsgen diff`: what a change of the definitions does to the generated output, as Markdown. */

import type { Diagnostic } from '../../model/diagnostic.ts';
import type { Project } from '../../model/resolved.ts';
import { build, loadProject, type ProjectOptions } from '../../pipeline.ts';
import { type Change, type Compiled, diffCompiled } from './compare.ts';
import { extractRevision } from './git.ts';
import { formatDiffMarkdown } from './markdown.ts';

const compiled = (project: Project): Compiled => {
  const { documents, tree } = build(project);
  return { project, documents, tree };
};

/** Changes of the generated output from `base` (undefined: an empty project) to `head`. Pure. */
export function diffProjects(base: Project | undefined, head: Project): Change[] {
  return diffCompiled(base === undefined ? undefined : compiled(base), compiled(head));
}

export interface DiffOptions extends Omit<ProjectOptions, 'openslo' | 'environments'> {
  /** Git revision to compare the working tree with. @default 'HEAD' */
  readonly base?: string;
  /** Only the changes of this service. */
  readonly service?: string;
  /** Only the changes in this environment (and those of no environment: SLOs, files). */
  readonly env?: string;
}

/**
 * The changes of one service and environment. Routing belongs to an environment, not a service:
 * a service keeps the routing rows that name it; files, those under its directory.
 */
export function selectChanges(
  changes: readonly Change[],
  { service, env }: { readonly service?: string; readonly env?: string },
): Change[] {
  const ofService = (c: Change): boolean => {
    if (service === undefined) return true;
    if (c.service !== undefined) return c.service === service;
    if (c.section === 'files')
      return c.subject.includes(`/${service}/`) || c.details.some((d) => d.startsWith(`${service}.`));
    return c.subject.includes(`service=${service}`);
  };
  return changes.filter((c) => ofService(c) && (env === undefined || c.env === undefined || c.env === env));
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
    const changes = selectChanges(diffProjects(old.project, head.project), {
      ...(options.service === undefined ? {} : { service: options.service }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const markdown = formatDiffMarkdown(changes, { base, notes });
    return { markdown, changes, diagnostics: head.diagnostics };
  } finally {
    await revision.cleanup();
  }
}

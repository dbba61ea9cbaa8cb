/** `obsgen lint`: every check of the registry, the tool checks included, without writing. */

import { CHECKS, lintContext, runChecks, sortDiagnostics } from '../checks/index.ts';
import type { Document } from '../emit/index.ts';
import { renderTree } from '../emit/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Project } from '../model/resolved.ts';
import { build, loadProject, type ProjectOptions, unknownChecks } from '../pipeline.ts';

export interface LintOptions extends ProjectOptions {
  /** Names of the checks to run (`CHECKS` of the registry). @default every check */
  readonly checks?: readonly string[];
}

export interface LintResult {
  /** Findings: the definitions' validation diagnostics, then every check's, in a stable order. */
  readonly diagnostics: Diagnostic[];
  /** Names of the checks that ran (none when the definitions do not validate). */
  readonly checks: string[];
}

const selected = (checks?: readonly string[]): string[] =>
  CHECKS.filter((c) => !checks || checks.includes(c.name)).map((c) => c.name);

/**
 * Checks a project whose documents are given: they need not be the compiler's own (tests hand it
 * altered ones); the artifacts the checks read beside them are the project's.
 */
export async function lintDocuments(
  project: Project,
  documents: readonly Document[],
  checks?: readonly string[],
): Promise<LintResult> {
  const built = build(project);
  const names = selected(checks);
  const diagnostics = await runChecks(
    lintContext({
      artifacts: built.artifacts,
      derived: built.derived,
      documents,
      tree: renderTree(documents),
    }),
    names,
  );
  return { diagnostics, checks: names };
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
  const built = build(project);
  const names = selected(options.checks);
  const findings = await runChecks(
    lintContext({
      artifacts: built.artifacts,
      derived: built.derived,
      documents: built.documents,
      tree: built.tree,
    }),
    names,
  );
  return { diagnostics: sortDiagnostics([...diagnostics, ...findings]), checks: names };
}

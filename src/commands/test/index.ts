/** `obsgen test`: the generated promtool tests, run with the real promtool. */
import { join } from 'node:path';
import { checkTree, isDriftFree, renderTree } from '../../emit/index.ts';
import type { OutputTarget } from '../../model/config.ts';
import { type Diagnostic, hasErrors } from '../../model/diagnostic.ts';
import { build, check, loadProject, type ProjectOptions, selectTargets } from '../../pipeline.ts';
import { changedFiles } from '../diff/git.ts';
import { type ChangedScope, changedScope } from './changed.ts';
import { type ProofReport, type ProveOptions, proveAlerts } from './prove.ts';

export interface TestResult {
  readonly diagnostics: Diagnostic[];
  /** Set when the definitions were valid. */
  readonly report?: ProofReport;
  /** Whether generated/ holds exactly what the definitions compile to (so the committed tests were run). */
  readonly upToDate?: boolean;
  /** The `--service` asked for when no service has that name. */
  readonly unknownService?: string;
  /** With `changedSince`: what the change touched. */
  readonly scope?: ChangedScope;
}

/**
 * Compiles the definitions, runs the checks `generate` runs, and runs every generated promtool
 * unit test with the real promtool; the report says per alert which scenarios passed.
 */
export async function testAlerts(
  options: ProjectOptions & { readonly outDir?: string; readonly targets?: readonly OutputTarget[] },
  prove: ProveOptions & { readonly service?: string; readonly changedSince?: string } = {},
): Promise<TestResult> {
  const { project, diagnostics } = await loadProject(options);
  if (!project) return { diagnostics };
  const built = build(project);
  const findings = await check(built);
  if (hasErrors(findings)) return { diagnostics: [...diagnostics, ...findings] };
  const tree = options.targets ? renderTree(selectTargets(built.documents, options.targets)) : built.tree;
  const drift = await checkTree(join(options.root, options.outDir ?? 'generated'), tree);
  const { service, changedSince, ...rest } = prove;
  if (service !== undefined && !project.services.some((s) => s.name === service))
    return { diagnostics, unknownService: service };
  const tests = built.derived.tests.filter((t) => service === undefined || t.svc.name === service);
  const scope =
    changedSince === undefined
      ? undefined
      : changedScope(
          // What differs from the revision, and what generated/ does not hold yet: tests run from
          // the definitions, so a change not regenerated still counts (a new shape, for one).
          [
            ...(await changedFiles(options.root, changedSince)),
            ...[...drift.missing, ...drift.changed].map((p) => join(options.outDir ?? 'generated', p)),
          ],
          {
            definitions: options.definitions ?? 'slos',
            alerts: options.alerts ?? 'alerts',
            dashboards: options.dashboards ?? 'dashboards',
            outDir: options.outDir ?? 'generated',
            ...(options.openslo ? { openslo: options.openslo } : {}),
          },
          tests,
          built.derived.shapes,
        );
  const report = await proveAlerts(
    { documents: built.documents, derived: { tests, shapes: built.derived.shapes } },
    { ...rest, ...(scope && !scope.all ? { scope } : {}) },
  );
  return { diagnostics, report, upToDate: isDriftFree(drift), ...(scope ? { scope } : {}) };
}

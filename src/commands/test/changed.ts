/**
 * `obsgen test --changed-since <ref>`: which proofs a change can have touched. generated/ is
 * committed and `generate --check` keeps it equal to the definitions, so the generated files that
 * differ from `ref` are exactly the proofs whose outcome can differ: a service is tested again when
 * its definition files or its rule and test files changed, a math shape when its files changed.
 * A change anywhere else (obsgen itself, its configuration, the lock file) can change any proof,
 * so then everything runs.
 */
import { join } from 'node:path';
import type { ServiceTests, ShapeTests } from '../../derive/index.ts';

/** What to test again: everything, or these services and shapes. */
export type ChangedScope =
  | { readonly all: true }
  | { readonly all: false; readonly services: ReadonlySet<string>; readonly shapes: ReadonlySet<string> };

export interface ProjectFolders {
  readonly definitions: string;
  readonly alerts: string;
  readonly dashboards: string;
  readonly outDir: string;
  readonly openslo?: readonly string[];
}

const inside = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

/** The scope of a change, from the files that differ (relative to the project root). */
export function changedScope(
  files: readonly string[],
  folders: ProjectFolders,
  tests: readonly Pick<ServiceTests, 'svc' | 'env' | 'plans' | 'shapes'>[],
  shapes: readonly ShapeTests[],
): ChangedScope {
  const known = [
    folders.definitions,
    folders.alerts,
    folders.dashboards,
    folders.outDir,
    ...(folders.openslo ?? []),
  ];
  // Whatever else changed may change any proof.
  if (files.some((f) => !known.some((k) => inside(f, k)))) return { all: true };
  const changed = new Set(files);
  const out = (path: string) => join(folders.outDir, path);
  const touchedShapes = new Set(
    shapes
      .filter(({ shape, plans }) =>
        [`tests/shapes/${shape.hash}.rules.yaml`, ...plans.map((p) => p.path)].some((p) =>
          changed.has(out(p)),
        ),
      )
      .map(({ shape }) => shape.hash),
  );
  const services = new Set<string>();
  for (const t of tests) {
    const sources = [t.svc.file, ...(t.svc.alerts ?? []).map((a) => a.file)];
    const generated = [
      `prometheus/${t.env.name}/${t.svc.name}.rules.yaml`,
      ...t.plans.map((p) => p.path),
    ].map(out);
    if (
      [...sources, ...generated].some((p) => changed.has(p)) ||
      t.shapes.some((u) => touchedShapes.has(u.shape.hash))
    )
      services.add(t.svc.name);
  }
  return { all: false, services, shapes: touchedShapes };
}

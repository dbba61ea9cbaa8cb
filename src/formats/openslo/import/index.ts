/**
 * OpenSLO files into the model: find, read, validate, resolve, convert. A set of OpenSLO objects
 * (every file read together) becomes the same defineService / defineSlo values TypeScript
 * definitions produce, so validation and every compiler are reused unchanged.
 */

import type { LoadedService } from '../../../load/loaded.ts';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import type { Environment } from '../../../model/service.ts';
import { type ServiceContext, serviceContext } from './annotations.ts';
import { objectPath, reporter, sortedDiagnostics, warner } from './diagnostics.ts';
import { type RawObject, readOpenSloFile } from './documents.ts';
import { shownPath } from './files.ts';
import type { Indicator } from './indicator.ts';
import { type OpenSloObject, validateObject } from './objects.ts';
import { objectSet, policyCondition } from './references.ts';
import { loadedServices } from './services.ts';
import { indicatorV1 } from './v1-indicator.ts';

export { MAX_ALIAS_COUNT, MAX_FILE_BYTES, parseOpenSloText, type RawObject } from './documents.ts';
export { findOpenSloFiles, OPENSLO_FILE } from './files.ts';

export interface ImportOptions {
  /** Environments every imported service is generated for. */
  readonly environments: readonly Environment[];
}

export interface ImportResult {
  /** Services that converted and validated; ready for validateProject. */
  readonly services: LoadedService[];
  readonly diagnostics: Diagnostic[];
  /** Valid objects read, by kind. */
  readonly objects: Readonly<Record<string, number>>;
}

/**
 * Converts every object read together. Names are unique per kind across the set; references must
 * resolve in it; SLOs are grouped into services by `spec.service`.
 */
export function importObjects(raws: readonly RawObject[], options: ImportOptions): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);
  const warn = warner(diagnostics);
  const { environments } = options;

  const valid: OpenSloObject[] = [];
  for (const raw of raws) {
    const result = validateObject(raw);
    diagnostics.push(...result.diagnostics);
    if (result.object) valid.push(result.object);
  }
  const set = objectSet(valid, report);

  // Top-level alert policies: their references must resolve even when no SLO uses them.
  for (const object of set.objects) {
    if (object.apiVersion !== 'openslo/v1' || object.kind !== 'AlertPolicy') continue;
    policyCondition(object.spec, object.file, [objectPath(object.index), 'spec'], set);
  }

  // SLI objects: data source and syntax are checked once, whether or not an SLO uses them.
  const indicators = new Map<string, Indicator | undefined>();
  for (const object of set.objects) {
    if (object.apiVersion !== 'openslo/v1' || object.kind !== 'SLI') continue;
    indicators.set(
      object.metadata.name,
      indicatorV1(
        object.spec,
        object.file,
        [objectPath(object.index), 'spec'],
        set.lookup,
        report,
        environments,
      ),
    );
  }

  const services = new Map<string, ServiceContext>();
  for (const object of set.objects)
    if (object.kind === 'Service') services.set(object.metadata.name, serviceContext(object, report));

  const loaded = loadedServices({ set, services, indicators, report, warn, environments });
  diagnostics.push(...loaded.diagnostics);

  const counts: Record<string, number> = {};
  for (const object of set.objects) counts[object.kind] = (counts[object.kind] ?? 0) + 1;
  return { services: loaded.services, diagnostics: sortedDiagnostics(diagnostics), objects: counts };
}

/** Reads every file and converts the objects of all of them as one set. */
export async function importOpenSloFiles(
  root: string,
  files: readonly string[],
  options: ImportOptions,
): Promise<ImportResult & { readonly files: number }> {
  const raws: RawObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const read = await readOpenSloFile(file, shownPath(root, file));
    raws.push(...read.objects);
    diagnostics.push(...read.diagnostics);
  }
  const result = importObjects(raws, options);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics], files: files.length };
}

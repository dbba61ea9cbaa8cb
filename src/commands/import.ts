/**
 * `obsgen import <openslo|sloth|pyrra> <files...> --out <dir>`: reads definitions written for
 * another tool into the model (validated as any definition is) and writes them as TypeScript
 * definitions under `<dir>/slos/`, one file per service, plus `slos/environments.ts` when the
 * directory has none. Nothing is written when any input is refused.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileTree } from '../emit/index.ts';
import { findOpenSloFiles, importOpenSloFiles } from '../formats/openslo/import/index.ts';
import { importPyrraFiles } from '../formats/pyrra/index.ts';
import { importSlothFiles } from '../formats/sloth/index.ts';
import { DEFAULT_API, environmentsModule, serviceModule } from '../formats/typescript/index.ts';
import { loadEnvironments } from '../load/index.ts';
import type { LoadedService } from '../load/loaded.ts';
import { type Diagnostic, hasErrors } from '../model/diagnostic.ts';
import type { Environment, Service } from '../model/service.ts';

export const IMPORT_FORMATS = ['openslo', 'sloth', 'pyrra'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The environment imported services get when the target has no slos/environments.ts. */
export const IMPORT_ENVIRONMENT: Environment = Object.freeze({
  name: 'production',
  namespace: 'default',
  runbookBaseUrl: 'https://runbooks.example.com',
  grafanaBaseUrl: 'https://grafana.example.com',
});

export interface ImportOptions {
  readonly format: ImportFormat;
  /** Files or directories to read (absolute, or relative to `root`). */
  readonly paths: readonly string[];
  /** Project root diagnostics are relative to. */
  readonly root: string;
  /** Project directory the TypeScript definitions are written into (under slos/). */
  readonly out: string;
  /** Module specifier of the authoring API in the written files. @default '../src/model/index.ts' */
  readonly api?: string;
}

export interface ImportDefinitionsResult {
  readonly diagnostics: Diagnostic[];
  /** Files to write, relative to `out`; undefined when an input was refused. */
  readonly tree?: FileTree;
  readonly services: number;
  readonly slos: number;
}

const NOTES: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>> = new Map();

/** Reads the inputs and renders the TypeScript definitions; writes nothing. */
export async function importDefinitions(options: ImportOptions): Promise<ImportDefinitionsResult> {
  const envFile = join(options.out, 'slos', 'environments.ts');
  const hasEnvironments = await access(envFile).then(
    () => true,
    () => false,
  );
  const env = hasEnvironments
    ? await loadEnvironments(options.root, envFile)
    : { environments: [IMPORT_ENVIRONMENT], diagnostics: [] };
  if (!env.environments) return { diagnostics: env.diagnostics, services: 0, slos: 0 };
  const environments = env.environments;
  const found = await findOpenSloFiles(options.root, options.paths);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  let services: LoadedService[] = [];
  let notes = NOTES;
  if (options.format === 'openslo') {
    const r = await importOpenSloFiles(options.root, found.files, { environments });
    diagnostics.push(...r.diagnostics);
    services = r.services;
  } else {
    const read = options.format === 'sloth' ? importSlothFiles : importPyrraFiles;
    const r = await read(options.root, found.files, { environments });
    diagnostics.push(...r.diagnostics);
    services = r.services;
    notes = r.notes;
  }
  if (found.files.length === 0 && found.diagnostics.length === 0)
    diagnostics.push({
      code: 'import/no-files',
      severity: 'error',
      file: options.paths.join(' '),
      path: [],
      message: 'no files (*.yaml, *.yml, *.json) found',
    });
  if (hasErrors(diagnostics)) return { diagnostics, services: 0, slos: 0 };
  const api = options.api ?? DEFAULT_API;
  const tree = new Map<string, string>();
  if (!hasEnvironments) tree.set('slos/environments.ts', environmentsModule(environments, api));
  for (const item of services) {
    const service = item.value as Service;
    const path = `slos/${service.name}.ts`;
    if (tree.has(path))
      diagnostics.push({
        code: 'import/duplicate-service',
        severity: 'error',
        file: item.file,
        path: [],
        message: `a second service named ${service.name}`,
      });
    tree.set(
      path,
      serviceModule(service, {
        api,
        source: `${options.format === 'openslo' ? 'OpenSLO' : options.format === 'sloth' ? 'Sloth' : 'Pyrra'} ${item.file}`,
        notes: notes.get(service.name) ?? new Map(),
      }),
    );
  }
  if (hasErrors(diagnostics)) return { diagnostics, services: 0, slos: 0 };
  return {
    diagnostics,
    tree,
    services: services.length,
    slos: services.reduce((n, s) => n + (s.value as Service).slos.length, 0),
  };
}

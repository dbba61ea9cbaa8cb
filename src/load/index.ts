/**
 * Finds definition files and imports them (TypeScript, run through the loader the CLI runs under;
 * no build step), attaching the source file to every service found.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from '../model/diagnostic.ts';
import { type Environment, SERVICE_KIND } from '../model/service.ts';
import type { LoadedService } from '../model/validate.ts';

const DEFINITION_FILE = /\.(ts|mts)$/;
const IGNORED_FILE = /\.(d|test|spec)\.(ts|mts)$/;

/** Definition files below `dir`, sorted, as absolute paths. */
export async function findDefinitionFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile() && DEFINITION_FILE.test(e.name) && !IGNORED_FILE.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const isService = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === SERVICE_KIND;

/** Project-relative path with forward slashes, as diagnostics print it. */
export const displayPath = (root: string, file: string): string => relative(root, file).split(sep).join('/');

/** The first line of an error thrown while importing a user's file: never a stack trace. */
function importMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '') ?? 'failed to load';
}

/** Imports every definition file under `<root>/<dir>` and returns the services they export. */
export async function loadDefinitions(
  root: string,
  dir = 'slos',
): Promise<{ services: LoadedService[]; diagnostics: Diagnostic[] }> {
  const services: LoadedService[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of await findDefinitionFiles(join(root, dir))) {
    const shown = displayPath(root, file);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      diagnostics.push({
        code: 'load/import',
        severity: 'error',
        file: shown,
        path: [],
        message: `cannot load: ${importMessage(error)}`,
      });
      continue;
    }
    const seen = new Set<unknown>();
    for (const [exportName, value] of Object.entries(module).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      if (!isService(value) || seen.has(value)) continue;
      seen.add(value);
      services.push({ file: shown, exportName, value });
    }
  }
  return { services, diagnostics };
}

/** OpenSLO definition files below `dir` (`*.yaml`, `*.yml`), sorted, as absolute paths. */
export async function findOpenSloDefinitionFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The `environments` export of a definition module: OpenSLO has no environments, so imported
 * services are generated for these. `environments` is undefined (with a diagnostic) when the module
 * cannot be loaded or exports none.
 */
export async function loadEnvironments(
  root: string,
  file: string,
): Promise<{ environments?: readonly Environment[]; diagnostics: Diagnostic[] }> {
  const shown = displayPath(root, file);
  const fail = (message: string) => ({
    diagnostics: [
      {
        code: 'load/environments',
        severity: 'error' as const,
        file: shown,
        path: ['environments'],
        message,
        hint: 'OpenSLO has no environments: export `environments` (defineEnvironment values) from this module, or pass --environments <file>',
      },
    ],
  });
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    return fail(`cannot load: ${importMessage(error)}`);
  }
  const environments = module.environments;
  if (!Array.isArray(environments) || environments.length === 0)
    return fail('exports no `environments` list for the OpenSLO services');
  return { environments: environments as Environment[], diagnostics: [] };
}

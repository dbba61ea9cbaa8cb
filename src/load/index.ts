/**
 * Finds definition files and imports them (TypeScript, run through the loader the CLI runs under;
 * no build step), attaching the source file to every service found.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ALERT_KIND } from '../model/alert.ts';
import { DASHBOARDS_KIND } from '../model/dashboards.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { type Environment, SERVICE_KIND } from '../model/service.ts';
import type { LoadedAlert, LoadedExport, LoadedService } from './loaded.ts';
import { importUserModule } from './typescript.ts';

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

/** Imports a module by absolute path: the exports of one definition file. */
export type Importer = (file: string) => Promise<Record<string, unknown>>;

/** Imports through the loader the CLI runs under, one file at a time. */
export const importEach: Importer = importUserModule;

/** Imports one definition file: its exports sorted by name, or a diagnostic. */
async function importDefinitionFile(
  file: string,
  shown: string,
  importer: Importer,
): Promise<{ exports: [string, unknown][] } | { diagnostic: Diagnostic }> {
  try {
    const module = await importer(file);
    return { exports: Object.entries(module).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
  } catch (error) {
    return {
      diagnostic: {
        code: 'load/import',
        severity: 'error',
        file: shown,
        path: [],
        message: `cannot load: ${importMessage(error)}`,
      },
    };
  }
}

/**
 * Imports every definition file under `<root>/<dir>`, reporting files that fail to load, and hands
 * each loaded file's exports (sorted by name) with its project-relative path to `visit`.
 */
async function forEachDefinitionFile(
  root: string,
  dir: string,
  diagnostics: Diagnostic[],
  visit: (shown: string, exports: [string, unknown][]) => void,
  importer: Importer,
): Promise<void> {
  for (const file of await findDefinitionFiles(join(root, dir))) {
    const shown = displayPath(root, file);
    const imported = await importDefinitionFile(file, shown, importer);
    if ('diagnostic' in imported) diagnostics.push(imported.diagnostic);
    else visit(shown, imported.exports);
  }
}

/**
 * Imports every definition file under `<root>/<dir>` and returns the services they export, and
 * every other exported object with its file (so diagnostics about a shared environment or
 * routing can name the file that defines it).
 */
export async function loadDefinitions(
  root: string,
  dir = 'slos',
  importer: Importer = importEach,
): Promise<{ services: LoadedService[]; diagnostics: Diagnostic[]; exports: LoadedExport[] }> {
  const services: LoadedService[] = [];
  const diagnostics: Diagnostic[] = [];
  const exports: LoadedExport[] = [];
  await forEachDefinitionFile(
    root,
    dir,
    diagnostics,
    (shown, fileExports) => {
      const seen = new Set<unknown>();
      for (const [exportName, value] of fileExports) {
        if (value === null || typeof value !== 'object' || seen.has(value)) continue;
        seen.add(value);
        if (isService(value)) services.push({ file: shown, exportName, value });
        else exports.push({ file: shown, exportName, value });
      }
    },
    importer,
  );
  return { services, diagnostics, exports };
}

const isAlert = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === ALERT_KIND;

/**
 * Imports every file under `<root>/<dir>` (alerts/) and returns the alerts they export, alone or
 * in arrays. A file that exports no alert at all is a diagnostic: it is probably a typo.
 */
export async function loadAlerts(
  root: string,
  dir = 'alerts',
  importer: Importer = importEach,
): Promise<{ alerts: LoadedAlert[]; diagnostics: Diagnostic[] }> {
  const alerts: LoadedAlert[] = [];
  const diagnostics: Diagnostic[] = [];
  await forEachDefinitionFile(
    root,
    dir,
    diagnostics,
    (shown, fileExports) => {
      const seen = new Set<unknown>();
      const before = alerts.length;
      for (const [exportName, value] of fileExports) {
        const items = Array.isArray(value) ? value.map((v, i) => [`${exportName}[${i}]`, v] as const) : [];
        for (const [name, item] of isAlert(value) ? [[exportName, value] as const] : items) {
          if (!isAlert(item) || seen.has(item)) continue;
          seen.add(item);
          alerts.push({ file: shown, exportName: name, value: item });
        }
      }
      if (alerts.length === before)
        diagnostics.push({
          code: 'load/no-alerts',
          severity: 'error',
          file: shown,
          path: [],
          message: 'exports no alert definition',
          hint: 'export defineAlert({...}) results, alone or in an array',
        });
    },
    importer,
  );
  return { alerts, diagnostics };
}

const isDashboards = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === DASHBOARDS_KIND;

/**
 * Imports every file under `<root>/<dir>` and returns the dashboard definitions they export
 * (`defineDashboards`), in file and export-name order. A missing directory is no definitions.
 */
export async function loadDashboardDefinitions(
  root: string,
  dir = 'dashboards',
  importer: Importer = importEach,
): Promise<{ definitions: LoadedService[]; diagnostics: Diagnostic[] }> {
  const definitions: LoadedService[] = [];
  const diagnostics: Diagnostic[] = [];
  await forEachDefinitionFile(
    root,
    dir,
    diagnostics,
    (shown, fileExports) => {
      const seen = new Set<unknown>();
      for (const [exportName, value] of fileExports) {
        if (!isDashboards(value) || seen.has(value)) continue;
        seen.add(value);
        definitions.push({ file: shown, exportName, value });
      }
    },
    importer,
  );
  return { definitions, diagnostics };
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
    module = await importUserModule(file);
  } catch (error) {
    return fail(`cannot load: ${importMessage(error)}`);
  }
  const environments = module.environments;
  if (!Array.isArray(environments) || environments.length === 0)
    return fail('exports no `environments` list for the OpenSLO services');
  return { environments: environments as Environment[], diagnostics: [] };
}

/**
 * Reads a repository's obsgen.config.ts and turns it into the options every command runs with,
 * after the checks a newcomer trips over first: a root that does not exist, no configuration, a
 * CommonJS package (definition files are ES modules), a definitions folder that is not there.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { type ObsgenConfig, OUTPUT_TARGETS, type OutputTarget } from '../model/config.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { importUserModule } from './typescript.ts';

/** Names obsgen looks for at the root, in this order. */
export const CONFIG_FILES = ['obsgen.config.ts', 'obsgen.config.mts'] as const;

/**
 * The repository cannot be read at all (no root, no configuration, a CommonJS package): a usage
 * error (exit 2) with one line naming the problem and the fix.
 */
export class ProjectSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectSetupError';
  }
}

/** The options a command runs with: the configuration resolved against the root, defaults filled. */
export interface ProjectConfig {
  readonly root: string;
  /** The configuration file, relative to root; undefined when the defaults apply. */
  readonly file?: string;
  readonly definitions: string;
  readonly alerts: string;
  readonly dashboards: string;
  readonly openslo: readonly string[];
  readonly environments?: string;
  readonly outDir: string;
  readonly targets: readonly OutputTarget[];
}

const DEFAULTS = {
  definitions: 'slos',
  alerts: 'alerts',
  dashboards: 'dashboards',
  openslo: [] as readonly string[],
  outDir: 'generated',
  targets: OUTPUT_TARGETS,
} as const;

const folder = z.string().min(1, 'must be a folder path');
const configShape = z
  .object({
    definitions: folder.optional(),
    alerts: folder.optional(),
    dashboards: folder.optional(),
    openslo: z.array(z.string().min(1)).optional(),
    environments: z.string().min(1).optional(),
    outDir: folder.optional(),
    targets: z.array(z.enum(OUTPUT_TARGETS)).min(1, 'names at least one target').optional(),
  })
  .strict();

const isDirectory = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The nearest package.json at or above `dir`, with its `type`, or undefined. */
async function nearestPackage(dir: string): Promise<{ file: string; type?: unknown } | undefined> {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const file = join(current, 'package.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        return { file, type: (JSON.parse(text) as { type?: unknown }).type };
      } catch {
        throw new ProjectSetupError(`${file} is not valid JSON; fix it so Node can read the package type`);
      }
    }
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Definition files are TypeScript ES modules (`import ... from 'obsgen'`); in a CommonJS package
 * Node and tsx fail on them with errors that do not say why, so say it first.
 */
export async function assertEsmPackage(dir: string): Promise<void> {
  const pkg = await nearestPackage(dir);
  if (!pkg)
    throw new ProjectSetupError(
      `no package.json at or above ${dir}: definition files are ES modules; add a package.json with "type": "module" (obsgen init writes one)`,
    );
  if (pkg.type !== 'module')
    throw new ProjectSetupError(
      `${pkg.file} does not say "type": "module", so Node loads the definitions as CommonJS; add "type": "module" to it`,
    );
}

const configDiagnostic = (
  file: string,
  path: (string | number)[],
  message: string,
  hint?: string,
  code = 'config/invalid',
) => ({
  code,
  severity: 'error' as const,
  file,
  path,
  message,
  ...(hint ? { hint } : {}),
});

/** The first line of an error thrown while importing the configuration: never a stack trace. */
const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim() !== '') ??
  'failed to load';

/** Imports and checks the configuration file: its settings or diagnostics naming the field. */
async function readConfigFile(
  root: string,
  file: string,
): Promise<{ config?: ObsgenConfig; diagnostics: Diagnostic[] }> {
  let module: { default?: unknown };
  try {
    module = (await importUserModule(join(root, file))) as { default?: unknown };
  } catch (error) {
    return { diagnostics: [configDiagnostic(file, [], `cannot load: ${firstLine(error)}`)] };
  }
  if (module.default === undefined)
    return {
      diagnostics: [
        configDiagnostic(
          file,
          [],
          'has no default export',
          "export default defineConfig({ ... }) (defineConfig from 'obsgen')",
        ),
      ],
    };
  const parsed = configShape.safeParse(module.default);
  if (parsed.success) return { config: parsed.data as ObsgenConfig, diagnostics: [] };
  return {
    diagnostics: parsed.error.issues.map((issue) =>
      configDiagnostic(
        file,
        issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        issue.code === 'unrecognized_keys'
          ? `unknown setting ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
          : issue.message,
        issue.code === 'unrecognized_keys'
          ? 'settings are definitions, alerts, dashboards, openslo, environments, outDir, targets'
          : issue.path[0] === 'targets'
            ? `targets are ${OUTPUT_TARGETS.join(', ')}`
            : undefined,
      ),
    ),
  };
}

/**
 * The options of the repository at `root`: its obsgen.config.ts, or the defaults when there is none
 * but a slos/ folder is there (a repository from before the configuration file) or OpenSLO files
 * are named on the command line (`options.openslo`). Throws
 * ProjectSetupError for what stops any command; returns diagnostics for a wrong setting.
 */
export async function loadProjectConfig(
  root: string,
  options: { readonly openslo?: boolean } = {},
): Promise<{ config?: ProjectConfig; diagnostics: Diagnostic[] }> {
  const absoluteRoot = resolve(root);
  if (!(await isDirectory(absoluteRoot)))
    throw new ProjectSetupError(
      `--root ${root}: no such directory; pass the folder that holds obsgen.config.ts`,
    );
  let file: string | undefined;
  for (const name of CONFIG_FILES)
    if (await exists(join(absoluteRoot, name))) {
      file = name;
      break;
    }
  if (
    file === undefined &&
    !options.openslo &&
    !(await isDirectory(join(absoluteRoot, DEFAULTS.definitions)))
  )
    throw new ProjectSetupError(
      `no obsgen.config.ts in ${absoluteRoot}: run \`obsgen init\` to start a repository here, or pass --root <dir>`,
    );
  if (file !== undefined) await assertEsmPackage(absoluteRoot);
  const read =
    file === undefined ? { config: {}, diagnostics: [] } : await readConfigFile(absoluteRoot, file);
  if (!read.config) return { diagnostics: read.diagnostics };
  const config: ProjectConfig = {
    root: absoluteRoot,
    ...(file ? { file } : {}),
    definitions: read.config.definitions ?? DEFAULTS.definitions,
    alerts: read.config.alerts ?? DEFAULTS.alerts,
    dashboards: read.config.dashboards ?? DEFAULTS.dashboards,
    openslo: read.config.openslo ?? DEFAULTS.openslo,
    ...(read.config.environments ? { environments: read.config.environments } : {}),
    outDir: read.config.outDir ?? DEFAULTS.outDir,
    targets: read.config.targets ?? DEFAULTS.targets,
  };
  const definitionsFound = await isDirectory(join(absoluteRoot, config.definitions));
  // Without a configuration file only the command line's OpenSLO files get here: nothing to check.
  if (!definitionsFound && file === undefined) return { config, diagnostics: [] };
  if (!definitionsFound)
    return {
      diagnostics: [
        configDiagnostic(
          file ?? CONFIG_FILES[0],
          ['definitions'],
          `folder ${JSON.stringify(config.definitions)} does not exist in ${absoluteRoot}`,
          `create ${config.definitions}/ with a defineService file, or point definitions at the folder that has them`,
          'config/definitions-missing',
        ),
      ],
    };
  await assertEsmPackage(join(absoluteRoot, config.definitions));
  return { config, diagnostics: [] };
}

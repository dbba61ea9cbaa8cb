/**
 * `obsgen init [dir]`: a new repository of definitions that generates, lints and tests clean from
 * the start, from the files in templates/init/ (shipped in the package). Never overwrites a file.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATES = fileURLToPath(new URL('../../templates/init/', import.meta.url));
const OWN_PACKAGE = fileURLToPath(new URL('../../package.json', import.meta.url));

/** Scripts a new repository gets; an existing package.json keeps its own. */
const SCRIPTS: Readonly<Record<string, string>> = {
  generate: 'obsgen generate',
  lint: 'obsgen lint',
  test: 'obsgen test',
  typecheck: 'tsc --noEmit',
};

/** `npm init`'s placeholder test script, which an obsgen repository replaces. */
const NPM_INIT_TEST = 'echo "Error: no test specified" && exit 1';

/** Files that exist already (or a package.json that cannot become an ES module package). */
export class InitConflictError extends Error {
  constructor(
    readonly dir: string,
    readonly conflicts: readonly string[],
  ) {
    super(`${dir}: ${conflicts.join(', ')} already exist${conflicts.length === 1 ? 's' : ''}`);
    this.name = 'InitConflictError';
  }
}

export interface InitResult {
  readonly dir: string;
  /** Files written, relative to `dir`, sorted. */
  readonly created: readonly string[];
  /** package.json when it existed and got `"type": "module"` or scripts. */
  readonly updated: readonly string[];
  /** Whether the repository still needs `npm install` (a new package.json lists obsgen). */
  readonly needsInstall: boolean;
}

/** Shipped names that npm would drop or a tool would pick up: `_gitignore` -> `.gitignore`, `_github` -> `.github`. */
const targetName = (segment: string): string => (segment.startsWith('_') ? `.${segment.slice(1)}` : segment);

/** Template files as [shipped path, path in the new repository], sorted by the latter. */
async function templateFiles(): Promise<[string, string][]> {
  const entries = await readdir(TEMPLATES, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e): [string, string] => {
      const shipped = join(e.parentPath, e.name);
      return [shipped, relative(TEMPLATES, shipped).split(sep).map(targetName).join('/')];
    })
    .sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

interface PackageJson {
  name?: string;
  type?: string;
  private?: boolean;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** A package name npm accepts, from the folder's name. */
const packageName = (dir: string): string =>
  basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '') || 'observability';

/** package.json of a new repository: ES modules, the obsgen scripts, obsgen and TypeScript pinned as this obsgen's. */
function newPackage(dir: string, own: PackageJson): PackageJson {
  return {
    name: packageName(dir),
    private: true,
    type: 'module',
    scripts: { ...SCRIPTS },
    devDependencies: {
      obsgen: `^${String(own.version)}`,
      typescript: own.devDependencies?.typescript ?? 'latest',
    },
  };
}

/**
 * An existing package.json (from `npm install obsgen`) made an ES module package with the obsgen
 * scripts it lacks; `typecheck` only when TypeScript is a dependency. Undefined when nothing changes.
 */
function mergedPackage(pkg: PackageJson): PackageJson | undefined {
  const hasTypescript =
    pkg.dependencies?.typescript !== undefined || pkg.devDependencies?.typescript !== undefined;
  const scripts = { ...(pkg.scripts ?? {}) };
  if (scripts.test === NPM_INIT_TEST) delete scripts.test;
  for (const [name, command] of Object.entries(SCRIPTS))
    if (scripts[name] === undefined && (name !== 'typecheck' || hasTypescript)) scripts[name] = command;
  const merged = { ...pkg, type: 'module', scripts };
  return JSON.stringify(merged) === JSON.stringify(pkg) ? undefined : merged;
}

/**
 * Writes the template repository into `dir` (created when missing). Refuses, writing nothing, when
 * any file it would write exists, or package.json declares CommonJS.
 */
export async function initRepository(target: string): Promise<InitResult> {
  const dir = resolve(target);
  const files = await templateFiles();
  const conflicts: string[] = [];
  for (const [, path] of files) if (await exists(join(dir, path))) conflicts.push(path);
  const own = JSON.parse(await readFile(OWN_PACKAGE, 'utf8')) as PackageJson;
  const pkgPath = join(dir, 'package.json');
  const existing = (await exists(pkgPath))
    ? (JSON.parse(await readFile(pkgPath, 'utf8')) as PackageJson)
    : undefined;
  if (existing?.type !== undefined && existing.type !== 'module')
    conflicts.push(`package.json (says "type": ${JSON.stringify(existing.type)}; definitions need "module")`);
  if (conflicts.length > 0) throw new InitConflictError(dir, conflicts);
  await mkdir(dir, { recursive: true });
  for (const [shipped, path] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), await readFile(shipped), { flag: 'wx' });
  }
  const pkg = existing ? mergedPackage(existing) : newPackage(dir, own);
  if (pkg) await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  return {
    dir,
    created: [...files.map(([, path]) => path), ...(existing ? [] : ['package.json'])].sort(),
    updated: existing && pkg ? ['package.json'] : [],
    needsInstall:
      existing?.dependencies?.obsgen === undefined && existing?.devDependencies?.obsgen === undefined,
  };
}

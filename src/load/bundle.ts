/**
 * Loading a fleet's definition files in one pass: a thousand files imported one by one through the
 * TypeScript loader cost a module resolution and a transform each (seconds); esbuild (the
 * transformer tsx itself runs) bundles the project's own files into one module instead, each file
 * transformed once and evaluated once, shared modules (an environments file) shared as before.
 * Imports that lead outside the project (obsgen, other packages, files above the root) stay imports,
 * so obsgen's model is the very module obsgen runs. The bundle is cached under
 * node_modules/.cache/obsgen/bundle/, reused only while every file it was built from has the same
 * content (SHA-256) and obsgen and esbuild are the same. Building a bundle removes the one it
 * replaces, and the indexes no run has used for a week with their bundles (`pruneBundles`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Plugin } from 'esbuild';
import { importUserModule } from './typescript.ts';

/** A module's exports by name. */
export type ModuleExports = Record<string, unknown>;

/** Below this many files the files are imported one by one (precise errors, no bundle to write). */
export const BUNDLE_THRESHOLD = 16;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/**
 * The project's own files are bundled; imports of packages (`packages: 'external'`) and of files
 * outside the project stay imports. Only paths that can lead outside (`../`, absolute) are asked
 * of this plugin: a callback per import would cost more than the bundling.
 */
function keepOutside(root: string): Plugin {
  const modules = join(root, 'node_modules');
  return {
    name: 'obsgen-keep-outside',
    setup(b) {
      b.onResolve({ filter: /^(\.\.\/|\/)/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === 'obsgen-resolving') return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'obsgen-resolving',
        });
        if (found.errors.length > 0) return { errors: found.errors };
        const own = inside(root, found.path) && !inside(modules, found.path);
        return own ? { path: found.path } : { path: found.path, external: true };
      });
    },
  };
}

interface BundleIndex {
  /** Files the bundle was built from (project-relative) and the SHA-256 of their content. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The bundle's file name in the cache folder. */
  readonly bundle: string;
}

/** Whether every input still has the content the bundle was built from. */
async function unchanged(root: string, inputs: Readonly<Record<string, string>>): Promise<boolean> {
  for (const [file, hash] of Object.entries(inputs)) {
    let content: Buffer;
    try {
      // Synchronous: a thousand small files read faster without the thread pool.
      content = readFileSync(join(root, file));
    } catch {
      return false;
    }
    if (sha256(content) !== hash) return false;
  }
  return true;
}

/** An index no run has used for this long is removed, with its bundle, when a bundle is built. */
export const BUNDLE_UNUSED_MS = 7 * 86_400_000;
/** A bundle no index names is removed once this old: a concurrent run may be about to name it. */
const ORPHAN_GRACE_MS = 3_600_000;

/** The index at `path`, or undefined. */
const readIndex = (path: string): Promise<BundleIndex | undefined> =>
  readFile(path, 'utf8')
    .then((text) => JSON.parse(text) as BundleIndex)
    .catch(() => undefined);

/**
 * Removes what no run will use again, after `current` was built: the indexes unused for
 * BUNDLE_UNUSED_MS (another file list, another obsgen, the temporary roots of `diff`), and the
 * bundles no remaining index names: at once those of the removed indexes and the one `current`
 * replaced, after a grace any other (written by a run that has not written its index yet). A
 * run that loses its bundle meanwhile imports the files one by one, as when bundling fails.
 */
async function pruneBundles(dir: string, current: string, replaced: string | undefined): Promise<void> {
  const now = Date.now();
  const names = await readdir(dir);
  const named = new Set<string>();
  const dropped = new Set(replaced ? [replaced] : []);
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    const bundle = (await readIndex(path))?.bundle;
    if (info && now - info.mtimeMs > BUNDLE_UNUSED_MS) {
      await rm(path, { force: true });
      if (bundle) dropped.add(bundle);
    } else if (bundle) named.add(bundle);
  }
  for (const name of names.filter((n) => n.endsWith('.mjs') && n !== current && !named.has(n))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (dropped.has(name) || (info && now - info.mtimeMs > ORPHAN_GRACE_MS)) await rm(path, { force: true });
  }
}

/** Writes a file whole: a killed run leaves no half-written bundle or index. */
async function writeWhole(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/**
 * The exports of each of `files` (absolute paths below `root`), imported through one bundle kept in
 * `cacheDir`; undefined when they cannot be bundled or the bundle fails to load (the caller then
 * imports them one by one, which names the file at fault).
 */
export async function importBundled(
  root: string,
  files: readonly string[],
  cacheDir: string,
  fingerprint: string,
): Promise<Map<string, ModuleExports> | undefined> {
  try {
    // Loaded here, not with the module: most runs bundle nothing and need not pay for it.
    const { build, version: esbuildVersion } = await import('esbuild');
    const dir = join(cacheDir, 'bundle');
    const shown = files.map((f) => relative(root, f).split(sep).join('/'));
    const key = sha256(JSON.stringify([fingerprint, esbuildVersion, root, shown]));
    const indexPath = join(dir, `${key}.json`);
    let index = await readIndex(indexPath);
    if (index && (await unchanged(root, index.inputs))) {
      // In use: kept by pruning (below) as long as some run uses it within BUNDLE_UNUSED_MS.
      const now = new Date();
      await utimes(indexPath, now, now).catch(() => undefined);
    } else {
      const replaced = index?.bundle;
      const entry = shown.map((f, i) => `export * as m${i} from ${JSON.stringify(`./${f}`)};`).join('\n');
      const result = await build({
        stdin: { contents: entry, resolveDir: root, sourcefile: 'obsgen-definitions.ts', loader: 'ts' },
        absWorkingDir: root,
        bundle: true,
        packages: 'external',
        format: 'esm',
        platform: 'node',
        target: 'node20',
        write: false,
        metafile: true,
        logLevel: 'silent',
        plugins: [keepOutside(root)],
      });
      const code = result.outputFiles[0]?.text ?? '';
      const inputs: Record<string, string> = {};
      for (const input of Object.keys(result.metafile.inputs)) {
        if (input === 'obsgen-definitions.ts' || input.startsWith('<')) continue;
        const path = isAbsolute(input) ? input : join(root, input);
        inputs[relative(root, path).split(sep).join('/')] = sha256(await readFile(path));
      }
      const bundle = `${sha256(code)}.mjs`;
      await mkdir(dir, { recursive: true });
      await writeWhole(join(dir, bundle), code);
      index = { inputs, bundle };
      await writeWhole(indexPath, JSON.stringify(index));
      await pruneBundles(dir, bundle, replaced).catch(() => undefined);
    }
    // Plain JavaScript, but its imports of obsgen's model are TypeScript.
    const module = await importUserModule(join(dir, index.bundle));
    return new Map(files.map((f, i) => [f, module[`m${i}`] as ModuleExports]));
  } catch {
    return undefined;
  }
}

/** Removes the bundles of a cache folder (tests). */
export const clearBundles = (cacheDir: string): Promise<void> =>
  rm(join(cacheDir, 'bundle'), { recursive: true, force: true });

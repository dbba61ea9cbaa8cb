/**
 * Start-up of the CLI and its worker threads from one esbuild bundle of obsgen's code and the
 * packages it imports: the 170-odd TypeScript modules, transformed one by one on tsx's loader thread,
 * cost about three times the CPU of loading one file, and the packages' 450-odd files, resolved and
 * loaded one by one, about as much again as the rest of the start. The bundle is kept in
 * node_modules/.cache/obsgen/cli/ and used only while every file it was built from (the packages'
 * too) has the content it was built from (SHA-256) and esbuild is the same version; otherwise it is
 * built again. Whatever fails on the way (no esbuild, a read-only or
 * missing cache folder, a bundle that does not load), the caller falls back to tsx.
 *
 * Plain JavaScript: it runs before anything can load TypeScript.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The folder of this obsgen (holding src/ and package.json). */
export const OBSGEN_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Packages left out of the bundles, imported at run time (see buildBundles). */
export const BUNDLE_EXTERNAL = ['esbuild', 'tsx', 'tsx/*', 'prom-client'];

/** The bundles' entry points, below src/. */
export const ENTRIES = { cli: 'cli/start.ts', worker: 'share-worker-main.ts' };

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** Forward-slash path of `file` below `root`, as the index records it. */
const shown = (root, file) => relative(root, file).split(sep).join('/');

/**
 * Where the bundles are kept: below obsgen's own folder (<obsgen>/node_modules/.cache/obsgen/cli),
 * so the packages a bundle imports resolve as they do from src/: first obsgen's own node_modules
 * (the versions npm nested there for it), then the folders above. A bundle kept in a consumer's
 * top-level node_modules would skip the nested ones and import the consumer's versions instead.
 */
export const cacheFolder = (root) => join(root, 'node_modules', '.cache', 'obsgen', 'cli');

/** The version of the esbuild obsgen would bundle with, read without loading it. */
export function esbuildVersion(root) {
  const require = createRequire(join(root, 'src', 'startup.js'));
  return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
}

/** The index's file: one per obsgen folder and esbuild version. */
const indexFile = (cache, root, version) =>
  join(cache, `${sha256(JSON.stringify([root, version])).slice(0, 32)}.json`);

/**
 * Whether every input still has the content the bundle was built from. The same check as the
 * definitions bundle's (src/load/bundle.ts), kept apart: this file runs before TypeScript can be
 * loaded and stays out of the bundle it checks (its `import.meta` must be its own).
 */
export function unchanged(root, inputs) {
  for (const [file, hash] of Object.entries(inputs)) {
    let content;
    try {
      content = readFileSync(join(root, file));
    } catch {
      return false;
    }
    if (sha256(content) !== hash) return false;
  }
  return true;
}

/** The index at `path`, or undefined. */
function readIndex(path) {
  try {
    const index = JSON.parse(readFileSync(path, 'utf8'));
    return index && typeof index.inputs === 'object' && typeof index.outputs === 'object' ? index : undefined;
  } catch {
    return undefined;
  }
}

/** The index of the bundles still valid for `root`, or undefined. */
export function validIndex(cache, root, version) {
  const index = readIndex(indexFile(cache, root, version));
  return index && unchanged(root, index.inputs) ? index : undefined;
}

/** Whether bundles can be written to `cache` (created when missing): checked before building. */
function writable(cache) {
  try {
    mkdirSync(cache, { recursive: true });
    accessSync(cache, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file whole, under a name of this process first: concurrent runs never see half a file. */
function writeWhole(path, text) {
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Reads obsgen's sources for esbuild, recording the SHA-256 of each text it hands over (so the index
 * holds the hashes of what was bundled, even when a file changes while esbuild runs). In a bundle
 * `import.meta` is the bundle's; each of obsgen's files reads its templates, its package.json and
 * its worker relative to itself, so each keeps the URL and path of its source.
 */
const ownSources = (src, hashes) => ({
  name: 'obsgen-own-sources',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(src)) return undefined;
      const text = readFileSync(args.path);
      hashes.set(args.path, sha256(text));
      const own = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
      const contents = text
        .toString('utf8')
        .replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, key) => JSON.stringify(own[key]));
      return { contents, loader: 'ts' };
    });
  },
});

/** Builds the bundles and writes them and their index to `cache`; returns the index. */
export async function buildBundles(cache, root, version) {
  const src = join(root, 'src');
  const require = createRequire(join(src, 'startup.js'));
  const { build } = await import(pathToFileURL(require.resolve('esbuild')).href);
  // This file too: it holds the options the bundles are built with.
  const hashes = new Map([[join(src, 'startup.js'), sha256(readFileSync(join(src, 'startup.js')))]]);
  const result = await build({
    entryPoints: Object.values(ENTRIES).map((e) => join(src, e)),
    absWorkingDir: root,
    outdir: join(src, '.bundle'),
    bundle: true,
    // The packages obsgen imports are bundled too: resolving and loading their few hundred files
    // one by one cost as much as all of obsgen's own code. Left out: esbuild (a native binary),
    // tsx (registers a loader) and prom-client (only the drills load it).
    external: BUNDLE_EXTERNAL,
    // Bundled CommonJS packages require Node's built-ins; the bundle is ESM, so it gets a require
    // of its own (from this file, not import.meta: each bundled file keeps its own import.meta).
    banner: {
      js: `import { createRequire as __obsgenRequire } from 'node:module';\nconst require = __obsgenRequire(${JSON.stringify(join(src, 'startup.js'))});`,
    },
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [ownSources(src, hashes)],
  });
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = join(root, input);
    if (!hashes.has(path)) hashes.set(path, sha256(readFileSync(path)));
  }
  const inputs = Object.fromEntries([...hashes].map(([path, hash]) => [shown(root, path), hash]));
  const byEntry = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([out, meta]) => [
      meta.entryPoint && shown(src, join(root, meta.entryPoint)),
      join(root, out),
    ]),
  );
  const outputs = {};
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const text = result.outputFiles.find((f) => f.path === byEntry[entry])?.text;
    if (text === undefined) throw new Error(`esbuild wrote no bundle for ${entry}`);
    outputs[name] = `${sha256(text).slice(0, 32)}.mjs`;
    writeWhole(join(cache, outputs[name]), text);
  }
  const index = { esbuild: version, inputs, outputs };
  const path = indexFile(cache, root, version);
  const replaced = readIndex(path);
  writeWhole(path, JSON.stringify(index));
  // The bundles of the code before this change; only a run of that code could still want them.
  for (const file of Object.values(replaced?.outputs ?? {}))
    if (!Object.values(outputs).includes(file)) rmSync(join(cache, file), { force: true });
  return index;
}

/**
 * The module of the bundle of `entry` (a key of ENTRIES), built first when missing or stale unless
 * `build` is false; undefined when anything fails, so the caller runs through tsx instead.
 */
export async function importBundle(
  entry,
  { root = OBSGEN_ROOT, cache = cacheFolder(root), build = true } = {},
) {
  try {
    const version = esbuildVersion(root);
    const index =
      validIndex(cache, root, version) ??
      (build && writable(cache) ? await buildBundles(cache, root, version) : undefined);
    const file = index?.outputs?.[entry];
    return file ? await import(pathToFileURL(join(cache, file)).href) : undefined;
  } catch {
    return undefined;
  }
}

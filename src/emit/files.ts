/**
 * The only file writer. generated/ belongs to obsgen: `writeTree` makes it hold exactly the given
 * files (each replaced atomically by rename, stale ones removed); `checkTree` compares instead.
 */
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/** Generated file contents by path relative to the output directory. */
export type FileTree = ReadonlyMap<string, string>;

export interface TreeDrift {
  readonly missing: string[];
  readonly changed: string[];
  readonly extra: string[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** How the directory differs from the tree (empty lists when up to date). */
export async function checkTree(outDir: string, tree: FileTree): Promise<TreeDrift> {
  const present = new Set(await listFiles(outDir));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [path, content] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!present.has(path)) missing.push(path);
    else if ((await readFile(join(outDir, path), 'utf8')) !== content) changed.push(path);
  }
  const extra = [...present].filter((path) => !tree.has(path));
  return { missing, changed, extra };
}

export const isDriftFree = (drift: TreeDrift): boolean =>
  drift.missing.length + drift.changed.length + drift.extra.length === 0;

async function removeEmptyDirs(dir: string, root: string): Promise<void> {
  let current = dir;
  while (current.startsWith(root) && current !== root) {
    if ((await readdir(current).catch(() => ['?'])).length > 0) return;
    await rmdir(current).catch(() => undefined);
    current = dirname(current);
  }
}

/** Writes the missing and changed files of `drift`, each replaced atomically by rename. */
async function writeChanged(dir: string, tree: FileTree, drift: TreeDrift): Promise<void> {
  for (const path of [...drift.missing, ...drift.changed]) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}`;
    await writeFile(temp, tree.get(path) ?? '', 'utf8');
    await rename(temp, target);
  }
}

/**
 * Writes the files of `tree` into `dir`, leaving every other file there alone: for directories
 * obsgen does not own, such as an export target.
 */
export async function writeFiles(dir: string, tree: FileTree): Promise<TreeDrift> {
  const drift = await checkTree(dir, tree);
  await writeChanged(dir, tree, drift);
  return { ...drift, extra: [] };
}

/** Makes `outDir` hold exactly `tree`; returns what it changed. Unchanged files are not touched. */
export async function writeTree(outDir: string, tree: FileTree): Promise<TreeDrift> {
  const drift = await checkTree(outDir, tree);
  await writeChanged(outDir, tree, drift);
  for (const path of drift.extra) {
    const target = join(outDir, path);
    await rm(target, { force: true });
    await removeEmptyDirs(dirname(target), outDir);
  }
  return drift;
}

/**
 * The local cache of incremental `generate`: JSON entries named by a content hash, under
 * node_modules/.cache/obsgen/ of the project (ignored wherever node_modules is; delete it any
 * time). A project without its own node_modules folder (a symlink to another checkout's counts as
 * not its own) has no cache: every run builds every service. An entry
 * is only ever looked up by the hash of everything that produced it, so a changed input or a
 * changed obsgen finds no entry and builds again; entries are written whole (temporary file, then
 * rename), so a killed run leaves none half-written.
 */
import { readFileSync } from 'node:fs';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The cache folder of a project root. */
export const cacheDir = (root: string): string => join(root, 'node_modules', '.cache', 'obsgen');

/** Whether the project has a node_modules folder of its own to keep the cache in. */
const hasCache = (root: string): Promise<boolean> =>
  lstat(join(root, 'node_modules')).then(
    (s) => s.isDirectory(),
    () => false,
  );

/** The project's cache folder, or undefined when it has none. */
export const cacheFolder = async (root: string): Promise<string | undefined> =>
  (await hasCache(root)) ? cacheDir(root) : undefined;

const entryPath = (folder: string, kind: string, key: string): string =>
  join(folder, kind, key.slice(0, 2), `${key}.json`);

/**
 * A cached entry in the cache folder (see `cacheFolder`), or undefined when there is none (or it
 * cannot be read: then it is rebuilt). Synchronous: a fleet reads a thousand small entries, and
 * each through the thread pool costs more than the read.
 */
export function readCacheEntry<T>(folder: string, kind: string, key: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(entryPath(folder, kind, key), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as { key?: unknown; value?: T };
    return entry.key === key ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores an entry in the cache folder. A cache that cannot be written (read-only checkout, full disk) costs speed,
 * never the run: the failure is ignored.
 */
export async function writeCacheEntry(
  folder: string,
  kind: string,
  key: string,
  value: unknown,
): Promise<void> {
  const path = entryPath(folder, kind, key);
  const temp = `${path}.tmp-${process.pid}`;
  try {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(temp, JSON.stringify({ key, value }));
    await rename(temp, path);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

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
import { lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
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

/**
 * An entry the run did not use is removed once it is this old: a week, so the entries of another
 * branch worked on lately are still there when it is checked out again.
 */
export const ENTRY_UNUSED_MS = 7 * 86_400_000;

/** `service` of `service-v3`: kinds are versioned by a `-v<n>` suffix. */
const kindBase = (kind: string): string => kind.replace(/-v\d+$/, '');

/**
 * Trims the cache folder after a run that wrote entries to it (see `generate`):
 * - the folders of other versions of a live kind (`service-v2` beside `service-v3`) go whole: no
 *   obsgen of this version reads them;
 * - in each live kind, the entries (and temporary files of killed runs) whose key the run did not
 *   use go once their last write is older than `unusedMs`.
 * Other folders of the cache (the definitions bundles, the CLI's start bundles) are not touched.
 * Failures are ignored: a cache that cannot be trimmed costs disk, never the run.
 */
export async function pruneCache(
  folder: string,
  live: ReadonlyMap<string, ReadonlySet<string>>,
  now = Date.now(),
  unusedMs = ENTRY_UNUSED_MS,
): Promise<void> {
  const kinds = new Set(live.keys());
  const bases = new Set([...kinds].map(kindBase));
  const folders = await readdir(folder).catch(() => [] as string[]);
  for (const name of folders)
    if (!kinds.has(name) && /-v\d+$/.test(name) && bases.has(kindBase(name)))
      await rm(join(folder, name), { recursive: true, force: true }).catch(() => undefined);
  for (const [kind, keys] of live) {
    const top = join(folder, kind);
    for (const shard of await readdir(top).catch(() => [] as string[]))
      for (const file of await readdir(join(top, shard)).catch(() => [] as string[])) {
        const key = file.replace(/\.json(\.tmp-\d+)?$/, '');
        if (keys.has(key) && file.endsWith('.json')) continue;
        const path = join(top, shard, file);
        const info = await stat(path).catch(() => undefined);
        if (info && now - info.mtimeMs > unusedMs) await rm(path, { force: true }).catch(() => undefined);
      }
  }
}

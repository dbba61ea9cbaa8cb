/**
 * The cache of incremental `generate` is trimmed by a run that wrote to it: other versions of its
 * kinds go whole, entries the run did not use go once a week old, and the rest of the cache folder
 * (bundles) is not touched. Also through `generate`, on a project with a cache of its own.
 */
import { cp, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_UNUSED_MS, pruneCache, readCacheEntry, writeCacheEntry } from '../src/emit/cache.ts';
import { generate } from '../src/index.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-cache-prune-'));
});
afterAll(() => cleanup());

const DAY = 86_400_000;
const age = async (path: string, ms: number) => {
  const when = new Date(Date.now() - ms);
  await utimes(path, when, when);
};
const entry = (folder: string, kind: string, key: string) =>
  join(folder, kind, key.slice(0, 2), `${key}.json`);

describe('pruneCache', () => {
  it('removes old versions of its kinds, and the unused entries older than a week, nothing else', async () => {
    const folder = join(dir, 'unit');
    for (const key of ['aa01', 'aa02', 'ab03', 'ac04'])
      await writeCacheEntry(folder, 'service-v3', key, { key });
    await writeCacheEntry(folder, 'service-v2', 'aa01', { old: true });
    await writeCacheEntry(folder, 'shape-file-v1', 'ff01', 'text');
    await writeCacheEntry(folder, 'shape-file-v1', 'ff02', 'text');
    await mkdir(join(folder, 'bundle'), { recursive: true });
    await writeFile(join(folder, 'bundle', 'x.mjs'), 'export {};\n');
    await writeFile(`${entry(folder, 'service-v3', 'ab05')}.tmp-12345`, '{');
    // aa01 is used by the run; aa02 unused and old; ab03 unused but written yesterday; ac04 used and old.
    await age(entry(folder, 'service-v3', 'aa02'), ENTRY_UNUSED_MS + DAY);
    await age(entry(folder, 'service-v3', 'ab03'), DAY);
    await age(entry(folder, 'service-v3', 'ac04'), ENTRY_UNUSED_MS + DAY);
    await age(`${entry(folder, 'service-v3', 'ab05')}.tmp-12345`, ENTRY_UNUSED_MS + DAY);
    await age(entry(folder, 'shape-file-v1', 'ff02'), ENTRY_UNUSED_MS + DAY);

    await pruneCache(
      folder,
      new Map([
        ['service-v3', new Set(['aa01', 'ac04'])],
        ['shape-file-v1', new Set(['ff01'])],
      ]),
    );
    expect((await readdir(folder)).sort()).toEqual(['bundle', 'service-v3', 'shape-file-v1']);
    expect(readCacheEntry(folder, 'service-v3', 'aa01')).toEqual({ key: 'aa01' });
    expect(readCacheEntry(folder, 'service-v3', 'aa02')).toBeUndefined();
    expect(readCacheEntry(folder, 'service-v3', 'ab03')).toEqual({ key: 'ab03' });
    expect(readCacheEntry(folder, 'service-v3', 'ac04')).toEqual({ key: 'ac04' });
    expect(await readdir(join(folder, 'service-v3', 'ab'))).toEqual(['ab03.json']);
    expect(readCacheEntry(folder, 'shape-file-v1', 'ff01')).toBe('text');
    expect(readCacheEntry(folder, 'shape-file-v1', 'ff02')).toBeUndefined();
    expect(await readdir(join(folder, 'bundle'))).toEqual(['x.mjs']);
  });
});

describe('generate', () => {
  it('trims the cache when it built a service, and leaves it when nothing changed', async () => {
    // Beside the fixtures, so the copy's relative import of src/model holds.
    const root = join(ROOT, 'test', 'fixtures', `.tmp-cache-prune-${process.pid}`);
    try {
      await cp(join(ROOT, 'test', 'fixtures', 'slo-valid'), root, { recursive: true });
      await mkdir(join(root, 'node_modules'), { recursive: true });
      const cache = join(root, 'node_modules', '.cache', 'obsgen');
      await writeCacheEntry(cache, 'service-v1', 'aa01', {});
      const first = await generate({ root });
      expect(first.drift).toBeDefined();
      expect(first.built?.length).toBeGreaterThan(0);
      expect(await readdir(cache)).not.toContain('service-v1');
      // An unused entry a week old survives a run that built nothing, and goes with the next build.
      const kinds = (await readdir(cache)).filter((k) => k.startsWith('service-'));
      expect(kinds).toHaveLength(1);
      const [kind = ''] = kinds;
      await writeCacheEntry(cache, kind, 'ee99', {});
      await age(entry(cache, kind, 'ee99'), ENTRY_UNUSED_MS + DAY);
      const unchanged = await generate({ root });
      expect(unchanged.built).toEqual([]);
      expect(readCacheEntry(cache, kind, 'ee99')).toEqual({});
      // The services' own entries removed: the next run builds them again, writes, and trims.
      for (const shard of await readdir(join(cache, kind)))
        for (const file of await readdir(join(cache, kind, shard)))
          if (file !== 'ee99.json') await rm(join(cache, kind, shard, file));
      const rebuilt = await generate({ root });
      expect(rebuilt.built?.length).toBeGreaterThan(0);
      expect(readCacheEntry(cache, kind, 'ee99')).toBeUndefined();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});

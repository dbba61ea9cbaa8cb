/**
 * The stats of a large output tree are taken on a thread of their own (src/emit/stat-thread.ts):
 * what that thread reports is what lstat reports, and a session reading them still finds a file
 * edited by hand among thousands.
 */
import { lstatSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOutput } from '../src/emit/files.ts';
import { hashText } from '../src/emit/fingerprint.ts';
import { STAT_THREAD_FROM, statsInThread } from '../src/emit/stat-thread.ts';
import { tempDir } from './helpers/tools.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-stat-thread-'));
});
afterAll(() => cleanup());

describe('stats taken on a thread', () => {
  it('are lstat’s for a regular file, null for a folder, a symbolic link or a missing path, undefined for a path not asked', async () => {
    const root = join(dir, 'kinds');
    await mkdir(join(root, 'folder'), { recursive: true });
    await writeFile(join(root, 'file.yaml'), 'groups: []\n');
    await symlink('file.yaml', join(root, 'link.yaml'));
    const lookup = await statsInThread(root, ['file.yaml', 'folder', 'link.yaml', 'gone.yaml']);
    const st = lstatSync(join(root, 'file.yaml'));
    expect(lookup('file.yaml')).toEqual({
      size: st.size,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      ino: st.ino,
    });
    expect(lookup('folder')).toBeNull();
    expect(lookup('link.yaml')).toBeNull();
    expect(lookup('gone.yaml')).toBeNull();
    expect(lookup('other.yaml')).toBeUndefined();
  });

  it('let a session of a tree of thousands of files find the one edited by hand', async () => {
    const root = join(dir, 'tree');
    const outDir = join(root, 'generated');
    const statFile = join(root, 'stat.json');
    const paths = Array.from({ length: STAT_THREAD_FROM + 10 }, (_, i) => `rules/r${i}.yaml`);
    const text = (path: string) => `# ${path}\n`;
    await mkdir(root, { recursive: true });
    const first = await openOutput(outDir, { root, statFile });
    for (const path of paths) await first.put(path, text(path));
    await first.finish();
    const edited = paths[1234] as string;
    // Same size, other content: only the stat tells it changed.
    await writeFile(join(outDir, edited), text(edited).replace('r', 'R'));
    const second = await openOutput(outDir, { root, statFile });
    try {
      const held = await Promise.all(paths.map((path) => second.holds(path, hashText(text(path)))));
      expect(paths.filter((_, i) => !held[i])).toEqual([edited]);
    } finally {
      await second.abort();
    }
  });
});

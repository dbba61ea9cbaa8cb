/**
 * Output confined to the output folder and written all or nothing: symlinks leading outside and
 * over-long names are refused before anything is written, files obsgen did not write survive,
 * concurrent runs take turns, and a `generate` killed at any moment leaves the previous tree or
 * the new one (after the repair the next run makes first), never a mix.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST, recoverOutput, writeTree } from '../src/emit/files.ts';
import { asOperatorError, OperatorError } from '../src/model/operator-error.ts';
import { startDaemon, waitReady } from '../src/runtime/process.ts';
import { PROMETHEUS_BINARY } from '../src/runtime/prometheus.ts';
import { copyProject } from './helpers/project.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const run = promisify(execFile);
const BIN = join(ROOT, 'src', 'cli', 'bin.js');
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-trust-output-'));
});
afterAll(() => cleanup());

/** Every file below `root` with its content ('' for none). */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries)
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      files.set(path.slice(root.length + 1), await readFile(path, 'utf8'));
    }
  return files;
}

async function obsgen(
  root: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--root', root, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tree = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('confined output', () => {
  it('refuses an output folder that is a symlink leading outside, touching nothing there', async () => {
    const root = join(dir, 'link-out');
    const outside = join(dir, 'outside-1');
    await mkdir(root, { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'theirs.txt'), 'not obsgen\n');
    await symlink(outside, join(root, 'generated'));
    await expect(writeTree(join(root, 'generated'), tree({ 'a.yaml': 'a\n' }), { root })).rejects.toThrow(
      /generated: a symlink to .*outside-1, outside the project/,
    );
    expect(await readdir(outside)).toEqual(['theirs.txt']);
  });

  it('refuses a folder below the output that is a symlink leading outside', async () => {
    const root = join(dir, 'sublink-out');
    const outside = join(dir, 'outside-2');
    await mkdir(join(root, 'generated'), { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(root, 'generated', 'runbooks'));
    await expect(
      writeTree(join(root, 'generated'), tree({ 'runbooks/A.md': 'a\n' }), { root }),
    ).rejects.toThrow(/generated\/runbooks: a symlink to .*outside-2, outside the project/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses a name too long for the file system before writing anything', async () => {
    const root = join(dir, 'long');
    await mkdir(root);
    const error = await writeTree(
      join(root, 'generated'),
      tree({ 'a.yaml': 'a\n', [`rules/${'x'.repeat(300)}.yaml`]: 'x\n' }),
      { root },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as Error).message).toMatch(/rules\/x+\.yaml: the name x+\.\.\. is 305 bytes/);
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps files it did not write, removes stale ones it did', async () => {
    const root = join(dir, 'foreign');
    const out = join(root, 'generated');
    await mkdir(root);
    await writeTree(out, tree({ 'a.yaml': 'a\n', 'old.yaml': 'old\n' }), { root });
    await writeFile(join(out, 'NOTES.md'), 'ours, not obsgen\n');
    const drift = await writeTree(out, tree({ 'a.yaml': 'a2\n' }), { root });
    expect(drift.extra).toEqual(['old.yaml']);
    expect(await readFile(join(out, 'NOTES.md'), 'utf8')).toBe('ours, not obsgen\n');
    expect((await readdir(out)).sort()).toEqual([MANIFEST, 'NOTES.md', 'a.yaml']);
  });
});

describe('all or nothing', () => {
  it('repairs a half swap left by a killed run: the previous tree comes back', async () => {
    const root = join(dir, 'half');
    const out = join(root, 'generated');
    await mkdir(root);
    await writeTree(out, tree({ 'a.yaml': 'previous\n' }), { root });
    // Killed between moving the old tree aside and putting the new one in place (pid 2^22+1: none).
    const dead = 4_194_305;
    const { rename } = await import('node:fs/promises');
    await rename(out, `${out}.obsgen-backup-${dead}`);
    await mkdir(`${out}.obsgen-staging-${dead}`);
    await writeFile(`${out}.obsgen-staging-${dead}/a.yaml`, 'half\n');
    await writeFile(`${out}.obsgen-lock`, `${dead}\n`);
    await writeTree(out, tree({ 'a.yaml': 'next\n' }), { root, lockWaitMs: 0 });
    expect(await readFile(join(out, 'a.yaml'), 'utf8')).toBe('next\n');
    expect((await readdir(root)).sort()).toEqual(['generated']);
  });

  it('a write failing halfway (here: a file where a folder is needed) leaves the previous tree, no leftovers', async () => {
    const root = join(dir, 'halfway');
    const out = join(root, 'generated');
    await mkdir(root);
    await writeTree(out, tree({ 'a.yaml': 'previous\n' }), { root });
    const before = await snapshot(out);
    const error = await writeTree(
      out,
      tree({ 'a.yaml': 'next\n', 'b.yaml': 'b\n', 'b.yaml/c.yaml': 'c\n' }),
      {
        root,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as Error).message).toMatch(/b\.yaml.*\((ENOTDIR|EEXIST|EISDIR)\)$/);
    expect(await snapshot(out)).toEqual(before);
    expect((await readdir(root)).sort()).toEqual(['generated']);
  });

  it('two runs at once take turns: both succeed, the tree is one of theirs, no leftovers', async () => {
    const root = await copyProject('lint-clean', join(dir, 'concurrent'));
    const runs = await Promise.all([1, 2, 3].map(() => obsgen(root, ['generate'])));
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect((await obsgen(root, ['generate', '--check'])).code).toBe(0);
    expect((await readdir(root)).filter((e) => e.includes('obsgen-'))).toEqual([]);
  });

  it('a run that cannot get the lock refuses in one line, exit 2', async () => {
    const root = join(dir, 'locked');
    await mkdir(root);
    await writeFile(join(root, 'generated.obsgen-lock'), `${process.pid}\n`);
    const error = await writeTree(join(root, 'generated'), tree({ 'a.yaml': 'a\n' }), {
      root,
      lockWaitMs: 200,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/another obsgen \(pid \d+\) is writing it/);
    expect(await readdir(root)).toEqual(['generated.obsgen-lock']);
  });

  it('SIGKILL at random moments leaves the previous or the next complete tree (property)', async () => {
    const root = await copyProject('lint-clean', join(dir, 'killed'));
    const out = join(root, 'generated');
    // Two versions of the definitions whose trees differ in many files.
    const env = join(root, 'slos', 'environments.ts');
    const base = await readFile(env, 'utf8');
    const versions = [
      base,
      base.replaceAll('https://runbooks.example.com/shop', 'https://wiki.example.com/shop'),
    ];
    const trees: string[] = [];
    let fullRunMs = 0;
    for (const text of versions) {
      await writeFile(env, text);
      const t0 = Date.now();
      expect((await obsgen(root, ['generate'])).code).toBe(0);
      fullRunMs = Math.max(fullRunMs, Date.now() - t0);
      trees.push(JSON.stringify([...(await snapshot(out))]));
    }
    expect(trees[0]).not.toBe(trees[1]);
    let current = 1;
    const outcomes = { previous: 0, next: 0, halfSwapRepaired: 0 };
    for (let i = 0; i < 20; i++) {
      const target = 1 - current;
      await writeFile(env, versions[target] as string);
      const child: ChildProcess = spawn(process.execPath, [BIN, '--root', root, 'generate'], {
        stdio: 'ignore',
      });
      const exited = once(child, 'exit');
      if (i % 2 === 0) {
        // Anywhere in the run: loading, checking, rendering, writing.
        await sleep(fullRunMs * Math.random());
      } else {
        // In the write itself: once the staging folder appears, a few milliseconds on.
        const deadline = Date.now() + 30_000;
        while (child.exitCode === null && Date.now() < deadline) {
          if ((await readdir(root)).some((e) => e.includes('obsgen-staging'))) break;
          await sleep(2);
        }
        await sleep(Math.random() * 40);
      }
      child.kill('SIGKILL');
      await exited;
      if ((await lstat(out).catch(() => undefined)) === undefined) outcomes.halfSwapRepaired++;
      // What the next run starts from: the repair it makes first.
      await recoverOutput(out);
      const after = JSON.stringify([...(await snapshot(out))]);
      expect([trees[current], trees[target]]).toContain(after);
      if (after === trees[target]) {
        outcomes.next++;
        current = target;
      } else outcomes.previous++;
      await rm(`${out}.obsgen-lock`, { force: true });
      expect((await readdir(root)).filter((e) => e.includes('obsgen-'))).toEqual([]);
    }
    process.stdout.write(`SIGKILL outcomes over 20 runs: ${JSON.stringify(outcomes)}\n`);
    expect(outcomes.previous + outcomes.next).toBe(20);
  }, 180_000);

  it('SIGKILL during a first run (no output folder yet) leaves no folder or the complete tree', async () => {
    // A first run moves its staging folder in whole, after the journal that a replay finishes.
    const root = await copyProject('lint-clean', join(dir, 'killed-first'));
    const out = join(root, 'generated');
    const t0 = Date.now();
    expect((await obsgen(root, ['generate'])).code).toBe(0);
    const runMs = Date.now() - t0;
    const tree = JSON.stringify([...(await snapshot(out))]);
    const outcomes = { none: 0, complete: 0 };
    for (let i = 0; i < 12; i++) {
      await rm(out, { recursive: true, force: true });
      const child: ChildProcess = spawn(process.execPath, [BIN, '--root', root, 'generate'], {
        stdio: 'ignore',
      });
      const exited = once(child, 'exit');
      if (i % 2 === 0) await sleep(runMs * Math.random());
      else {
        const deadline = Date.now() + 30_000;
        while (child.exitCode === null && Date.now() < deadline) {
          if ((await readdir(root)).some((e) => e.includes('obsgen-journal'))) break;
          await sleep(1);
        }
      }
      child.kill('SIGKILL');
      await exited;
      await recoverOutput(out);
      const after = await snapshot(out);
      if (after.size === 0) outcomes.none++;
      else {
        expect(JSON.stringify([...after])).toBe(tree);
        outcomes.complete++;
      }
      await rm(`${out}.obsgen-lock`, { force: true });
      expect((await readdir(root)).filter((e) => e.includes('obsgen-'))).toEqual([]);
    }
    process.stdout.write(`SIGKILL outcomes of 12 first runs: ${JSON.stringify(outcomes)}\n`);
    // And the run after a kill completes the tree.
    expect((await obsgen(root, ['generate'])).code).toBe(0);
    expect(JSON.stringify([...(await snapshot(out))])).toBe(tree);
  }, 180_000);
});

describe('operator faults in one line, exit 2', () => {
  it('output path is a file', async () => {
    const root = await copyProject('lint-clean', join(dir, 'out-file'));
    await writeFile(join(root, 'generated'), 'a file\n');
    const r = await obsgen(root, ['generate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^obsgen: .*generated: .*\(ENOTDIR\)\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate of /dev/null and of a FIFO: named as input that cannot be read, exit 1', async () => {
    // Not a fault of the machine: the path given is not a file to read, like one that does not exist.
    const fifo = join(dir, 'pipe.yaml');
    await run('mkfifo', [fifo]);
    for (const path of ['/dev/null', fifo]) {
      const r = await obsgen(ROOT, ['validate', path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/: error: not a regular file or a directory \[openslo\/read\]\n/);
      expect(r.stderr).toContain(path.split('/').at(-1));
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('a port taken by another program: one line naming it', async () => {
    // Another program on the port (it hangs up on whoever calls).
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const work = join(dir, 'port');
    await mkdir(work);
    await writeFile(join(work, 'prometheus.yml'), '{}\n');
    const daemon = startDaemon(PROMETHEUS_BINARY, [
      `--config.file=${join(work, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    try {
      const error = await waitReady(`http://127.0.0.1:${port}/-/ready`, daemon, 20_000).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OperatorError);
      expect((error as Error).message).toBe(`127.0.0.1:${port}: address already in use (EADDRINUSE)`);
    } finally {
      await daemon.stop();
      server.close();
    }
  }, 30_000);

  it.each([
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
    ['ENOSPC', 'no space left on the device'],
    ['ENOENT', 'not found'],
  ])('%s on a path reads as one line naming it', (code, meaning) => {
    // Root in CI ignores file modes, so the system errors are built as Node builds them.
    const error = Object.assign(new Error(`${code}: x`), { code, path: '/srv/generated/a.yaml' });
    const mapped = asOperatorError(error);
    expect(mapped).toBeInstanceOf(OperatorError);
    expect((mapped as Error).message).toBe(`/srv/generated/a.yaml: ${meaning} (${code})`);
    expect(asOperatorError(new TypeError('a bug'))).toBeInstanceOf(TypeError);
  });
});

/** The project as it is at a git revision, extracted into a temporary directory. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { access, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { installExitHook, killOnExit, onExitSync } from '../../runtime/process.ts';

/** A revision that cannot be read (not a repository, unknown ref): a usage error. */
export class RevisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevisionError';
  }
}

function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new RevisionError(`git ${args[0]}: ${(stderr || error.message).trim().split('\n')[0]}`));
        else resolve(stdout.trim());
      },
    );
    killOnExit(child);
  });
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Extracts the tree of `ref` (`git archive`, so the working tree and the index are untouched)
 * and returns where the project root is inside it. The working tree's node_modules is linked in,
 * so definition files import the same packages. `cleanup` removes everything.
 */
export async function extractRevision(
  root: string,
  ref: string,
): Promise<{ root: string; commit: string; cleanup: () => Promise<void> }> {
  const top = await git(root, ['rev-parse', '--show-toplevel']);
  const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => {
    throw new RevisionError(`${JSON.stringify(ref)} is not a commit of ${top}`);
  });
  const prefix = relative(await realpath(top), await realpath(root));
  // Removed also when diff is interrupted (Ctrl-C, SIGTERM). The signal handlers first, then the
  // folder and its removal in one synchronous step: with an awaited mkdtemp, a Ctrl-C landing
  // between the folder's creation and the registration left it behind.
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'obsgen-diff-'));
  const forget = onExitSync(() => rmSync(dir, { recursive: true, force: true }));
  const cleanup = async () => {
    await rm(dir, { recursive: true, force: true });
    forget();
  };
  try {
    const archive = join(dir, 'revision.tar');
    const tree = join(dir, 'tree');
    await git(top, ['archive', '--format=tar', '-o', archive, commit]);
    await mkdir(tree);
    await new Promise<void>((resolve, reject) =>
      killOnExit(
        execFile('tar', ['-xf', archive, '-C', tree], (error) => (error ? reject(error) : resolve())),
      ),
    );
    const base = join(tree, prefix);
    const modules = join(root, 'node_modules');
    if ((await exists(modules)) && !(await exists(join(base, 'node_modules'))))
      await symlink(modules, join(base, 'node_modules'), 'dir');
    return { root: base, commit, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Files that differ between `ref` and the working tree (committed, staged, unstaged and untracked
 * alike), relative to the project root; files outside the root are returned with a leading `../`.
 */
export async function changedFiles(root: string, ref: string): Promise<string[]> {
  const top = await git(root, ['rev-parse', '--show-toplevel']);
  const commit = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => {
    throw new RevisionError(`${JSON.stringify(ref)} is not a commit of ${top}`);
  });
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  const tracked = lines(await git(top, ['diff', '--name-only', '--no-renames', commit, '--']));
  const untracked = lines(await git(top, ['ls-files', '--others', '--exclude-standard']));
  const base = await realpath(root);
  const topReal = await realpath(top);
  return [...new Set([...tracked, ...untracked])].map((p) => relative(base, join(topReal, p))).sort();
}

/**
 * Interrupted commands leave nothing behind: Ctrl-C (SIGINT) and SIGTERM remove the temporary
 * directories of lint, test and diff (promtool's test storage included), and a drill killed with
 * SIGKILL takes its Prometheus and Alertmanager down with it (or the next drill reaps them).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reapOrphans } from '../src/runtime/process.ts';
import { copyProject } from './helpers/project.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const run = promisify(execFile);
const BIN = join(ROOT, 'src', 'cli', 'bin.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let dir: string;
let cleanup: () => Promise<void>;
let project: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-trust-signals-'));
  project = await copyProject('lint-clean', join(dir, 'shop'));
  await run(process.execPath, [BIN, '--root', project, 'generate']);
});
afterAll(() => cleanup());

let runs = 0;
/** Starts obsgen with its own TMPDIR, so what it leaves there is all it left. */
async function start(args: string[], cwd = project): Promise<{ child: ChildProcess; tmp: string }> {
  const tmp = join(dir, `tmp-${runs++}`);
  await mkdir(tmp);
  const child = spawn(process.execPath, [BIN, '--root', cwd, ...args], {
    cwd,
    env: { ...process.env, TMPDIR: tmp },
    stdio: 'ignore',
  });
  return { child, tmp };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** What is left in a TMPDIR, but for tsx's compile cache (not obsgen's to remove). */
const obsgenLeftovers = async (tmp: string): Promise<string[]> =>
  (await readdir(tmp)).filter((e) => !e.startsWith('tsx-'));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('interrupted commands clean up', () => {
  it.each([
    ['lint', 'SIGINT', ['lint'], /^obsgen-lint-/],
    ['lint', 'SIGTERM', ['lint'], /^obsgen-lint-/],
    ['test', 'SIGINT', ['test', '--jobs', '1'], /^obsgen-test-/],
    ['test', 'SIGTERM', ['test', '--jobs', '1'], /^obsgen-test-/],
  ] as const)(
    '%s, %s: its temporary directory is gone',
    async (_name, signal, args, temp) => {
      const { child, tmp } = await start([...args]);
      const exited = once(child, 'exit');
      await waitFor('the temporary directory', async () => (await readdir(tmp)).some((e) => temp.test(e)));
      // Into the work: promtool or amtool running.
      await sleep(300);
      child.kill(signal);
      await exited;
      // promtool's storage (a child of ours) included.
      await sleep(200);
      expect(await obsgenLeftovers(tmp)).toEqual([]);
    },
    120_000,
  );

  it('diff, SIGINT: the extracted revision is gone', async () => {
    const repo = await copyProject('lint-clean', join(dir, 'repo'));
    const git = (...a: string[]) =>
      run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...a], { cwd: repo });
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-qm', 'shop');
    const { child, tmp } = await start(['diff'], repo);
    const exited = once(child, 'exit');
    await waitFor('the temporary directory', async () =>
      (await readdir(tmp)).some((e) => e.startsWith('obsgen-diff-')),
    );
    child.kill('SIGINT');
    await exited;
    expect(await obsgenLeftovers(tmp)).toEqual([]);
  }, 120_000);
});

describe('drill children never outlive the drill', () => {
  it('SIGKILL of drill: Prometheus and Alertmanager exit within seconds', async () => {
    const { child, tmp } = await start(['drill', '--scenario', 'healthy', '--env', 'production']);
    const exited = once(child, 'exit');
    const pidFiles = async () => {
      const dirs = (await readdir(tmp)).filter((e) => /^obsgen-(prometheus|alertmanager)-/.test(e));
      const pids: number[] = [];
      for (const d of dirs) {
        const text = await readFile(join(tmp, d, 'obsgen-daemon.pid'), 'utf8').catch(() => '');
        const daemon = Number(text.trim().split(' ')[1]);
        if (daemon > 0) pids.push(daemon);
      }
      return pids;
    };
    await waitFor('both daemons', async () => (await pidFiles()).length === 2, 90_000);
    const daemons = await pidFiles();
    expect(daemons.every(alive)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    await waitFor('the daemons to exit', async () => !daemons.some(alive), 10_000);
    // And what the watchdog could not remove, the next drill does.
    await reapOrphans(tmp);
    expect((await readdir(tmp)).filter((e) => /^obsgen-(prometheus|alertmanager)-/.test(e))).toEqual([]);
  }, 150_000);
});

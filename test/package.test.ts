/**
 * The package as a user gets it: `npm pack`, the tarball installed into an empty folder, `obsgen
 * init` from node_modules/.bin, then generate, lint and test there with the real tools, and the
 * scaffold's definitions type-checked against the shipped declaration files by an ordinary tsconfig.
 * Slow (an npm install from the cache and a full promtool run), so one test, generous timeouts.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/tools.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const run = (command: string, args: readonly string[], cwd: string, timeout = 1_200_000): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        cwd,
        timeout,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface PackEntry {
  readonly filename: string;
  readonly entryCount: number;
  readonly size: number;
  readonly files: readonly { path: string }[];
}

describe('the npm package', () => {
  it('installs into an empty folder, where `obsgen init` starts a repository that generates, lints, tests and type-checks clean', async () => {
    const work = await mkdtemp(join(tmpdir(), 'obsgen-package-'));
    dirs.push(work);
    const packDir = join(work, 'pack');
    await mkdir(packDir);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', packDir], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const [entry] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as PackEntry[];
    if (!entry) throw new Error('npm pack printed no entry');
    const files = entry.files.map((f) => f.path);
    expect(files.filter((p) => /^(test|generated)\//.test(p) || p.includes('fixtures'))).toEqual([]);
    expect(files).toContain('dist/types/model/index.d.ts');
    expect(files).toContain('templates/init/slos/inventory-api.ts');
    expect(files).toContain('src/cli/bin.js');

    const app = join(work, 'app');
    await mkdir(app);
    const installed = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packDir, entry.filename)],
      app,
    );
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).not.toMatch(/EBADENGINE/);

    const obsgen = (...args: string[]) => run('npx', ['--no-install', 'obsgen', ...args], app);
    const version = await obsgen('--version');
    expect(version.stdout.trim()).toBe(
      (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );

    const init = await obsgen('init');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('created  slos/inventory-api.ts');
    expect(init.stdout).toContain('created  .github/workflows/observability.yml');
    const pkg = JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { type?: string };
    expect(pkg.type).toBe('module');

    const again = await obsgen('init');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite .*slos\/inventory-api\.ts/);

    const generated = await obsgen('generate');
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('created  generated/prometheus/prod/inventory-api.rules.yaml');
    const check = await obsgen('generate', '--check');
    expect(check.code, check.stderr).toBe(0);
    // The start-up bundles are kept below the installed package, so their imports resolve as
    // its sources' do.
    const bundles = await readdir(
      join(app, 'node_modules', 'obsgen', 'node_modules', '.cache', 'obsgen', 'cli'),
    );
    expect(bundles.filter((f) => f.endsWith('.mjs'))).toHaveLength(2);
    const lint = await obsgen('lint');
    expect(lint.code, `${lint.stdout}${lint.stderr}`).toBe(0);
    expect(lint.stdout).toMatch(/^lint: clean/m);
    const proof = await obsgen('test');
    expect(proof.code, `${proof.stdout}${proof.stderr}`).toBe(0);
    expect(proof.stdout).toMatch(/all \d+ scenarios passed/);

    // An ordinary tsconfig (no allowImportingTsExtensions) reads the shipped declarations; library
    // checking on, so a broken declaration file fails here rather than in a user's editor.
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const typed = await run(tsc, ['--noEmit', '-p', app, '--skipLibCheck', 'false'], app);
    expect(typed.code, typed.stdout).toBe(0);
    // ...and a misspelt label is a type error there, so the check above is not vacuous.
    const slo = join(app, 'slos', 'inventory-api.ts');
    const text = await readFile(slo, 'utf8');
    await writeFile(slo, text.replace("{ code: re('5..') }", "{ cdoe: re('5..') }"));
    const typo = await run(tsc, ['--noEmit', '-p', app], app);
    expect(typo.code).not.toBe(0);
    expect(typo.stdout).toContain("'cdoe' does not exist");
  }, 2_400_000);
});

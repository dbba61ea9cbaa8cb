/**
 * What a newcomer trips over, as the process reports it: one line naming the problem and the fix,
 * the right exit code, no stack trace. And obsgen.config.ts as every command reads it, `--version`,
 * `obsgen tools`, and `obsgen init` refusing to overwrite.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installPlan, TOOLS, type ToolStatus } from '../src/index.ts';
import { ROOT } from './helpers/tools.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = join(ROOT, 'src', 'cli', 'bin.js');

const obsgen = (cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });

const dirs: string[] = [];
const temp = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'obsgen-newcomer-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A repository from `obsgen init`, with obsgen linked into its node_modules as npm would install it. */
async function initialised(): Promise<string> {
  const dir = await temp();
  const init = await obsgen(dir, ['init']);
  expect(init.code, init.stderr).toBe(0);
  await mkdir(join(dir, 'node_modules'));
  await symlink(ROOT, join(dir, 'node_modules', 'obsgen'), 'dir');
  return dir;
}

const oneLine = (text: string): void => {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
};

describe('newcomer errors', () => {
  it('--root pointing nowhere: exit 2, one line naming the folder', async () => {
    const r = await obsgen(ROOT, ['--root', join(ROOT, 'no-such-folder'), 'generate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-folder: no such directory');
    oneLine(r.stderr);
  });

  it('no configuration and no definitions: exit 2, says obsgen init', async () => {
    const r = await obsgen(await temp(), ['lint']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no obsgen\.config\.ts in .*: run `obsgen init`/);
    oneLine(r.stderr);
  });

  it('a CommonJS package: exit 2 before importing anything, says add "type": "module"', async () => {
    const dir = await initialised();
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    delete pkg.type;
    await writeFile(join(dir, 'package.json'), JSON.stringify(pkg));
    const r = await obsgen(dir, ['generate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('add "type": "module"');
    oneLine(r.stderr);
  });

  it('a definitions folder that does not exist: exit 1 naming the config file and field', async () => {
    const dir = await initialised();
    await writeFile(
      join(dir, 'obsgen.config.ts'),
      "import { defineConfig } from 'obsgen';\nexport default defineConfig({ definitions: 'slo' });\n",
    );
    const r = await obsgen(dir, ['generate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('obsgen.config.ts: definitions: error: folder "slo" does not exist');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown setting: exit 1 naming it', async () => {
    const dir = await initialised();
    await writeFile(join(dir, 'obsgen.config.ts'), "export default { definitons: 'slos' };\n");
    const r = await obsgen(dir, ['lint']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('obsgen.config.ts: error: unknown setting "definitons"');
  });
});

describe('obsgen.config.ts', () => {
  it('is read by every command: definitions, outDir and targets move', async () => {
    const dir = await temp();
    await cp(join(ROOT, 'test', 'fixtures', 'lint-clean'), join(dir, 'defs'), { recursive: true });
    // The fixture imports src/model by a relative path; point it at this checkout.
    for (const file of [
      'slos/shop.ts',
      'slos/environments.ts',
      'alerts/critical.ts',
      'alerts/warning.ts',
      'alerts/info.ts',
      'dashboards/shop.ts',
    ]) {
      const path = join(dir, 'defs', file);
      await writeFile(
        path,
        (await readFile(path, 'utf8')).replace('../../../../src/model/index.ts', 'obsgen'),
      );
    }
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await mkdir(join(dir, 'node_modules'));
    await symlink(ROOT, join(dir, 'node_modules', 'obsgen'), 'dir');
    await writeFile(
      join(dir, 'obsgen.config.ts'),
      `import { defineConfig } from 'obsgen';
export default defineConfig({
  definitions: 'defs/slos',
  alerts: 'defs/alerts',
  dashboards: 'defs/dashboards',
  outDir: 'out',
  targets: ['prometheus', 'alertmanager'],
});
`,
    );
    const generated = await obsgen(dir, ['generate']);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('created  out/prometheus/production/shop.rules.yaml');
    expect(generated.stdout).toContain('created  out/alertmanager/staging/alertmanager.yaml');
    expect(generated.stdout).not.toMatch(/out\/(grafana|kubernetes|tests|runbooks)\//);
    const check = await obsgen(dir, ['generate', '--check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^out\/ is up to date/);
    const explain = await obsgen(dir, ['explain', '--slo', 'latency']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('shop');
  });
});

describe('obsgen --version, tools, init', () => {
  it('--version prints the package version', async () => {
    const r = await obsgen(ROOT, ['--version']);
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(version);
  });

  it('tools reports each tool found with its version, and missing ones with exit 2', async () => {
    const found = await obsgen(ROOT, ['tools']);
    expect(found.code, found.stderr).toBe(0);
    for (const name of ['promtool', 'amtool', 'prometheus', 'alertmanager'])
      expect(found.stdout).toMatch(new RegExp(`^${name}\\s+found\\s+\\d+\\.\\d+`, 'm'));
    const bare = await temp();
    await symlink(process.execPath, join(bare, 'node'));
    const missing = await obsgen(ROOT, ['tools', '--install'], { ...process.env, PATH: bare });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^promtool\s+missing/m);
    expect(missing.stderr).toContain('no apt-get on this machine');
  });

  it('tools --install plans apt-get for the missing Debian packages, through sudo unless root', () => {
    const statuses: ToolStatus[] = TOOLS.map((tool) =>
      tool.name === 'amtool' || tool.name === 'alertmanager'
        ? { tool }
        : { tool, path: `/usr/bin/${tool.name}` },
    );
    const plan = installPlan(statuses, { aptGet: true, root: false });
    expect(plan).toEqual({
      kind: 'apt',
      packages: ['prometheus-alertmanager'],
      commands: [
        ['sudo', 'apt-get', 'update', '-qq'],
        ['sudo', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'prometheus-alertmanager'],
      ],
    });
    expect(installPlan(statuses, { aptGet: true, root: true })).toMatchObject({
      commands: [['apt-get', 'update', '-qq'], expect.any(Array)],
    });
    expect(
      installPlan(
        statuses.map((s) => ({ tool: s.tool, path: '/x' })),
        { aptGet: true, root: true },
      ),
    ).toEqual({
      kind: 'nothing',
    });
  });

  it('init refuses to overwrite, naming the files, and writes nothing', async () => {
    const dir = await temp();
    await mkdir(join(dir, 'slos'));
    await writeFile(join(dir, 'slos', 'environments.ts'), '// mine\n');
    const r = await obsgen(dir, ['init']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to overwrite');
    expect(r.stderr).toContain('slos/environments.ts');
    expect(await readFile(join(dir, 'slos', 'environments.ts'), 'utf8')).toBe('// mine\n');
    await expect(readFile(join(dir, 'obsgen.config.ts'), 'utf8')).rejects.toThrow();
  });

  it('init keeps an existing package.json, adding "type": "module" and the scripts', async () => {
    const dir = await temp();
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'x',
        scripts: { test: 'echo "Error: no test specified" && exit 1' },
        dependencies: { obsgen: '^0.1.0' },
      }),
    );
    const r = await obsgen(dir, ['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('updated  package.json');
    expect(r.stdout).not.toContain('npm install');
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      name: 'x',
      type: 'module',
      scripts: { test: 'obsgen test', generate: 'obsgen generate' },
    });
    expect(pkg.dependencies).toEqual({ obsgen: '^0.1.0' });
  });
});

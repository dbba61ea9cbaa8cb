/**
 * The CLI's start-up from the cached bundle of obsgen's code (src/startup.js): the same output as
 * running the TypeScript through tsx, never a bundle older than the code, and tsx alone when the
 * cache cannot be written.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tool } from './helpers/tools.ts';

/** Every file below `dir` with its content, by relative path. */
async function tree(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  return Object.fromEntries(files.map((f, i) => [relative(dir, f), texts[i]]).sort());
}

/** The files of a cache folder, or none. */
const cached = (dir: string): Promise<string[]> => readdir(dir).catch(() => []);

describe('start-up from the bundle', () => {
  let bundled: string;
  let direct: string;
  beforeAll(async () => {
    // Beside the fixtures, so the copies' relative imports of src/model hold.
    bundled = await mkdtemp(join(ROOT, 'test', 'fixtures', '.tmp-startup-'));
    direct = await mkdtemp(join(ROOT, 'test', 'fixtures', '.tmp-startup-'));
  });
  afterAll(() => Promise.all([bundled, direct].map((d) => rm(d, { recursive: true, force: true }))));

  it('generates what the TypeScript run through tsx generates, from a valid bundle', async () => {
    await cp(join(ROOT, 'test', 'fixtures', 'slo-valid'), bundled, { recursive: true });
    await cp(join(ROOT, 'test', 'fixtures', 'slo-valid'), direct, { recursive: true });
    const viaBundle = await tool(process.execPath, [
      join(ROOT, 'src', 'cli', 'bin.js'),
      '--root',
      bundled,
      'generate',
    ]);
    const viaTsx = await tool(process.execPath, [
      '--import',
      'tsx',
      join(ROOT, 'src', 'cli', 'main.ts'),
      '--root',
      direct,
      'generate',
    ]);
    expect(viaBundle.stderr).toBe(viaTsx.stderr);
    expect(viaBundle.code).toBe(0);
    expect(viaBundle.stdout).toBe(viaTsx.stdout);
    expect(await tree(join(bundled, 'generated'))).toEqual(await tree(join(direct, 'generated')));
    // The run above had a bundle: built by it or an earlier run, it is there now.
    const cache = await cached(join(ROOT, 'node_modules', '.cache', 'obsgen', 'cli'));
    expect(cache.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('a copy of obsgen', () => {
  let outer: string;
  let copy: string;
  const bin = () => join(copy, 'src', 'cli', 'bin.js');
  const cache = () => join(copy, 'node_modules', '.cache', 'obsgen', 'cli');

  beforeAll(async () => {
    // The copy finds its packages in the node_modules above it and keeps its bundles in its own.
    outer = await mkdtemp(join(tmpdir(), 'obsgen-startup-'));
    copy = join(outer, 'obsgen');
    for (const part of ['src', 'templates', 'package.json'])
      await cp(join(ROOT, part), join(copy, part), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(outer, 'node_modules'));
  });
  afterAll(() => rm(outer, { recursive: true, force: true }));

  it('builds its bundle once when several processes start together', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => tool(process.execPath, [bin(), '--version'])));
    for (const run of runs) expect(run).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    const files = await cached(cache());
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.mjs'))).toHaveLength(2);
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Each file's import.meta is its source's: templates, package.json and the worker are found.
    for (const bundle of files.filter((f) => f.endsWith('.mjs'))) {
      const text = await readFile(join(cache(), bundle), 'utf8');
      expect(text).not.toContain('import.meta');
      // Packages are bundled too: what is still imported at run time is Node's or left out on purpose.
      const imported = [
        ...text.matchAll(/^import [^;]* from "([^"]+)";$|\bimport\("([^"]+)"\)|\b__require\("([^"]+)"\)/gm),
      ].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
      expect(imported).toContain('node:fs');
      const builtIn = (name: string) => builtinModules.includes(name.replace(/^node:/, ''));
      expect(imported.filter((name) => !builtIn(name) && !['esbuild', 'prom-client'].includes(name))).toEqual(
        [],
      );
      expect(text).toContain(JSON.stringify(pathToFileURL(join(copy, 'src', 'emit', 'fingerprint.ts')).href));
    }
    const init = await tool(process.execPath, [bin(), 'init', join(outer, 'started')]);
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(await readFile(join(outer, 'started', 'slos', 'inventory-api.ts'), 'utf8')).toBe(
      await readFile(join(copy, 'templates', 'init', 'slos', 'inventory-api.ts'), 'utf8'),
    );
  });

  it('runs the code as it is after a source file changed, never the bundle of the code before', async () => {
    const before = await cached(cache());
    const main = join(copy, 'src', 'cli', 'main.ts');
    const text = await readFile(main, 'utf8');
    expect(text).toContain("'print the version of obsgen'");
    await writeFile(main, text.replace("'print the version of obsgen'", "'print the version of this copy'"));
    const help = await tool(process.execPath, [bin(), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('print the version of this copy');
    const after = await cached(cache());
    expect(after.filter((f) => f.endsWith('.mjs'))).toHaveLength(2);
    expect(after.filter((f) => f.endsWith('.mjs'))).not.toEqual(before.filter((f) => f.endsWith('.mjs')));
  });

  it('runs through tsx when the cache folder cannot be made', async () => {
    await rm(join(copy, 'node_modules'), { recursive: true, force: true });
    // A file where the folder would be: no permission bit stops root, this does.
    await writeFile(join(copy, 'node_modules'), '');
    const help = await tool(process.execPath, [bin(), '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('print the version of this copy');
    // A new project of this copy: init, then a command that loads its TypeScript through tsx.
    const project = join(outer, 'project');
    await mkdir(join(project, 'node_modules'), { recursive: true });
    await symlink(copy, join(project, 'node_modules', 'obsgen'));
    expect((await tool(process.execPath, [bin(), 'init', project])).code).toBe(0);
    const generate = await tool(process.execPath, [bin(), '--root', project, 'generate']);
    expect(generate).toMatchObject({ code: 0, stderr: '' });
    expect(generate.stdout).toContain('generated/prometheus/prod/inventory-api.rules.yaml');
    expect(await cached(join(copy, 'node_modules'))).toEqual([]);
  });
});

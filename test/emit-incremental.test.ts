/**
 * Incremental `generate`: a service whose inputs did not change is reused from the cache (its files
 * on disk verified by hash), the changed one alone is built and its files alone are rewritten, and
 * the tree is byte for byte the one a full run writes. A hand-edited file is found by `--check` and
 * restored by `generate`; a cache entry is only ever found by the hash of what produced it. Run on
 * a synthetic fleet and on the checkout and malaria services (other metrics, teams, environments).
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAlertmanager } from '../src/compile/index.ts';
import { MANIFEST, recoverOutput } from '../src/emit/files.ts';
import { hashValue } from '../src/emit/fingerprint.ts';
import { renderTree } from '../src/emit/index.ts';
import type { OutputTarget } from '../src/model/config.ts';
import { OperatorError } from '../src/model/operator-error.ts';
import type { Project } from '../src/model/resolved.ts';
import { build, generate, loadProject, selectTargets } from '../src/pipeline.ts';
import { shareContext } from '../src/service-share.ts';
import { sharePool } from '../src/share-pool.ts';
import { fleetServicePath, writeFleetRepo } from './bench/fleet-repo.ts';
import { copyProject } from './helpers/project.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const run = promisify(execFile);
const BIN = join(ROOT, 'src', 'cli', 'bin.js');
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-incremental-'));
});
afterAll(() => cleanup());

async function obsgen(
  root: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--root', root, ...args], {
      maxBuffer: 64 * 2 ** 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every file below `root` with its content. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      files.set(path.slice(root.length + 1), await readFile(path, 'utf8'));
    }
  return files;
}

/** The paths `generate` printed as written (`created`/`updated`/`removed`). */
const written = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((l) => /^(created|updated|removed) /.test(l))
    .map((l) => l.replace(/^\w+\s+generated\//, ''));

/** Copies a project's definitions and a full (non-incremental) run's tree of them, for comparison. */
async function fullTree(root: string, name: string): Promise<Map<string, string>> {
  const copy = join(dir, `${name}-full`);
  await run('cp', ['-r', root, copy]);
  await run('rm', ['-rf', join(copy, 'generated'), join(copy, 'node_modules', '.cache')]);
  const result = await obsgen(copy, ['generate', '--full']);
  expect(result.stderr).toBe('');
  return snapshot(join(copy, 'generated'));
}

/** Services a run built, from the files it wrote under prometheus/. */
const builtServices = (paths: readonly string[]): string[] =>
  [
    ...new Set(
      paths
        .filter((p) => p.startsWith('prometheus/'))
        .map((p) => p.split('/').at(-1)?.replace('.rules.yaml', '')),
    ),
  ].sort() as string[];

describe('incremental generate on a fleet of five services', () => {
  let root: string;
  beforeAll(async () => {
    root = join(dir, 'fleet');
    await writeFleetRepo(root, 5);
    expect((await obsgen(root, ['generate'])).code).toBe(0);
  }, 120_000);

  it('rewrites only the changed service and yields the tree of a full run', async () => {
    const before = await snapshot(join(root, 'generated'));
    const file = fleetServicePath(root, 2);
    await writeFile(file, (await readFile(file, 'utf8')).replace('objective: 0.999', 'objective: 0.998'));
    const result = await obsgen(root, ['generate']);
    expect(result.code).toBe(0);
    const paths = written(result.stdout);
    expect(paths.length).toBeGreaterThan(0);
    // Only svc-0002's own files, and the files of the math shape its new objective makes (new
    // files, listed in the manifest); no other shared file: the objective is not in any index.
    const newShape = (p: string) => p.startsWith('tests/shapes/') && !before.has(p);
    expect(
      paths.filter((p) => !p.includes('svc-0002') && !newShape(p) && p !== '.obsgen-manifest.json'),
    ).toEqual([]);
    expect(paths.some(newShape)).toBe(true);
    const after = await snapshot(join(root, 'generated'));
    for (const [path, text] of after)
      if (!path.includes('svc-0002') && !newShape(path) && path !== '.obsgen-manifest.json')
        expect(text, path).toBe(before.get(path));
    expect(after).toEqual(await fullTree(root, 'fleet'));
  }, 120_000);

  it('finds a hand-edited file with --check and restores it with generate', async () => {
    const path = 'prometheus/production/svc-0004.rules.yaml';
    const target = join(root, 'generated', path);
    const original = await readFile(target, 'utf8');
    await writeFile(target, original.replace('objective', 'objektive'));
    const checked = await obsgen(root, ['generate', '--check']);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`differs  generated/${path}`);
    const repaired = await obsgen(root, ['generate']);
    expect(repaired.code).toBe(0);
    expect(written(repaired.stdout)).toEqual([path]);
    expect(await readFile(target, 'utf8')).toBe(original);
    expect((await obsgen(root, ['generate', '--check'])).code).toBe(0);
  }, 120_000);

  it('restores a removed math-shape file from its cached text, or by building a service of it', async () => {
    const shapes = join(root, 'generated', 'tests', 'shapes');
    const [name] = (await readdir(shapes)).filter((f) => f.endsWith('.steady.test.yaml')).sort();
    if (!name) throw new Error('the fleet has no math shape');
    const target = join(shapes, name);
    const original = await readFile(target, 'utf8');
    // The cached text: no service is built, the file comes back as it was.
    await run('rm', [target]);
    const fromCache = await obsgen(root, ['generate']);
    expect(fromCache.code).toBe(0);
    expect(written(fromCache.stdout)).toEqual([`tests/shapes/${name}`]);
    expect(await readFile(target, 'utf8')).toBe(original);
    // The cached texts gone too: a service of that shape builds it again, nothing else changes.
    await run('rm', [target]);
    await run('rm', ['-rf', join(root, 'node_modules', '.cache', 'obsgen', 'shape-file-v1')]);
    const rebuilt = await obsgen(root, ['generate']);
    expect(rebuilt.code).toBe(0);
    expect(written(rebuilt.stdout)).toEqual([`tests/shapes/${name}`]);
    expect(await readFile(target, 'utf8')).toBe(original);
  }, 120_000);

  it('removes the files of a deleted service and lists it nowhere', async () => {
    await run('rm', [fleetServicePath(root, 3)]);
    const result = await obsgen(root, ['generate']);
    expect(result.code).toBe(0);
    const after = await snapshot(join(root, 'generated'));
    expect([...after.keys()].filter((p) => p.includes('svc-0003'))).toEqual([]);
    expect(after.get('runbooks/README.md')).not.toContain('svc-0003');
    expect(after.get('kubernetes/production/kustomization.yaml')).not.toContain('svc-0003');
    expect(JSON.parse(after.get(MANIFEST) ?? '{}').files).not.toContainEqual(
      expect.stringContaining('svc-0003'),
    );
    // No folder is left behind for it.
    expect(await readdir(join(root, 'generated', 'runbooks'))).not.toContain('svc-0003');
    expect(after).toEqual(await fullTree(root, 'fleet-deleted'));
  }, 120_000);
});

describe('incremental generate on the shop services (catalog alerts, dashboards, routing)', () => {
  it('builds only shop after a change to it; same tree as a full run', async () => {
    const root = await copyProject('lint-clean', join(dir, 'shops'));
    await mkdir(join(root, 'node_modules'));
    // A second service beside shop: another name, the same environments and routing.
    const shop = await readFile(join(root, 'slos', 'shop.ts'), 'utf8');
    expect(shop).toContain("name: 'shop',");
    await writeFile(join(root, 'slos', 'shop-eu.ts'), shop.replace("name: 'shop',", "name: 'shop-eu',"));
    const first = await obsgen(root, ['generate']);
    expect(first.stderr).toBe('');
    expect(builtServices(written(first.stdout))).toEqual(['shop', 'shop-eu']);
    const file = join(root, 'slos', 'shop.ts');
    expect(shop).toContain('objective: 0.995');
    await writeFile(file, shop.replace('objective: 0.995', 'objective: 0.994'));
    const result = await obsgen(root, ['generate']);
    expect(result.code).toBe(0);
    const paths = written(result.stdout);
    expect(builtServices(paths)).toEqual(['shop']);
    expect(paths.filter((p) => p.includes('shop-eu'))).toEqual([]);
    expect(await snapshot(join(root, 'generated'))).toEqual(await fullTree(root, 'shops'));
    // Back to the first objective: the files on disk are not those of its cache entry, so it is
    // built again, and the tree is the first one.
    await writeFile(file, shop);
    const back = await obsgen(root, ['generate']);
    expect(builtServices(written(back.stdout))).toEqual(['shop']);
    expect(await snapshot(join(root, 'generated'))).toEqual(await fullTree(root, 'shops-back'));
  }, 180_000);
});

describe("one service at a time gives the in-memory pipeline's tree", () => {
  const TARGETS: (readonly OutputTarget[] | undefined)[] = [
    undefined,
    ['prometheus', 'runbooks'],
    ['kubernetes'],
    ['alertmanager', 'tests'],
  ];
  it.each(['lint-clean', 'multi-team', 'multi-service', 'kubernetes-yaml11'])(
    '%s, every target and subsets of them',
    async (fixture) => {
      const root = join(ROOT, 'test', 'fixtures', fixture);
      const { project } = await loadProject({ root });
      if (!project) throw new Error(`${fixture} does not validate`);
      const documents = build(project).documents;
      for (const targets of TARGETS) {
        const out = join(dir, `${fixture}-${(targets ?? ['all']).join('-')}`);
        const result = await generate({ root, outDir: out, ...(targets ? { targets } : {}) });
        expect(result.drift, JSON.stringify(targets)).toBeDefined();
        const written = await snapshot(out);
        written.delete(MANIFEST);
        expect(written, JSON.stringify(targets)).toEqual(renderTree(selectTargets(documents, targets)));
      }
    },
    120_000,
  );
});

describe('services built on worker threads', () => {
  it('give the tree and the findings of the main thread, in the same order', async () => {
    for (const fixture of ['multi-team', 'multi-service', 'lint-clean']) {
      const root = join(ROOT, 'test', 'fixtures', fixture);
      const main = await generate({
        root,
        outDir: join(dir, `${fixture}-main`),
        incremental: false,
        workers: 0,
      });
      const threads = await generate({
        root,
        outDir: join(dir, `${fixture}-threads`),
        incremental: false,
        workers: 2,
      });
      expect(main.built?.length, fixture).toBeGreaterThan(0);
      expect(threads.built, fixture).toEqual(main.built);
      expect(threads.diagnostics, fixture).toEqual(main.diagnostics);
      expect(await snapshot(join(dir, `${fixture}-threads`)), fixture).toEqual(
        await snapshot(join(dir, `${fixture}-main`)),
      );
    }
  }, 120_000);

  it('are chosen with --workers, a whole number, refused otherwise (exit 2)', async () => {
    const root = await copyProject('lint-clean', join(dir, 'workers-flag'));
    const bad = await obsgen(root, ['generate', '--workers', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"two" is not a whole number of threads');
    const good = await obsgen(root, ['generate', '--workers', '2']);
    expect(good.code).toBe(0);
    expect(await snapshot(join(root, 'generated'))).toEqual(await snapshot(join(dir, 'lint-clean-main')));
  }, 120_000);

  it('refuse what the main thread refuses, writing nothing', async () => {
    const root = join(ROOT, 'test', 'fixtures', 'kubernetes-too-large');
    const outDir = join(dir, 'too-large-threads');
    const main = await generate({
      root,
      outDir: join(dir, 'too-large-main'),
      incremental: false,
      workers: 0,
    });
    const threads = await generate({ root, outDir, incremental: false, workers: 2 });
    expect(main.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(threads.diagnostics).toEqual(main.diagnostics);
    expect(threads.drift).toBeUndefined();
    await expect(readdir(outDir)).rejects.toThrow();
  }, 120_000);
});

describe('a worker thread out of heap', () => {
  it('fails the run with one line naming the limit and the way round it, not a stack trace', async () => {
    const loaded = await loadProject({ root: join(ROOT, 'test', 'fixtures', 'multi-team') });
    const project = loaded.project as Project;
    // 4 MiB: the thread runs out while loading its modules.
    const pool = sharePool(shareContext(project, compileAlertmanager(project)), project.services, 1, 4);
    try {
      const failed = await pool.next().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(OperatorError);
      expect((failed as Error).message).toBe(
        'a worker thread ran out of its 4 MiB heap building services; generate --workers 0 builds them on the main thread',
      );
      await expect(pool.next()).rejects.toBeInstanceOf(OperatorError);
    } finally {
      await pool.close();
    }
  });
});

describe('where the cache lives', () => {
  it('writes none into a project without a node_modules folder of its own', async () => {
    const root = await copyProject('lint-clean', join(dir, 'no-cache'));
    expect((await obsgen(root, ['generate'])).code).toBe(0);
    expect((await obsgen(root, ['generate', '--check'])).code).toBe(0);
    expect((await readdir(root)).sort()).toEqual([
      'alerts',
      'dashboards',
      'generated',
      'package.json',
      'slos',
    ]);
  }, 120_000);
});

describe('cache keys', () => {
  it('tell apart what JSON would confuse', () => {
    const pairs: [unknown, unknown][] = [
      [{ a: /5../ }, { a: /4../ }],
      [{ a: /x/i }, { a: /x/ }],
      [{ a: undefined }, {}],
      [{ a: new Map([['k', 1]]) }, { a: new Map([['k', 2]]) }],
      [{ a: new Set([1]) }, { a: [1] }],
      [{ a: Number.NaN }, { a: null }],
      [{ f: () => 1 }, { f: () => 2 }],
      [['a', 'b'], ['ab']],
    ];
    for (const [a, b] of pairs) expect(hashValue(a), JSON.stringify([a, b])).not.toBe(hashValue(b));
    expect(hashValue({ b: 1, a: [1, { c: 2 }] })).toBe(hashValue({ a: [1, { c: 2 }], b: 1 }));
  });
});

describe('the journal', () => {
  it('a run killed while moving files in is finished by the next one', async () => {
    const root = join(dir, 'journal');
    const out = join(root, 'generated');
    const dead = 4_194_305;
    await mkdir(join(out, 'a'), { recursive: true });
    await writeFile(join(out, 'a', 'one.yaml'), 'old\n');
    await writeFile(join(out, 'stale.yaml'), 'stale\n');
    // Killed after moving one.yaml in, before two.yaml and before the removal.
    await mkdir(join(`${out}.obsgen-staging-${dead}`, 'b'), { recursive: true });
    await writeFile(join(`${out}.obsgen-staging-${dead}`, 'b', 'two.yaml'), 'two\n');
    await writeFile(join(out, 'a', 'one.yaml'), 'new\n');
    await writeFile(
      `${out}.obsgen-journal-${dead}`,
      JSON.stringify({ moves: ['a/one.yaml', 'b/two.yaml'], deletes: ['stale.yaml'] }),
    );
    await recoverOutput(out);
    expect(Object.fromEntries(await snapshot(out))).toEqual({ 'a/one.yaml': 'new\n', 'b/two.yaml': 'two\n' });
    expect((await readdir(root)).sort()).toEqual(['generated']);
  });

  it('a run killed while writing its journal leaves the previous tree', async () => {
    const root = join(dir, 'half-journal');
    const out = join(root, 'generated');
    const dead = 4_194_305;
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'one.yaml'), 'old\n');
    await mkdir(`${out}.obsgen-staging-${dead}`);
    await writeFile(join(`${out}.obsgen-staging-${dead}`, 'one.yaml'), 'new\n');
    await writeFile(`${out}.obsgen-journal-${dead}.tmp`, '{"moves":["one.yaml"],"del');
    await recoverOutput(out);
    expect(Object.fromEntries(await snapshot(out))).toEqual({ 'one.yaml': 'old\n' });
    expect((await readdir(root)).sort()).toEqual(['generated']);
  });

  it('a run killed before its journal leaves the previous tree', async () => {
    const root = join(dir, 'no-journal');
    const out = join(root, 'generated');
    const dead = 4_194_305;
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'one.yaml'), 'old\n');
    await mkdir(`${out}.obsgen-staging-${dead}`);
    await writeFile(join(`${out}.obsgen-staging-${dead}`, 'one.yaml'), 'new\n');
    await recoverOutput(out);
    expect(Object.fromEntries(await snapshot(out))).toEqual({ 'one.yaml': 'old\n' });
    expect((await readdir(root)).sort()).toEqual(['generated']);
  });
});

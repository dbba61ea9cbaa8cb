/**
 * A fleet's definition files load through one cached bundle: the tree is the one the same fleet
 * built in memory gives; a changed file, or a changed module the files import, is never served
 * from the bundle built before; a file that fails to load is still named (the files are then
 * imported one by one); building a bundle removes the bundles and indexes no run will use again.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST } from '../src/emit/files.ts';
import { renderTree } from '../src/emit/index.ts';
import { BUNDLE_THRESHOLD, BUNDLE_UNUSED_MS } from '../src/load/bundle.ts';
import { build } from '../src/pipeline.ts';
import { validateProject } from '../src/validate/service.ts';
import { fleetServicePath, writeFleetRepo } from './bench/fleet-repo.ts';
import { fleetService } from './bench/fleet-service.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const run = promisify(execFile);
const BIN = join(ROOT, 'src', 'cli', 'bin.js');
const SERVICES = 20;
let dir: string;
let cleanup: () => Promise<void>;
let root: string;

async function obsgen(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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

async function snapshot(at: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const e of await readdir(at, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      files.set(path.slice(at.length + 1), await readFile(path, 'utf8'));
    }
  return files;
}

const bundles = async (): Promise<string[]> =>
  (await readdir(join(root, 'node_modules', '.cache', 'obsgen', 'bundle')).catch(() => [])).filter((f) =>
    f.endsWith('.mjs'),
  );

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-bundle-'));
  root = join(dir, 'fleet');
  await writeFleetRepo(root, SERVICES);
});
afterAll(() => cleanup());

describe('loading a fleet through one bundle', () => {
  it('gives the tree of the same fleet built in memory', async () => {
    expect(SERVICES + 1).toBeGreaterThanOrEqual(BUNDLE_THRESHOLD);
    const result = await obsgen(['generate']);
    expect(result.stderr).toBe('');
    expect(await bundles()).toHaveLength(1);
    const { project, diagnostics } = validateProject(
      Array.from({ length: SERVICES }, (_, i) => fleetService(i)),
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (!project) throw new Error('the in-memory fleet is invalid');
    const expected = renderTree(build(project).documents);
    const written = await snapshot(join(root, 'generated'));
    written.delete(MANIFEST);
    expect(written).toEqual(expected);
  }, 120_000);

  it('never serves a changed file, or a changed module it imports, from an earlier bundle', async () => {
    const file = fleetServicePath(root, 3);
    await writeFile(file, (await readFile(file, 'utf8')).replace('objective: 0.999', 'objective: 0.98'));
    const changed = await obsgen(['generate']);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('updated  generated/prometheus/production/svc-0003.rules.yaml');
    expect(
      await readFile(join(root, 'generated', 'prometheus', 'production', 'svc-0003.rules.yaml'), 'utf8'),
    ).toContain('0.98');
    // The environments module every service imports: a changed runbook address reaches all of them.
    const environments = join(root, 'slos', 'environments.ts');
    await writeFile(
      environments,
      (await readFile(environments, 'utf8')).replace(
        'https://runbooks.example.com',
        'https://wiki.example.com',
      ),
    );
    const shared = await obsgen(['generate']);
    expect(shared.code).toBe(0);
    const rules = await readFile(
      join(root, 'generated', 'prometheus', 'staging', 'svc-0011.rules.yaml'),
      'utf8',
    );
    expect(rules).toContain('https://wiki.example.com');
    expect(rules).not.toContain('https://runbooks.example.com');
    expect((await obsgen(['generate', '--check'])).code).toBe(0);
    // Each rebuild removed the bundle it replaced.
    expect(await bundles()).toHaveLength(1);
  }, 120_000);

  it('removes, when it builds a bundle, the indexes unused for a week and the bundles no index names', async () => {
    const cache = join(root, 'node_modules', '.cache', 'obsgen', 'bundle');
    const [current] = await bundles();
    const ago = (ms: number) => new Date(Date.now() - ms);
    // Another file list's index, last used eight days ago, and its bundle.
    await writeFile(join(cache, 'unused.json'), JSON.stringify({ inputs: {}, bundle: 'unused.mjs' }));
    await writeFile(join(cache, 'unused.mjs'), 'export {};\n');
    await utimes(
      join(cache, 'unused.json'),
      ago(BUNDLE_UNUSED_MS + 86_400_000),
      ago(BUNDLE_UNUSED_MS + 86_400_000),
    );
    // An index used yesterday keeps its bundle; bundles no index names go after an hour.
    await writeFile(join(cache, 'recent.json'), JSON.stringify({ inputs: {}, bundle: 'recent.mjs' }));
    await writeFile(join(cache, 'recent.mjs'), 'export {};\n');
    await utimes(join(cache, 'recent.json'), ago(86_400_000), ago(86_400_000));
    await utimes(join(cache, 'recent.mjs'), ago(86_400_000), ago(86_400_000));
    await writeFile(join(cache, 'orphan-old.mjs'), 'export {};\n');
    await utimes(join(cache, 'orphan-old.mjs'), ago(2 * 3_600_000), ago(2 * 3_600_000));
    await writeFile(join(cache, 'orphan-new.mjs'), 'export {};\n');

    const file = fleetServicePath(root, 5);
    await writeFile(file, (await readFile(file, 'utf8')).replace('objective: 0.999', 'objective: 0.97'));
    expect((await obsgen(['generate'])).code).toBe(0);
    const left = (await readdir(cache)).sort();
    const [built] = (await bundles()).filter((f) => f.length === 68);
    expect(built).toBeDefined();
    expect(built).not.toBe(current);
    expect(left).toEqual(
      [...left.filter((f) => f.length === 69), built, 'orphan-new.mjs', 'recent.json', 'recent.mjs'].sort(),
    );
    expect(left.filter((f) => f.length === 69)).toHaveLength(1);
  }, 120_000);

  it('names the file that fails to load', async () => {
    const file = fleetServicePath(root, 7);
    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text}\nthrow new Error('broken on purpose');\n`);
    const result = await obsgen(['generate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('slos/svc-0007.ts: error: cannot load: broken on purpose');
    await writeFile(file, text);
  }, 120_000);
});

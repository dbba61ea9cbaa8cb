import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('prometheus rule files of the built-in definitions', () => {
  it('pass promtool check rules with every lint fatal', async () => {
    const tree = buildTree(project);
    const files = [...tree.keys()].filter((p) => p.startsWith('prometheus/'));
    expect(files).toEqual([
      'prometheus/production/malaria-predictor-api.rules.yaml',
      'prometheus/staging/malaria-predictor-api.rules.yaml',
    ]);
    const paths = await Promise.all(
      files.map(async (p, i) => {
        const file = join(dir, `${i}.rules.yaml`);
        await writeFile(file, tree.get(p) ?? '');
        return file;
      }),
    );
    const result = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...paths]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('are byte-identical across runs', async () => {
    const again = await loadProject({ root: ROOT });
    const a = buildTree(project);
    const b = buildTree(again.project as Project);
    expect([...b]).toEqual([...a]);
  });

  it('match the golden files', async () => {
    for (const [path, content] of buildTree(project)) {
      await expect(content).toMatchFileSnapshot(join('golden', 'malaria', path));
    }
  });
});

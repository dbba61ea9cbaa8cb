import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../slos/environments.ts';
import { buildTree } from '../src/index.ts';
import { formatDiagnostic } from '../src/model/diagnostic.ts';
import { validateProject } from '../src/validate/service.ts';
import { CORPUS, corpusGroups, type GroupResult, outcomeOf, readGroup } from './helpers/openslo-corpus.ts';
import { tempDir, tool } from './helpers/tools.ts';

interface Row {
  readonly file: string;
  readonly expected: string;
  readonly outcome: string;
  readonly codes: string;
  readonly note: string;
}

async function table(): Promise<Row[]> {
  const text = await readFile(join(CORPUS, 'OUTCOMES.tsv'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('file\t'))
    .map((line) => {
      const [file = '', expected = '', , outcome = '', codes = '', note = ''] = line.split('\t');
      return { file, expected, outcome, codes, note };
    });
}

const results = new Map<string, GroupResult>();
let rows: Row[];
let files: string[];

beforeAll(async () => {
  rows = await table();
  files = [];
  for (const group of await corpusGroups()) {
    const result = await readGroup(group, environments);
    for (const file of group.files) {
      results.set(file, result);
      files.push(file);
    }
  }
});

describe('the OpenSLO corpus', () => {
  it('lists every corpus file in OUTCOMES.tsv, and nothing else', () => {
    expect(rows.map((r) => r.file)).toEqual(files);
  });

  it('gives each file the outcome and codes OUTCOMES.tsv states', () => {
    const actual = files.map((file) => {
      const { outcome, codes } = outcomeOf(file, results.get(file)?.diagnostics ?? []);
      return { file, outcome, codes };
    });
    expect(actual).toEqual(rows.map(({ file, outcome, codes }) => ({ file, outcome, codes })));
  });

  it('refuses every file expected invalid', () => {
    const invalid = rows.filter((r) => r.expected === 'invalid');
    expect(invalid.length).toBeGreaterThan(20);
    for (const row of invalid) expect(row.outcome, row.file).toBe('refused');
  });

  it('imports every file expected valid, or refuses it for a stated reason', () => {
    const valid = rows.filter((r) => r.expected === 'valid');
    expect(valid.filter((r) => r.outcome === 'imports').length).toBeGreaterThan(15);
    for (const row of valid.filter((r) => r.outcome === 'refused')) {
      const [kind] = row.note.split(':');
      expect(['unsupported', 'restriction', 'schema drift'], row.file).toContain(kind);
      const codes = row.codes.split(',');
      if (kind === 'unsupported')
        for (const code of codes) expect(code, row.file).toMatch(/^openslo\/unsupported-/);
      if (kind === 'restriction') expect(codes, row.file).toEqual(['openslo/duplicate']);
    }
  });

  it('names the file, the document index and the field path in every diagnostic', () => {
    for (const file of files)
      for (const d of results.get(file)?.diagnostics ?? []) {
        expect(d.file.startsWith('context/'), `${d.file}: ${d.message}`).toBe(false);
        expect(String(d.path[0]), formatDiagnostic(d)).toMatch(/^documents\[\d+\]$/);
      }
  });

  it('keeps its messages (snapshot)', async () => {
    const seen = new Set<GroupResult>();
    const lines: string[] = [];
    for (const file of files) {
      const result = results.get(file);
      if (!result || seen.has(result)) continue;
      seen.add(result);
      lines.push(...result.diagnostics.map(formatDiagnostic));
    }
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot(
      join('golden', 'openslo-corpus', 'diagnostics.txt'),
    );
  });
});

const EXPECTED_SERVICES = [
  'my-awesome-service',
  ...Array(2).fill('the-service-name'),
  ...Array(8).fill('web'),
];

describe('SLOs the corpus imports', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it('compile into rule files promtool accepts with every lint fatal', async () => {
    const services = [...new Set(results.values())].flatMap((r) => r.services);
    // Calendar-window SLOs (a rolling week now) import besides the rolling one.
    expect(services.map((s) => (s.value as { name: string }).name).sort()).toEqual(EXPECTED_SERVICES);
    const paths: string[] = [];
    for (const [i, service] of services.entries()) {
      const { project, diagnostics } = validateProject([service]);
      expect(diagnostics).toEqual([]);
      for (const [path, content] of buildTree(project as NonNullable<typeof project>)) {
        if (!path.startsWith('prometheus/')) continue;
        const file = join(dir, `${i}-${path.replaceAll('/', '-')}`);
        await writeFile(file, content);
        paths.push(file);
      }
    }
    const result = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...paths]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ALIAS_COUNT, MAX_FILE_BYTES, parseOpenSloText } from '../src/import/openslo/index.ts';
import { readOpenSloFile } from '../src/import/openslo/read.ts';
import { tempDir } from './helpers/tools.ts';

const service = (name: string, description = 'x') =>
  `apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  description: ${description}\n`;

describe('reading OpenSLO YAML', () => {
  it('reads several documents, top-level lists and JSON, numbering objects across them', () => {
    const text = `${service('a')}---\n- ${service('b').replaceAll('\n', '\n  ').trimEnd()}\n- ${service('c').replaceAll('\n', '\n  ').trimEnd()}\n---\n{"apiVersion": "openslo/v1", "kind": "Service", "metadata": {"name": "d"}}\n---\n`;
    const { objects, diagnostics } = parseOpenSloText(text, 'f.yaml');
    expect(diagnostics).toEqual([]);
    expect(objects.map((o) => [o.index, (o.value as { metadata: { name: string } }).metadata.name])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
  });

  it('uses the YAML 1.2 core schema: on, no and dates stay strings', () => {
    const { objects } = parseOpenSloText(
      `${service('a', 'no')}  extra: on\n  when: 2020-01-21 12:30:00\n`,
      'f.yaml',
    );
    expect(objects[0]?.value).toMatchObject({
      spec: {
        description: 'no',
        extra: 'on',
        when: '2020-01-21 12:30:00',
      },
    });
  });

  it('reports syntax errors and duplicate keys with their line', () => {
    const { diagnostics } = parseOpenSloText('a: 1\na: 2\n---\nb: [1\n', 'f.yaml');
    expect(diagnostics.map((d) => [d.code, d.file, d.message])).toEqual([
      ['openslo/yaml', 'f.yaml', 'YAML: Map keys must be unique at line 2, column 1'],
      [
        'openslo/yaml',
        'f.yaml',
        'YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 5, column 1',
      ],
    ]);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const { objects, diagnostics } = parseOpenSloText(`${levels.join('\n')}\n`, 'bomb.yaml');
    expect(objects).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['openslo/alias-limit']);
    expect(diagnostics[0]?.message).toContain(`more than ${MAX_ALIAS_COUNT} times`);
  });

  it('reads an empty file as no objects', () => {
    expect(parseOpenSloText('# nothing here\n', 'f.yaml')).toEqual({ objects: [], diagnostics: [] });
  });
});

describe('reading OpenSLO files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup?.());

  it('refuses a file over the size limit without parsing it', async () => {
    const file = join(dir, 'big.yaml');
    await writeFile(file, `# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
    const { objects, diagnostics } = await readOpenSloFile(file, 'big.yaml');
    expect(objects).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.file])).toEqual([['openslo/too-large', 'big.yaml']]);
  });

  it('reports a missing file as a diagnostic', async () => {
    const { diagnostics } = await readOpenSloFile(join(dir, 'nope.yaml'), 'nope.yaml');
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([['openslo/read', 'cannot read: ENOENT']]);
  });
});

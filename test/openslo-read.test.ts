import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../slos/environments.ts';
import { readOpenSloFile } from '../src/formats/openslo/import/documents.ts';
import {
  importObjects,
  MAX_ALIAS_COUNT,
  MAX_FILE_BYTES,
  parseOpenSloText,
} from '../src/formats/openslo/import/index.ts';
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

describe('arbitrary input', () => {
  const ratioSlo = (query: string) => ({
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: 'a' },
    spec: {
      service: 'shop',
      indicator: {
        metadata: { name: 'a' },
        spec: {
          ratioMetric: {
            counter: true,
            bad: { metricSource: { type: 'Prometheus', spec: { query } } },
            total: { metricSource: { type: 'Prometheus', spec: { query: 'sum(rate(x[5m]))' } } },
          },
        },
      },
      budgetingMethod: 'Occurrences',
      timeWindow: [{ duration: '30d', isRolling: true }],
      objectives: [{ target: 0.99 }],
    },
  });

  it('never throws: any value becomes diagnostics or a model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.anything(), fc.constant(ratioSlo('x'))), { maxLength: 4 }),
        (values) => {
          const raws = values.map((value, index) => ({ file: 'f.yaml', index, value }));
          const result = importObjects(raws, { environments });
          expect(Array.isArray(result.diagnostics)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary query text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (query) => {
        const result = importObjects([{ file: 'f.yaml', index: 0, value: ratioSlo(query) }], {
          environments,
        });
        expect(result.services.length + result.diagnostics.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws when any field of a valid set is replaced by anything', async () => {
    const dir = join(import.meta.dirname, 'fixtures', 'openslo-malaria', 'openslo');
    const raws = [
      ...parseOpenSloText(await readFile(join(dir, 'malaria-predictor-api.yaml'), 'utf8'), 'a.yaml').objects,
      ...parseOpenSloText(await readFile(join(dir, 'alerting.yaml'), 'utf8'), 'b.yaml').objects,
    ];
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (value !== null && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
    };
    for (const [i, raw] of raws.entries()) walk(raw.value, [i]);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.anything(), (which, replacement) => {
        const copy = structuredClone(raws.map((r) => r.value));
        const path = paths[which] ?? [];
        let node: Record<string | number, unknown> = copy as unknown as Record<number, unknown>;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        node[path.at(-1) as string | number] = replacement;
        const result = importObjects(
          copy.map((value, index) => ({ file: 'f.yaml', index, value })),
          { environments },
        );
        expect(result.services.length + result.diagnostics.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

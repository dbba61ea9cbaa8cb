/**
 * The pipeline's shape, read from the imports of src/: no folder imports, directly or through
 * others, a folder that imports it back; the stages import only earlier stages; one PromQL reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/tools.ts';

const SRC = join(ROOT, 'src');

const sourceFiles = (): string[] =>
  readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));

/** Static, re-export and literal dynamic import specifiers of a file. */
const specifiers = (text: string): string[] =>
  [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter(Boolean);

/**
 * Folder of a file relative to src/; a file directly in src/ (conventions.ts, pipeline.ts, the
 * library's index.ts) is a node of its own, as a folder would be.
 */
const folderOf = (file: string): string => relative(SRC, dirname(file)) || relative(SRC, file);

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly file: string;
}

/** Folder-to-folder imports of src/, with one file that makes each. */
function folderEdges(): Edge[] {
  const edges = new Map<string, Edge>();
  for (const file of sourceFiles()) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to && !edges.has(`${from}>${to}`))
        edges.set(`${from}>${to}`, { from, to, file: relative(ROOT, file) });
    }
  }
  return [...edges.values()];
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) {
          onStack.delete(w);
          component.push(w);
        }
      } while (w !== undefined && w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

const describeCycle = (component: readonly string[], edges: readonly Edge[]): string =>
  edges
    .filter((e) => component.includes(e.from) && component.includes(e.to))
    .map((e) => `${e.from} -> ${e.to} (${e.file})`)
    .join('\n');

/** The top-level stage a folder belongs to (`compile/grafana` -> `compile`). */
const stageOf = (folder: string): string => folder.split('/')[0] ?? folder;

describe('the architecture of src/', () => {
  const edges = folderEdges();

  it('finds the imports it reads (the reader works)', () => {
    expect(edges.some((e) => e.from === 'derive/kubernetes' && e.to === 'compile')).toBe(true);
    expect(cycles([...edges, { from: 'model', to: 'derive', file: 'x' }]).length).toBeGreaterThan(0);
  });

  it('has no import cycle between folders', () => {
    const found = cycles(edges);
    expect(found.map((c) => describeCycle(c, edges))).toEqual([]);
  });

  it('lets each stage import only the stages before it', () => {
    // Later stages may read earlier ones, never the other way round.
    const order = [
      'model',
      'promql',
      'load',
      'validate',
      // Other formats read into the model (and validate what they read) or write it out.
      'formats',
      'compile',
      'derive',
      'checks',
      'pipeline.ts',
      'commands',
      'index.ts',
      'cli',
    ];
    const rank = (folder: string): number => order.indexOf(stageOf(folder));
    const backwards = edges.filter((e) => {
      const from = rank(e.from);
      const to = rank(e.to);
      return from >= 0 && to >= 0 && to > from;
    });
    expect(backwards.map((e) => `${e.from} -> ${e.to} (${e.file})`)).toEqual([]);
  });

  it('reads PromQL in one place', () => {
    const lezer = sourceFiles()
      .filter((f) => readFileSync(f, 'utf8').includes("from '@prometheus-io/lezer-promql'"))
      .map((f) => relative(ROOT, f));
    expect(lezer).toEqual(['src/promql/parse.ts']);
  });
});

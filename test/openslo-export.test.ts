import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../slos/environments.ts';
import { importObjects, parseOpenSloText } from '../src/formats/openslo/import/index.ts';
import { buildTree, exportOpenSlo, loadProject } from '../src/index.ts';
import type { Project, ResolvedService } from '../src/model/resolved.ts';
import { compileProject } from '../src/pipeline.ts';
import { validateProject } from '../src/validate/service.ts';
import { ROOT } from './helpers/tools.ts';

const FILE = 'malaria-predictor-api.openslo.yaml';

let typescript: Project;
let exported: string;
let reimported: Project;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  typescript = loaded.project as Project;
  const result = exportOpenSlo(typescript);
  expect(result.diagnostics).toEqual([]);
  exported = result.tree.get(FILE) ?? '';
  const parsed = parseOpenSloText(exported, FILE);
  expect(parsed.diagnostics).toEqual([]);
  const imported = importObjects(parsed.objects, { environments });
  expect(imported.diagnostics).toEqual([]);
  const validated = validateProject(imported.services);
  expect(validated.diagnostics).toEqual([]);
  reimported = validated.project as Project;
});

/** The SLO part of a project: what an OpenSLO rendering can say (no alert catalog, no dashboards). */
const sloOnly = (project: Project): Project => ({
  ...project,
  alerts: [],
  services: project.services.map(({ dashboards: _, ...svc }) => ({ ...svc, alerts: [] })),
});
/** Rule files of the SLO part, by path. */
const ruleTree = (project: Project) =>
  new Map([...buildTree(sloOnly(project))].filter(([path]) => path.startsWith('prometheus/')));

const withoutFile = ({ file: _, alerts: _a, dashboards: _d, ...rest }: ResolvedService) => rest;

describe('obsgen export openslo', () => {
  it('writes OpenSLO v1 documents for the TypeScript definitions (golden)', async () => {
    expect([...exportOpenSlo(typescript).tree.keys()]).toEqual([FILE]);
    await expect(exported).toMatchFileSnapshot(join('golden', 'openslo', FILE));
  });

  it('imports back into the same model: typed SLIs, contract, windows and alerting', () => {
    expect(reimported.services.map(withoutFile)).toEqual(typescript.services.map(withoutFile));
    expect(reimported.services[0]?.slos.map((s) => s.sli.kind)).toEqual([
      'probe',
      'latency',
      'ratio',
      'freshness',
    ]);
  });

  it('imports back into byte-identical rules (the source header names the OpenSLO file)', () => {
    const before = ruleTree(typescript);
    const after = ruleTree(reimported);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [path, text] of before) {
      const header = '# source: slos/malaria-predictor-api.ts\n';
      expect(text).toContain(header);
      expect(after.get(path)).toBe(text.replace(header, `# source: ${FILE}\n`));
    }
    const values = (p: Project) =>
      compileProject(sloOnly(p))
        .filter((d) => d.path.startsWith('prometheus/'))
        .map((d) => ('value' in d ? d.value : d));
    expect(values(reimported)).toEqual(values(typescript));
  });

  it('is stable: exporting the re-imported model gives the same documents', () => {
    const again = exportOpenSlo(reimported).tree.get(FILE) ?? '';
    const body = (text: string) => text.split('\n').filter((l) => !l.startsWith('# source:'));
    expect(body(again)).toEqual(body(exported));
  });
});

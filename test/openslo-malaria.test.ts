import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { environments } from '../slos/environments.ts';
import { findOpenSloFiles, importOpenSloFiles } from '../src/formats/openslo/import/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { validateProject } from '../src/validate/service.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'openslo-malaria');
const OPENSLO_FILES = join(FIXTURE, 'openslo');
const RULES = 'prometheus/production/malaria-predictor-api.rules.yaml';

let typescript: Project;
let openslo: Project;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const ts = await loadProject({ root: ROOT });
  expect(ts.diagnostics).toEqual([]);
  typescript = ts.project as Project;
  const { files } = await findOpenSloFiles(ROOT, [OPENSLO_FILES]);
  const imported = await importOpenSloFiles(ROOT, files, { environments });
  expect(imported.diagnostics).toEqual([]);
  const validated = validateProject(imported.services);
  expect(validated.diagnostics).toEqual([]);
  openslo = validated.project as Project;
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup?.());

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  [key: string]: unknown;
}
interface Group {
  name: string;
  interval: string;
  rules: Rule[];
}

/** The SLO part of a project: what an OpenSLO rendering can say (no alert catalog, no dashboards). */
const sloOnly = (project: Project): Project => ({
  ...project,
  alerts: [],
  services: project.services.map(({ dashboards: _, ...svc }) => ({ ...svc, alerts: [] })),
});
/** Rule files of the SLO part, by path. */
const ruleTree = (project: Project) =>
  new Map([...buildTree(sloOnly(project))].filter(([path]) => path.startsWith('prometheus/')));

const groups = (text: string): Group[] => (YAML.parse(text) as { groups: Group[] }).groups;
/** Only these two recordings read raw series; everything after them reads recordings. */
const readsRawSeries = (rule: Rule): boolean => /^slo:sli_(bad|total):rate/.test(rule.record ?? '');

describe('the OpenSLO rendering of the malaria SLOs (test/fixtures/openslo-malaria/openslo)', () => {
  it('generates the same files, groups, recordings and alerts as the TypeScript definitions', () => {
    const ts = ruleTree(typescript);
    const os = ruleTree(openslo);
    expect([...os.keys()]).toEqual([...ts.keys()]);
    for (const [path, text] of ts) {
      const a = groups(text);
      const b = groups(os.get(path) ?? '');
      expect(b.map((g) => [g.name, g.interval, g.rules.length])).toEqual(
        a.map((g) => [g.name, g.interval, g.rules.length]),
      );
      for (const [i, group] of a.entries())
        for (const [j, rule] of group.rules.entries()) {
          const other = b[i]?.rules[j] as Rule;
          if (readsRawSeries(rule)) expect({ ...other, expr: '' }).toEqual({ ...rule, expr: '' });
          else expect(other, `${path} ${group.name} ${rule.record ?? rule.alert}`).toEqual(rule);
        }
    }
  });

  it('differs from them, line by line, only in the source header and the base-window PromQL', () => {
    const ts = (ruleTree(typescript).get(RULES) ?? '').split('\n');
    const os = (ruleTree(openslo).get(RULES) ?? '').split('\n');
    expect(os.length).toBe(ts.length);
    const differing = ts.flatMap((line, i) => (line === os[i] ? [] : [i]));
    expect(differing.length).toBeGreaterThan(1);
    for (const i of differing) {
      const line = ts[i] ?? '';
      const previous = ts[i - 1] ?? '';
      const allowed =
        line.startsWith('# source: ') ||
        (line.trimStart().startsWith('expr: ') && /- record: slo:sli_(bad|total):rate/.test(previous));
      expect(allowed, `line ${i + 1}: ${line}`).toBe(true);
    }
  });

  it('passes promtool check rules with every lint fatal', async () => {
    const paths: string[] = [];
    for (const [path, text] of ruleTree(openslo)) {
      const file = join(dir, path.replaceAll('/', '-'));
      await writeFile(file, text);
      paths.push(file);
    }
    const result = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...paths]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('pages on a total outage exactly when the TypeScript rules do (promtool test rules)', async () => {
    const run = async (name: string, rules: string) => {
      const sub = join(dir, name);
      await mkdir(sub, { recursive: true });
      await writeFile(join(sub, 'rules.yaml'), rules);
      await copyFile(join(FIXTURE, 'outage.test.yaml'), join(sub, 'outage.test.yaml'));
      return tool('promtool', ['test', 'rules', 'outage.test.yaml'], sub);
    };
    const ts = await run('typescript', ruleTree(typescript).get(RULES) ?? '');
    const os = await run('openslo', ruleTree(openslo).get(RULES) ?? '');
    expect(ts.stdout + ts.stderr).toContain('SUCCESS');
    expect(ts.code).toBe(0);
    expect(os.stdout + os.stderr).toContain('SUCCESS');
    expect(os.code).toBe(0);
    // The test can fail: staging rules select the staging namespace, so nothing fires there.
    const staging = await run(
      'staging',
      ruleTree(openslo).get('prometheus/staging/malaria-predictor-api.rules.yaml') ?? '',
    );
    expect(staging.code).not.toBe(0);
  });
});

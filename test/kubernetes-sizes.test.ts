import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { lintKubernetesSizes } from '../src/checks/kubernetes-sizes.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { toRuleFile } from '../src/compile/prometheus/index.ts';
import { KUBERNETES } from '../src/conventions.ts';
import { toPrometheusRules } from '../src/derive/kubernetes/index.ts';
import { groupBytesTotal, groupsYamlBytes, packInOrder, yamlBytes } from '../src/derive/kubernetes/size.ts';
import type { Document } from '../src/emit/index.ts';
import { buildTree, formatDiagnostic, generate, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import {
  crdProblems,
  crdValidators,
  type KubeObject,
  kustomize,
  parse11,
  writeRendered,
} from './helpers/kubernetes.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('packing in order', () => {
  it('keeps order, fills each run up to the budget and gives an oversized item a run of its own', () => {
    expect(packInOrder([3, 3, 3, 5, 1, 9, 2], (n) => n, 6)).toEqual([[3, 3], [3], [5, 1], [9], [2]]);
    expect(packInOrder([], (n: number) => n, 6)).toEqual([]);
  });

  it('splits the built-in rule groups over several PrometheusRules under a small budget, losing none', async () => {
    const { project } = await loadProject({ root: ROOT });
    const svc = (project as Project).services[0];
    const env = svc?.environments.find((e) => e.name === 'production');
    if (!svc || !env) throw new Error('no built-in production service');
    const groups = toRuleFile(svc, env).groups;
    const budget = 16 * 1024;
    const rules = toPrometheusRules(svc, env, groups, budget);
    expect(rules.length).toBeGreaterThan(2);
    expect(rules.map((r) => r.metadata?.name)).toEqual(rules.map((_, i) => `malaria-predictor-api-${i + 1}`));
    expect(rules.flatMap((r) => r.spec.groups)).toEqual(groups);
    for (const rule of rules) {
      const size = yamlBytes({ groups: rule.spec.groups });
      if ((rule.spec.groups ?? []).length > 1) expect(size).toBeLessThanOrEqual(budget);
    }
    // With the real budget everything fits in one object.
    expect(toPrometheusRules(svc, env, groups).map((r) => r.metadata?.name)).toEqual([
      'malaria-predictor-api',
    ]);
  });
});

describe('a service with more rules than one PrometheusRule holds (synthetic, 40 SLOs)', () => {
  let tree: ReadonlyMap<string, string>;
  beforeAll(async () => {
    const loaded = await loadProject({ root: fixture('kubernetes-large') });
    expect(loaded.diagnostics).toEqual([]);
    tree = buildTree(loaded.project as Project);
    await writeRendered(join(dir, 'large'), tree);
  });

  it('splits its groups, in order, over PrometheusRules that each stay under the budget', () => {
    const paths = [...tree.keys()].filter((p) => /^kubernetes\/production\/prometheusrule-/.test(p)).sort();
    expect(paths.length).toBeGreaterThan(1);
    const rules = paths.map((p) => parse11(tree.get(p) ?? '') as KubeObject & { spec: RuleFile });
    const file = parse11(tree.get('prometheus/production/large-api.rules.yaml') ?? '') as RuleFile;
    const byName = [...rules].sort(
      (a, b) => Number(a.metadata.name.split('-').at(-1)) - Number(b.metadata.name.split('-').at(-1)),
    );
    expect(byName.flatMap((r) => r.spec.groups)).toEqual(file.groups);
    const validators = crdValidators();
    for (const rule of rules) {
      expect(yamlBytes({ groups: rule.spec.groups })).toBeLessThanOrEqual(KUBERNETES.maxPrometheusRuleBytes);
      expect(crdProblems(validators, rule)).toEqual([]);
    }
    const kustomization = parse11(tree.get('kubernetes/production/kustomization.yaml') ?? '') as {
      resources: string[];
    };
    for (const p of paths) expect(kustomization.resources).toContain(p.split('/').at(-1));
  });

  it('passes promtool check rules and kubectl kustomize', async () => {
    const specs: string[] = [];
    for (const [path, text] of tree)
      if (/^kubernetes\/production\/prometheusrule-/.test(path)) {
        const file = join(dir, `${path.split('/').at(-1)}.spec.yaml`);
        await writeFile(file, YAML.stringify((parse11(text) as KubeObject).spec, { version: '1.1' }));
        specs.push(file);
      }
    const check = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...specs]);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    const built = await kustomize(join(dir, 'large', 'kubernetes', 'production'));
    expect(built.code).toBe(0);
    expect(built.objects.filter((o) => o.kind === 'PrometheusRule').length).toBe(specs.length);
  });
});

describe('a rule group or a dashboard too large for any object', () => {
  it('fails generation with a diagnostic naming the group or dashboard, writing nothing', async () => {
    const out = join(dir, 'too-large');
    const result = await generate({ root: fixture('kubernetes-too-large'), outDir: out, check: true });
    expect(result.drift).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual([
      'kubernetes/dashboard-too-large',
      'kubernetes/dashboard-too-large',
      'kubernetes/rule-group-too-large',
    ]);
    await expect(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n`).toMatchFileSnapshot(
      join('golden', 'kubernetes-too-large', 'diagnostics.txt'),
    );
  });

  it('exits 1 from the CLI with the diagnostics and no stack trace', async () => {
    const run = await tool(process.execPath, [
      join(ROOT, 'src', 'cli', 'bin.js'),
      '--root',
      fixture('kubernetes-too-large'),
      'generate',
      '--check',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[kubernetes/rule-group-too-large]');
    expect(run.stderr).toContain('nothing was written');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('checks the sizes the limits name (the check can fail and can pass)', () => {
    const doc = (kind: string, value: object): Document => ({
      path: `kubernetes/production/${kind}.yaml`,
      format: 'yaml',
      value: { kind, metadata: { name: 'x' }, ...value },
      sources: ['slos/x.ts'],
    });
    const limits = { configMapBytes: 10, prometheusRuleBytes: 10_000 };
    const configMap = (n: number) => doc('ConfigMap', { data: { 'a.json': 'é'.repeat(n) } });
    expect(lintKubernetesSizes([configMap(5)], limits)).toEqual([]);
    expect(lintKubernetesSizes([configMap(6)], limits).map((d) => d.code)).toEqual([
      'kubernetes/dashboard-too-large',
    ]);
    const rule = doc('PrometheusRule', {
      spec: { groups: [{ name: 'g', rules: [{ record: 'r', expr: 'x'.repeat(9_000) }] }] },
    });
    expect(lintKubernetesSizes([rule], limits)).toEqual([]);
    expect(lintKubernetesSizes([rule], { ...limits, prometheusRuleBytes: 9_000 })[0]?.path).toEqual([
      'production',
      'groups',
      'g',
    ]);
  });
});

describe('measuring a rule file whole', () => {
  it('gives the sum of its groups measured one by one, on every fixture with rules', async () => {
    let files = 0;
    for (const name of [
      'multi-service',
      'multi-team',
      'kubernetes-large',
      'kubernetes-yaml11',
      'lint-clean',
    ]) {
      const { project } = await loadProject({ root: fixture(name) });
      for (const svc of project?.services ?? [])
        for (const env of svc.environments) {
          const file = toRuleFile(svc, env);
          const sum = file.groups.reduce((n, g) => n + yamlBytes({ groups: [g] }), 0);
          expect(groupBytesTotal(file), `${name} ${svc.name} ${env.name}`).toBe(sum);
          // The size check's measure of the whole file, kept from that of the groups.
          expect(groupsYamlBytes(file.groups)).toBe(yamlBytes({ groups: [...file.groups] }));
          // At the budget the whole file is one object; one byte less and the groups are packed.
          if (file.groups.length > 1) {
            expect(toPrometheusRules(svc, env, file.groups, sum, file)).toHaveLength(1);
            expect(toPrometheusRules(svc, env, file.groups, sum - 1, file).length).toBeGreaterThan(1);
          }
          files++;
        }
    }
    expect(files).toBeGreaterThan(8);
  });
});

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import {
  crdProblems,
  crdValidators,
  type KubeObject,
  kustomize,
  metadataProblems,
  objectKey,
  parse11,
  writeRendered,
} from './helpers/kubernetes.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let project: Project;
let tree: ReadonlyMap<string, string>;
let dir: string;
let cleanup: () => Promise<void>;
let validators: Map<string, ValidateFunction>;
const ENVS = [
  { name: 'staging', namespace: 'malaria-prediction-staging' },
  { name: 'production', namespace: 'malaria-prediction-production' },
] as const;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  tree = buildTree(project);
  ({ dir, cleanup } = await tempDir());
  await writeRendered(dir, tree);
  validators = crdValidators();
});
afterAll(() => cleanup());

/** The objects of an environment's files, read as a YAML 1.1 reader reads them. */
const objectsOf = (env: string): { path: string; object: KubeObject }[] =>
  [...tree]
    .filter(([path]) => path.startsWith(`kubernetes/${env}/`) && !path.endsWith('/kustomization.yaml'))
    .map(([path, text]) => ({ path, object: parse11(text) as KubeObject }));

describe.each(ENVS)('kubernetes manifests of $name', (env) => {
  it('hold a PrometheusRule, the AlertmanagerConfig and a ConfigMap per dashboard, listed by the kustomization', async () => {
    const kinds = objectsOf(env.name).map(({ object }) => `${object.kind}/${object.metadata.name}`);
    const dashboards = [...tree.keys()].filter((p) => p.startsWith(`grafana/${env.name}/`));
    expect(kinds.filter((k) => k.startsWith('PrometheusRule/'))).toEqual([
      'PrometheusRule/malaria-predictor-api',
    ]);
    expect(kinds.filter((k) => k.startsWith('AlertmanagerConfig/'))).toEqual([
      'AlertmanagerConfig/alert-routing',
    ]);
    expect(kinds.filter((k) => k.startsWith('ConfigMap/'))).toHaveLength(dashboards.length);
    // The deploy gate: one AnalysisTemplate, a MetricTemplate per SLO and one for the latency p95.
    expect(kinds.filter((k) => k.startsWith('AnalysisTemplate/'))).toEqual([
      'AnalysisTemplate/malaria-predictor-api-slo-gate',
    ]);
    expect(kinds.filter((k) => k.startsWith('MetricTemplate/'))).toHaveLength(5);
    expect(kinds).toHaveLength(dashboards.length + 2 + 1 + 5);
    const kustomization = parse11(tree.get(`kubernetes/${env.name}/kustomization.yaml`) ?? '') as {
      namespace: string;
      resources: string[];
    };
    expect(kustomization.namespace).toBe(env.namespace);
    const files = (await readdir(join(dir, 'kubernetes', env.name))).filter(
      (f) => f !== 'kustomization.yaml',
    );
    expect(kustomization.resources).toEqual(files.sort());
  });

  it('validate against their CRD schemas (core v1 for ConfigMaps) and the API server metadata rules', () => {
    for (const { path, object } of objectsOf(env.name)) {
      expect(crdProblems(validators, object), path).toEqual([]);
      expect(metadataProblems(object), path).toEqual([]);
      expect(object.metadata.namespace, path).toBe(env.namespace);
      expect(object.metadata.labels?.['app.kubernetes.io/managed-by'], path).toBe('obsgen');
    }
  });

  it('wrap exactly the rule groups of the Prometheus rule file, labelled for the rule selector', () => {
    const rules = objectsOf(env.name).filter(({ object }) => object.kind === 'PrometheusRule');
    const file = parse11(
      tree.get(`prometheus/${env.name}/malaria-predictor-api.rules.yaml`) ?? '',
    ) as RuleFile;
    expect(rules.flatMap(({ object }) => (object.spec as unknown as RuleFile).groups)).toEqual(file.groups);
    for (const { object } of rules) expect(object.metadata.labels?.release).toBe('kube-prometheus-stack');
  });

  it('carry rule groups that pass promtool check rules --lint=all --lint-fatal', async () => {
    const paths: string[] = [];
    for (const { path, object } of objectsOf(env.name).filter(
      ({ object }) => object.kind === 'PrometheusRule',
    )) {
      const file = join(dir, `${path.replaceAll('/', '_')}.spec.yaml`);
      await writeFile(file, YAML.stringify(object.spec, { version: '1.1' }));
      paths.push(file);
    }
    const result = await tool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...paths]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('put each dashboard, byte for byte, in a ConfigMap the Grafana sidecar collects', () => {
    for (const { object } of objectsOf(env.name).filter(({ object }) => object.kind === 'ConfigMap')) {
      const [key, json] = Object.entries(object.data ?? {})[0] ?? [];
      expect(json).toBe(tree.get(`grafana/${env.name}/${key}`));
      expect(object.metadata.labels?.grafana_dashboard).toBe('1');
      expect(object.metadata.annotations).toEqual({
        grafana_folder: `malaria-predictor-api-${env.name}`,
        'k8s-sidecar-target-directory': `malaria-predictor-api-${env.name}`,
      });
    }
  });

  it('build with kubectl kustomize, which prints the same objects back', async () => {
    const result = await kustomize(join(dir, 'kubernetes', env.name));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = new Map(result.objects.map((o) => [objectKey(o), o]));
    const generated = objectsOf(env.name).map(({ object }) => object);
    expect([...printed.keys()].sort()).toEqual(generated.map(objectKey).sort());
    for (const object of generated) expect(printed.get(objectKey(object))).toEqual(object);
  });
});

describe('kubernetes files', () => {
  it('start with the generated-by comment and are byte-identical across runs', async () => {
    const again = buildTree((await loadProject({ root: ROOT })).project as Project);
    const files = [...tree].filter(([path]) => path.startsWith('kubernetes/'));
    expect(files.length).toBe(2 * 17);
    for (const [path, text] of files) {
      expect(text.startsWith('# generated by obsgen, do not edit.\n'), path).toBe(true);
      expect(again.get(path), path).toBe(text);
    }
  });
});

describe('kubernetes validators', () => {
  it('catch what the API server or the operator would refuse (they are not vacuous)', () => {
    const rule = objectsOf('production').find(({ object }) => object.kind === 'PrometheusRule')
      ?.object as KubeObject;
    const broken = structuredClone(rule) as unknown as { spec: { groups: { name?: string }[] } };
    delete broken.spec.groups[0]?.name;
    expect(crdProblems(validators, broken as unknown as KubeObject).join('\n')).toContain(
      "must have required property 'name'",
    );
    const amc = objectsOf('production').find(({ object }) => object.kind === 'AlertmanagerConfig')
      ?.object as KubeObject;
    const badMatch = structuredClone(amc) as unknown as {
      spec: { route: { matchers: { matchType: string }[] } };
    };
    badMatch.spec.route.matchers = [{ matchType: '==' }];
    expect(crdProblems(validators, badMatch as unknown as KubeObject).length).toBeGreaterThan(0);
    const configMap = objectsOf('production').find(({ object }) => object.kind === 'ConfigMap')
      ?.object as KubeObject;
    expect(crdProblems(validators, configMap)).toEqual([]);
    expect(
      crdProblems(validators, { ...configMap, data: { 'a.json': 1 } } as unknown as KubeObject).join('\n'),
    ).toContain('/data/a.json must be string');
    expect(crdProblems(validators, { ...configMap, spec: {} }).join('\n')).toContain(
      'must NOT have additional properties',
    );
    expect(
      metadataProblems({ ...rule, metadata: { name: 'Bad_Name', namespace: 'y', labels: { a: 'b c' } } }),
    ).toEqual(['name Bad_Name', 'label a=b c']);
  });
});

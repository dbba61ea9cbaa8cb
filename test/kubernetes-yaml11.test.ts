import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { ROOT, tempDir } from './helpers/tools.ts';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'kubernetes-yaml11');
let tree: ReadonlyMap<string, string>;
let dir: string;
let cleanup: () => Promise<void>;
let validators: Map<string, ValidateFunction>;

beforeAll(async () => {
  const loaded = await loadProject({ root: FIXTURE });
  expect(loaded.diagnostics).toEqual([]);
  tree = buildTree(loaded.project as Project);
  ({ dir, cleanup } = await tempDir());
  await writeRendered(dir, tree);
  validators = crdValidators();
});
afterAll(() => cleanup());

const files = (): [string, string][] =>
  [...tree].filter(
    ([path]) => path.startsWith('kubernetes/production/') && !path.endsWith('kustomization.yaml'),
  );
const objects = (): KubeObject[] => files().map(([, text]) => parse11(text) as KubeObject);

describe('kubernetes manifests with values YAML 1.1 reads as booleans or numbers', () => {
  it('quote them, so a YAML 1.1 reader gets strings', () => {
    const text = files()
      .map(([, t]) => t)
      .join('\n');
    expect(text).toContain('namespace: "y"');
    expect(text).toContain('namespace: "n"');
    expect(text).toContain('enabled: "on"');
    expect(text).toContain('version: "1.10"');
    expect(text).toContain('grafana_folder: "no"');
    expect(text).toContain('dashboards: "yes"');
    const rule = objects().find((o) => o.kind === 'PrometheusRule') as KubeObject;
    expect(rule.metadata.namespace).toBe('y');
    expect(rule.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'obsgen',
      enabled: 'on',
      prometheus: 'k8s',
      role: 'alert-rules',
      version: '1.10',
    });
  });

  it('build with kubectl kustomize, which prints them back unchanged', async () => {
    const result = await kustomize(join(dir, 'kubernetes', 'production'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = new Map(result.objects.map((o) => [objectKey(o), o]));
    expect([...printed.keys()].sort()).toEqual(objects().map(objectKey).sort());
    for (const object of objects()) expect(printed.get(objectKey(object))).toEqual(object);
    const amc = printed.get('AlertmanagerConfig/y/alert-routing');
    expect(amc?.metadata.labels).toEqual({
      alertmanager: 'on',
      'app.kubernetes.io/managed-by': 'obsgen',
      version: '1.10',
    });
  });

  it('keep objects in two namespaces apart: no kustomization namespace, file names carry the namespace', () => {
    const kustomization = parse11(tree.get('kubernetes/production/kustomization.yaml') ?? '') as Record<
      string,
      unknown
    >;
    expect(kustomization.namespace).toBeUndefined();
    expect(kustomization.resources).toContain('prometheusrule-y-malaria-predictor-api.yaml');
    expect(kustomization.resources).toContain(
      'configmap-n-grafana-dashboard-malaria-predictor-api-production-slos.yaml',
    );
    const namespaces = new Set(objects().map((o) => `${o.kind}:${o.metadata.namespace}`));
    expect([...namespaces].sort()).toEqual([
      'AlertmanagerConfig:y',
      'AnalysisTemplate:y',
      'ConfigMap:n',
      'GrafanaDashboard:n',
      'MetricTemplate:y',
      'PrometheusRule:y',
    ]);
  });

  it('write a GrafanaDashboard per dashboard that validates and reads its ConfigMap', () => {
    const all = objects();
    const dashboards = all.filter((o) => o.kind === 'GrafanaDashboard');
    const configMaps = new Map(all.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
    expect(dashboards.length).toBe(configMaps.size);
    for (const d of dashboards) {
      expect(crdProblems(validators, d)).toEqual([]);
      expect(metadataProblems(d)).toEqual([]);
      const spec = d.spec as {
        folder?: string;
        folderUID?: string;
        folderRef?: string;
        allowCrossNamespaceImport?: boolean;
        instanceSelector: unknown;
        configMapRef: { name: string; key: string };
      };
      // The CRD's CEL rules (ajv does not run them): folder excludes folderUID and folderRef.
      expect(spec.folder).toBe('no');
      expect(spec.folderUID ?? spec.folderRef).toBeUndefined();
      expect(spec.allowCrossNamespaceImport).toBe(true);
      expect(spec.instanceSelector).toEqual({ matchLabels: { dashboards: 'yes' } });
      expect(configMaps.get(spec.configMapRef.name)?.data?.[spec.configMapRef.key]).toContain('"uid"');
    }
  });

  it('validate every object against its CRD schema (core v1 for ConfigMaps) and the metadata rules', () => {
    for (const object of objects()) {
      expect(crdProblems(validators, object), object.metadata.name).toEqual([]);
      expect(metadataProblems(object), object.metadata.name).toEqual([]);
    }
  });
});

/**
 * templates/kube-prometheus-stack/values.yaml against the generated Kubernetes objects: the
 * chart's rule selector, AlertmanagerConfig selector and matcher strategy, and the Grafana
 * sidecar's label and folder annotation select what obsgen writes. A rename on either side fails.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { ROOT } from './helpers/tools.ts';

interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

interface ChartValues {
  prometheus: {
    prometheusSpec: {
      ruleSelectorNilUsesHelmValues: boolean;
      ruleSelector: LabelSelector;
      ruleNamespaceSelector: LabelSelector;
    };
  };
  alertmanager: {
    alertmanagerSpec: {
      alertmanagerConfigSelector: LabelSelector;
      alertmanagerConfigNamespaceSelector: LabelSelector;
      alertmanagerConfigMatcherStrategy: { type: string };
    };
  };
  grafana: {
    sidecar: {
      dashboards: {
        enabled: boolean;
        label: string;
        labelValue: string;
        searchNamespace: string;
        folderAnnotation: string;
        provider: { foldersFromFilesStructure: boolean };
      };
    };
  };
}

interface K8sObject {
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { groups?: { rules: { alert?: string; labels?: Record<string, string> }[] }[] };
  data?: Record<string, string>;
}

/** Kubernetes label selector semantics (an empty selector selects everything). */
function selects(selector: LabelSelector, labels: Readonly<Record<string, string>> = {}): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      default:
        return value === undefined;
    }
  });
  return byLabel && byExpression;
}

const values = async (): Promise<ChartValues> =>
  YAML.parse(await readFile(join(ROOT, 'templates', 'kube-prometheus-stack', 'values.yaml'), 'utf8'));

async function objectsOf(root: string): Promise<K8sObject[]> {
  const { project } = await loadProject({ root });
  const tree = buildTree(project as Project);
  return [...tree]
    .filter(([path]) => path.startsWith('kubernetes/') && !path.endsWith('/kustomization.yaml'))
    .map(([, text]) => YAML.parse(text) as K8sObject);
}

const CASES = [
  { name: 'the malaria API', root: ROOT },
  { name: 'the ledger API fixture', root: join(ROOT, 'test', 'fixtures', 'kube-prometheus-stack') },
];

describe('the label selector matcher', () => {
  it('is Kubernetes semantics, not always true', () => {
    const labels = { release: 'kube-prometheus-stack', team: 'a' };
    expect(selects({}, labels)).toBe(true);
    expect(selects({ matchLabels: { release: 'kube-prometheus-stack' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { release: 'prometheus' } }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'team', operator: 'In', values: ['b'] }] }, labels)).toBe(
      false,
    );
    expect(selects({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels)).toBe(false);
  });
});

describe.each(CASES)(
  'templates/kube-prometheus-stack/values.yaml selects the objects of $name',
  ({ root }) => {
    it('Prometheus loads every PrometheusRule', async () => {
      const spec = (await values()).prometheus.prometheusSpec;
      const rules = (await objectsOf(root)).filter((o) => o.kind === 'PrometheusRule');
      expect(rules.length).toBeGreaterThan(0);
      // Otherwise the chart replaces an empty selector by its release label.
      expect(spec.ruleSelectorNilUsesHelmValues).toBe(false);
      for (const rule of rules) {
        expect(selects(spec.ruleSelector, rule.metadata.labels), rule.metadata.name).toBe(true);
        // {} selects every namespace; the rules live in the services' namespaces.
        expect(spec.ruleNamespaceSelector).toEqual({});
      }
    });

    it('the operator merges every AlertmanagerConfig, and OnNamespace keeps each alert in its namespace', async () => {
      const spec = (await values()).alertmanager.alertmanagerSpec;
      const objects = await objectsOf(root);
      const configs = objects.filter((o) => o.kind === 'AlertmanagerConfig');
      expect(configs.length).toBeGreaterThan(0);
      for (const config of configs)
        expect(selects(spec.alertmanagerConfigSelector, config.metadata.labels), config.metadata.name).toBe(
          true,
        );
      expect(spec.alertmanagerConfigNamespaceSelector).toEqual({});
      expect(spec.alertmanagerConfigMatcherStrategy).toEqual({ type: 'OnNamespace' });
      // OnNamespace adds namespace="<its namespace>" to the AlertmanagerConfig's routes: every alert
      // must carry the namespace of a namespace that holds an AlertmanagerConfig.
      const configNamespaces = new Set(configs.map((c) => c.metadata.namespace));
      for (const rule of objects.filter((o) => o.kind === 'PrometheusRule'))
        for (const group of rule.spec?.groups ?? [])
          for (const r of group.rules.filter((x) => x.alert !== undefined)) {
            expect(r.labels?.namespace, `${r.alert} in ${rule.metadata.name}`).toBe(rule.metadata.namespace);
            expect(configNamespaces.has(r.labels?.namespace ?? '')).toBe(true);
          }
    });

    it('the Grafana sidecar collects every dashboard ConfigMap into its folder', async () => {
      const sidecar = (await values()).grafana.sidecar.dashboards;
      const maps = (await objectsOf(root)).filter(
        (o) => o.kind === 'ConfigMap' && Object.keys(o.data ?? {}).some((k) => k.endsWith('.json')),
      );
      expect(maps.length).toBeGreaterThan(0);
      expect(sidecar.enabled).toBe(true);
      expect(sidecar.searchNamespace).toBe('ALL');
      // Without it the sidecar's directories are not folders and the annotation is lost.
      expect(sidecar.provider.foldersFromFilesStructure).toBe(true);
      for (const map of maps) {
        expect(map.metadata.labels?.[sidecar.label], map.metadata.name).toBe(sidecar.labelValue);
        const folder = map.metadata.annotations?.[sidecar.folderAnnotation];
        expect(folder, `${map.metadata.name} has no ${sidecar.folderAnnotation} annotation`).toBeTruthy();
        // A relative folder: the sidecar puts it below its dashboards directory.
        expect(folder?.startsWith('/')).toBe(false);
      }
    });
  },
);

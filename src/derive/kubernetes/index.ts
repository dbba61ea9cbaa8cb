/**
 * Kubernetes objects derived from the compiled artifacts: per environment, generated/kubernetes/<env>/
 * holds a PrometheusRule per service (the very rule groups of the rule file), the AlertmanagerConfig
 * converted from the environment's Alertmanager configuration, a ConfigMap per dashboard (and a
 * grafana-operator GrafanaDashboard when asked for), the deploy gate as an Argo Rollouts
 * AnalysisTemplate and Flagger MetricTemplates per service, and a kustomization.yaml listing them. Pure.
 */

import { notificationTemplates } from '../../compile/alertmanager/index.ts';
import type { BuiltDashboard } from '../../compile/grafana/index.ts';
import { type Artifacts, ruleSources, type ServiceArtifacts } from '../../compile/index.ts';
import {
  engineOf,
  type RuleFile,
  type RuleGroup,
  readsPrometheusRules,
  toEngineGroup,
} from '../../compile/prometheus/index.ts';
import { DEFAULT_RULE_SELECTOR_LABELS, dashboardFolder, KUBERNETES } from '../../conventions.ts';
import type { Document } from '../../emit/index.ts';
import type { ResolvedService } from '../../model/resolved.ts';
import type { Environment } from '../../model/service.ts';
import { toAlertmanagerConfigResource } from './alertmanager-config.ts';
import { toAnalysisTemplate, toMetricTemplates } from './rollout-analysis.ts';
import { dashboardJson, groupBytesTotal, packInOrder, yamlBytes } from './size.ts';
import { templateBodies } from './templates.ts';
import type { AlertmanagerConfigObject, ConfigMapObject, PrometheusRuleObject } from './types.ts';

export { secretOfFile } from '../../model/kubernetes.ts';
export { referencedSecrets, type SecretRef } from './alertmanager-config.ts';
export {
  ROLLOUT_PROMETHEUS_ADDRESS,
  ROLLOUT_VERSION_LABEL,
  type RolloutCheck,
  rolloutChecks,
  THRESHOLD_ANNOTATION,
  toAnalysisTemplate,
  toMetricTemplates,
} from './rollout-analysis.ts';
export { inlineTemplates, templateBodies } from './templates.ts';
export type {
  AlertmanagerConfigObject,
  AnalysisTemplateObject,
  ConfigMapObject,
  MetricTemplateObject,
  PrometheusRuleObject,
} from './types.ts';

/** grafana-operator's dashboard resource (grafana.integreatly.org/v1beta1), the fields obsgen writes. */
export interface GrafanaDashboardResource {
  readonly apiVersion: 'grafana.integreatly.org/v1beta1';
  readonly kind: 'GrafanaDashboard';
  readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
  readonly spec: {
    readonly instanceSelector: { matchLabels: Record<string, string> };
    readonly allowCrossNamespaceImport?: boolean;
    readonly folder: string;
    readonly configMapRef: { name: string; key: string };
  };
}

/** The kustomization of an environment (kustomize.config.k8s.io/v1beta1). */
export interface Kustomization {
  readonly apiVersion: 'kustomize.config.k8s.io/v1beta1';
  readonly kind: 'Kustomization';
  readonly namespace?: string;
  readonly resources: readonly string[];
}

/** An environment's Kubernetes settings with their defaults. */
export interface KubernetesSettings {
  readonly ruleSelectorLabels: Readonly<Record<string, string>>;
  readonly dashboardFolder: string;
  readonly dashboardNamespace: string;
  readonly alertmanagerConfigLabels: Readonly<Record<string, string>>;
  readonly secretsDir: string;
  readonly grafanaOperator?: {
    readonly instanceSelector: Readonly<Record<string, string>>;
    readonly allowCrossNamespaceImport: boolean;
  };
}

export function kubernetesSettings(svc: ResolvedService, env: Environment): KubernetesSettings {
  const k = env.kubernetes ?? {};
  return {
    ruleSelectorLabels: env.ruleSelectorLabels ?? DEFAULT_RULE_SELECTOR_LABELS,
    dashboardFolder: k.dashboardFolder ?? dashboardFolder(svc.name, env.name),
    dashboardNamespace: k.dashboardNamespace ?? env.namespace,
    alertmanagerConfigLabels: k.alertmanagerConfigLabels ?? {},
    secretsDir: k.secretsDir ?? KUBERNETES.secretsDir,
    ...(k.grafanaOperator
      ? {
          grafanaOperator: {
            instanceSelector: k.grafanaOperator.instanceSelector,
            allowCrossNamespaceImport: k.grafanaOperator.allowCrossNamespaceImport ?? false,
          },
        }
      : {}),
  };
}

const sorted = (record: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Labels of every generated object, the given ones first in sorted order. */
const objectLabels = (labels: Readonly<Record<string, string>> = {}): Record<string, string> =>
  sorted({ ...labels, [KUBERNETES.managedByLabel]: KUBERNETES.managedBy });

/** A rule group's share of a PrometheusRule: its YAML under `groups:`. */
const groupBytes = (group: RuleGroup): number => yamlBytes({ groups: [group] });

/**
 * The PrometheusRule objects of a service: the groups of its rule file, in order, in as few
 * objects as keep each under `maxBytes` (KUBERNETES.maxPrometheusRuleBytes).
 */
export function toPrometheusRules(
  svc: ResolvedService,
  env: Environment,
  groups: readonly RuleGroup[],
  maxBytes: number = KUBERNETES.maxPrometheusRuleBytes,
  file?: RuleFile,
): PrometheusRuleObject[] {
  const settings = kubernetesSettings(svc, env);
  // A rule file whose groups together fit is one object: measured whole, with the text the
  // Prometheus target writes anyway, instead of group by group.
  const fits =
    file !== undefined && groups.length > 0 && file.groups === groups && groupBytesTotal(file) <= maxBytes;
  const parts = fits ? [groups] : packInOrder(groups, groupBytes, maxBytes);
  return parts.map((part, i) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: KUBERNETES.prometheusRuleName(svc.name, i + 1, parts.length),
      namespace: env.namespace,
      labels: objectLabels(settings.ruleSelectorLabels),
    },
    // The very group objects of the Prometheus target, so the rule file and the objects cannot drift.
    spec: { groups: part },
  }));
}

/** The ConfigMap the Grafana sidecar turns into a dashboard file in the folder of the annotations. */
export function toDashboardConfigMap(built: BuiltDashboard, settings: KubernetesSettings): ConfigMapObject {
  const uid = built.plan.uid;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: KUBERNETES.dashboardConfigMapName(uid),
      namespace: settings.dashboardNamespace,
      labels: objectLabels({ [KUBERNETES.dashboardLabel.key]: KUBERNETES.dashboardLabel.value }),
      annotations: Object.fromEntries(KUBERNETES.folderAnnotations.map((a) => [a, settings.dashboardFolder])),
    },
    data: printedOnRead(KUBERNETES.dashboardKey(uid), () => dashboardJson(built.dashboard)),
  };
}

/**
 * `{ [key]: text }` whose text is printed when first read. Printing is the render stage's work: the
 * dashboard's JSON is printed once, by whichever reads it first (render or the size check), and
 * shared with generated/grafana's file (toJson keeps it), so deriving the object prints nothing.
 */
const printedOnRead = (key: string, print: () => string): Record<string, string> =>
  Object.defineProperty({}, key, { get: print, enumerable: true });

/** A GrafanaDashboard reading the dashboard from its ConfigMap, so the JSON is stored once. */
export function toGrafanaDashboard(
  built: BuiltDashboard,
  settings: KubernetesSettings,
): GrafanaDashboardResource | undefined {
  const operator = settings.grafanaOperator;
  if (!operator) return undefined;
  const uid = built.plan.uid;
  return {
    apiVersion: 'grafana.integreatly.org/v1beta1',
    kind: 'GrafanaDashboard',
    metadata: { name: uid, namespace: settings.dashboardNamespace, labels: objectLabels() },
    spec: {
      instanceSelector: { matchLabels: sorted(operator.instanceSelector) },
      ...(operator.allowCrossNamespaceImport ? { allowCrossNamespaceImport: true } : {}),
      folder: settings.dashboardFolder,
      configMapRef: { name: KUBERNETES.dashboardConfigMapName(uid), key: KUBERNETES.dashboardKey(uid) },
    },
  };
}

/** One object of an environment and the definition files it comes from. */
interface Manifest {
  readonly object: {
    readonly kind: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
  };
  readonly sources: readonly string[];
}

/** The AlertmanagerConfig of an environment, once per namespace its services run in. */
function alertmanagerManifests(
  artifacts: Pick<Artifacts, 'project' | 'alertmanager'>,
  envName: string,
  namespaces: readonly string[],
): Manifest[] {
  const found = artifacts.alertmanager.find((a) => a.env.name === envName);
  if (!found) return [];
  const svc = artifacts.project.services.find((s) => s.environments.some((e) => e.name === envName));
  if (!svc) return [];
  const settings = kubernetesSettings(svc, found.env);
  const templates = templateBodies(notificationTemplates());
  const sources = [artifacts.project.routingFiles?.[envName] ?? svc.file];
  return namespaces.map(
    (namespace): Manifest => ({
      object: toAlertmanagerConfigResource(found.config, {
        name: KUBERNETES.alertmanagerConfigName,
        namespace,
        labels: objectLabels(settings.alertmanagerConfigLabels),
        secretsDir: settings.secretsDir,
        templates,
      }) satisfies AlertmanagerConfigObject,
      sources,
    }),
  );
}

/** The PrometheusRules and dashboard objects of a service in an environment, from its artifacts. */
function serviceManifests({ svc, env, rules, dashboards }: ServiceArtifacts): Manifest[] {
  const settings = kubernetesSettings(svc, env);
  // The defining file first: size diagnostics name it.
  const sources = ruleSources(svc);
  // Only for the engines that read PrometheusRule objects, with the groups as that engine loads
  // them; Prometheus's are the rule file's own, measured whole when they fit one object.
  const engine = engineOf(env);
  const ruleObjects = readsPrometheusRules(engine)
    ? (engine === 'prometheus'
        ? toPrometheusRules(svc, env, rules.groups, KUBERNETES.maxPrometheusRuleBytes, rules)
        : toPrometheusRules(
            svc,
            env,
            rules.groups.map((g) => toEngineGroup(g, env)),
          )
      ).map((object) => ({ object, sources }))
    : [];
  const dashboardObjects = dashboards.flatMap((built) => {
    const operator = toGrafanaDashboard(built, settings);
    const dashboardSources = [...new Set([built.plan.source, svc.file])];
    return [
      { object: toDashboardConfigMap(built, settings), sources: dashboardSources },
      ...(operator ? [{ object: operator, sources: dashboardSources }] : []),
    ];
  });
  // The deploy gate's decisions for rollout controllers, from the same SLOs as the rules.
  const analysisObjects = [
    toAnalysisTemplate(svc, env, objectLabels()),
    ...toMetricTemplates(svc, env, objectLabels()),
  ].map((object) => ({ object, sources }));
  return [...ruleObjects, ...dashboardObjects, ...analysisObjects];
}

/**
 * `<kind>-<namespace>-<name>.yaml`, always with the namespace: a name unique per object that never
 * depends on which other services share the environment, so adding one renames nothing.
 */
const fileName = (m: Manifest): string =>
  `${m.object.kind.toLowerCase()}-${m.object.metadata?.namespace}-${m.object.metadata?.name}.yaml`;

/**
 * A service's share of an environment's kustomization: the file names of its objects, their
 * namespaces and the definition files they come from (kept by incremental `generate`, so the
 * kustomization can be rebuilt without compiling the service again).
 */
export interface KustomizationEntry {
  readonly file: string;
  readonly namespace: string;
  readonly sources: readonly string[];
}

/** The Kubernetes documents of one service in one environment, and its kustomization entries. */
export function serviceKubernetesDocuments(a: ServiceArtifacts): {
  readonly documents: Document[];
  readonly entries: KustomizationEntry[];
} {
  const dir = KUBERNETES.dir(a.env.name);
  const manifests = serviceManifests(a).map((m) => ({ m, file: fileName(m) }));
  return {
    documents: manifests.map(
      ({ m, file }): Document => ({
        path: `${dir}/${file}`,
        format: 'yaml',
        value: m.object,
        sources: m.sources,
      }),
    ),
    entries: manifests.map(({ m, file }) => ({
      file,
      namespace: m.object.metadata?.namespace ?? '',
      sources: m.sources,
    })),
  };
}

/**
 * The documents of an environment that span its services: the AlertmanagerConfig once per
 * namespace the services run in, and the kustomization listing every object (the services' objects
 * given by their kustomization entries).
 */
export function environmentKubernetesDocuments(
  artifacts: Pick<Artifacts, 'project' | 'alertmanager'>,
  envName: string,
  namespaces: readonly string[],
  entries: readonly KustomizationEntry[],
): Document[] {
  const dir = KUBERNETES.dir(envName);
  const shared = alertmanagerManifests(artifacts, envName, namespaces).map((m) => ({
    file: fileName(m),
    namespace: m.object.metadata?.namespace ?? '',
    sources: m.sources,
    object: m.object,
  }));
  const all = [...entries, ...shared];
  const objectNamespaces = [...new Set(all.map((e) => e.namespace))];
  const files = all.map((e) => e.file).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    // One namespace for everything: say it once, so `kubectl apply -k` cannot put an object elsewhere.
    ...(objectNamespaces.length === 1 && objectNamespaces[0] ? { namespace: objectNamespaces[0] } : {}),
    resources: files,
  };
  return [
    ...shared.map(
      (e): Document => ({ path: `${dir}/${e.file}`, format: 'yaml', value: e.object, sources: e.sources }),
    ),
    {
      path: `${dir}/kustomization.yaml`,
      format: 'yaml',
      value: kustomization,
      sources: [...new Set(all.flatMap((e) => e.sources))].sort(),
    },
  ];
}

/** Namespaces of the services of each environment, by environment name (sorted). */
export function environmentNamespaces(
  services: readonly { readonly env: Environment }[],
): Map<string, string[]> {
  const byEnv = new Map<string, Set<string>>();
  for (const a of services) byEnv.set(a.env.name, (byEnv.get(a.env.name) ?? new Set()).add(a.env.namespace));
  return new Map([...byEnv].sort(([a], [b]) => (a < b ? -1 : 1)).map(([env, set]) => [env, [...set].sort()]));
}

/** Every document of generated/kubernetes/, per environment name. */
export function toKubernetesDocuments(artifacts: Artifacts): Document[] {
  const perService = artifacts.services.map((a) => ({ env: a.env.name, ...serviceKubernetesDocuments(a) }));
  return [...environmentNamespaces(artifacts.services)].flatMap(([envName, namespaces]) => {
    const own = perService.filter((s) => s.env === envName);
    const shared = environmentKubernetesDocuments(
      artifacts,
      envName,
      namespaces,
      own.flatMap((s) => s.entries),
    );
    // The objects by file name, the kustomization (the last shared document) after them.
    const objects = [...own.flatMap((s) => s.documents), ...shared.slice(0, -1)].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
    return [...objects, ...shared.slice(-1)];
  });
}

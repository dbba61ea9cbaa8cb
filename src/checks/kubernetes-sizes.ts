/**
 * Every Kubernetes object fits where it is stored: a dashboard ConfigMap within the API server's
 * 1 MiB of data, a PrometheusRule within the budget the operator can copy into its rule
 * ConfigMaps. The compiler splits rules by group; one group or one dashboard too large to fit
 * anywhere is reported here, naming the definition file it comes from.
 */

import { KUBERNETES } from '../conventions.ts';
import { bytes, groupsYamlBytes } from '../derive/kubernetes/size.ts';
import type { Document } from '../emit/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

interface KubeObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly groups?: readonly { readonly name: string }[] };
  readonly data?: Readonly<Record<string, string>>;
}

/** Objects of generated/kubernetes/ over their size budget. */
export function lintKubernetesSizes(
  documents: readonly Document[],
  limits: { readonly configMapBytes: number; readonly prometheusRuleBytes: number } = {
    configMapBytes: KUBERNETES.maxConfigMapDataBytes,
    prometheusRuleBytes: KUBERNETES.maxPrometheusRuleBytes,
  },
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const doc of documents) {
    const env = /^kubernetes\/([^/]+)\//.exec(doc.path)?.[1];
    if (env === undefined || doc.format !== 'yaml') continue;
    const object = doc.value as KubeObject;
    const file = doc.sources[0] ?? doc.path;
    if (object.kind === 'PrometheusRule') {
      const groups = object.spec?.groups ?? [];
      const size = groupsYamlBytes(groups);
      if (size > limits.prometheusRuleBytes)
        diagnostics.push({
          code: 'kubernetes/rule-group-too-large',
          severity: 'error',
          file,
          path: [env, 'groups', ...groups.map((g) => g.name)],
          message: `rule group ${groups.map((g) => g.name).join(', ')} is ${kib(size)} as YAML; one PrometheusRule holds at most ${kib(limits.prometheusRuleBytes)} (the Prometheus operator copies each into rule ConfigMaps of at most 512 KiB), and a group cannot be split`,
          hint: 'make the group smaller: fewer SLOs or alerts in it, shorter annotations',
        });
    }
    if (object.kind === 'ConfigMap') {
      const size = Object.values(object.data ?? {}).reduce((n, value) => n + bytes(value), 0);
      if (size > limits.configMapBytes)
        diagnostics.push({
          code: 'kubernetes/dashboard-too-large',
          severity: 'error',
          file,
          path: [env, 'dashboards', ...Object.keys(object.data ?? {})],
          message: `dashboard ConfigMap ${object.metadata?.name} holds ${kib(size)} of JSON; the API server refuses a ConfigMap over ${kib(limits.configMapBytes)}, and one dashboard cannot be split`,
          hint: 'split the dashboard definition into smaller dashboards (fewer rows or panels)',
        });
    }
  }
  return diagnostics;
}

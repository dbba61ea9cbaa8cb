/**
 * What the Kubernetes manifests need of an environment beyond what the other targets check:
 * names and labels the API server accepts, receiver secrets that map to Secret keys, time
 * intervals an AlertmanagerConfig can express. Diagnostics name the file defining the environment
 * (or its routing) and the field.
 */
import { z } from 'zod';
import { KUBERNETES } from '../conventions.ts';
import type { LoadedExport } from '../load/loaded.ts';
import { type Diagnostic, type Path, type Report, reporter, reportIssues } from '../model/diagnostic.ts';
import { type GrafanaOperatorSpec, type KubernetesSpec, secretOfFile } from '../model/kubernetes.ts';
import type { ResolvedService } from '../model/resolved.ts';
import type { AlertRouting, ReceiverSpec } from '../model/routing.ts';
import type { Environment } from '../model/service.ts';
import { originOf } from './routing.ts';
import { shapeOf } from './shape.ts';

const labels = z.record(z.string(), z.string());
const shape = shapeOf<KubernetesSpec>()(
  z.strictObject({
    dashboardFolder: z.string().optional(),
    dashboardNamespace: z.string().optional(),
    grafanaOperator: shapeOf<GrafanaOperatorSpec>()(
      z.strictObject({ instanceSelector: labels, allowCrossNamespaceImport: z.boolean().optional() }),
    ).optional(),
    alertmanagerConfigLabels: labels.optional(),
    secretsDir: z.string().optional(),
  }),
);

/** The schema of an environment's Kubernetes settings, bound to `KubernetesSpec` (see shape.ts). */
export const kubernetesSchema = shape;

/** RFC 1123 label: namespaces. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: Secret names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Label and annotation name (after an optional DNS subdomain prefix and `/`). */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export function checkNamespace(report: Report, path: Path, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value))
    report(
      'kubernetes/namespace',
      path,
      `namespace ${JSON.stringify(value)} is not a Kubernetes namespace name`,
      'use at most 63 characters of a-z, 0-9 and inner dashes',
    );
}

function checkLabelKey(report: Report, path: Path, key: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > 63 || !QUALIFIED_NAME.test(name))
    report(
      'kubernetes/label-key',
      path,
      `${JSON.stringify(key)} is not a Kubernetes label key`,
      'an optional DNS prefix and /, then at most 63 characters of letters, digits, -, _ and . between alphanumerics',
    );
}

function checkKubernetesLabels(
  report: Report,
  path: Path,
  record: Readonly<Record<string, string>> | undefined,
): void {
  for (const [key, value] of Object.entries(record ?? {})) {
    checkLabelKey(report, [...path, key], key);
    if (value.length > 63 || !LABEL_VALUE.test(value))
      report(
        'kubernetes/label-value',
        [...path, key],
        `${JSON.stringify(value)} is not a Kubernetes label value`,
        'at most 63 characters of letters, digits, -, _ and . between alphanumerics',
      );
  }
}

function checkFolder(report: Report, path: Path, folder: string): void {
  if (
    folder.trim() === '' ||
    folder.includes('/') ||
    folder === '.' ||
    folder === '..' ||
    folder.length > 255
  )
    report(
      'kubernetes/dashboard-folder',
      path,
      `dashboard folder ${JSON.stringify(folder)} cannot name a Grafana folder directory`,
      'one folder name: no slash, not empty, at most 255 characters',
    );
}

/** Every secret file of a routing, with its field path. */
function secretFiles(routing: AlertRouting): { path: Path; file: string }[] {
  const found: { path: Path; file: string }[] = [];
  for (const [name, receiver] of Object.entries(routing.receivers)) {
    const r = receiver as ReceiverSpec & Record<string, unknown>;
    for (const [key, value] of Object.entries(r))
      if (key.endsWith('File') && typeof value === 'string')
        found.push({ path: ['receivers', name, key], file: value });
  }
  if (routing.smtp?.authPasswordFile)
    found.push({ path: ['smtp', 'authPasswordFile'], file: routing.smtp.authPasswordFile });
  return found;
}

function checkRoutingForKubernetes(
  report: Report,
  path: Path,
  routing: AlertRouting,
  secretsDir: string,
): void {
  for (const { path: at, file } of secretFiles(routing)) {
    const ref = secretOfFile(file, secretsDir);
    if (!ref) {
      report(
        'kubernetes/secret-file',
        [...path, ...at],
        `${JSON.stringify(file)} is not a key of a mounted Secret (${secretsDir}/<secret>/<key>), so the AlertmanagerConfig cannot refer to it`,
        `put the secret in a Secret and give ${secretsDir}/<secret name>/<key>, or set kubernetes.secretsDir`,
      );
      continue;
    }
    if (ref.name.length > 253 || !DNS_SUBDOMAIN.test(ref.name))
      report(
        'kubernetes/secret-name',
        [...path, ...at],
        `${JSON.stringify(ref.name)} in ${JSON.stringify(file)} is not a Kubernetes Secret name`,
        'use lower-case a-z, 0-9, - and . for the directory named after the Secret',
      );
    if (!SECRET_KEY.test(ref.key))
      report(
        'kubernetes/secret-key',
        [...path, ...at],
        `${JSON.stringify(ref.key)} in ${JSON.stringify(file)} is not a Secret key`,
        'use letters, digits, -, _ and . for the file named after the key',
      );
  }
  const zone = routing.timeZone ?? 'UTC';
  if (zone !== 'UTC')
    report(
      'kubernetes/time-zone',
      [...path, 'timeZone'],
      `time zone ${JSON.stringify(zone)}: AlertmanagerConfig time intervals have no location and are evaluated in UTC`,
      "set timeZone: 'UTC' and write the time intervals in UTC",
    );
}

/** Kubernetes checks of every environment (each environment and routing object once). */
export function validateKubernetes(
  services: readonly ResolvedService[],
  exports: readonly LoadedExport[],
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<unknown>();
  for (const svc of services)
    for (const env of svc.environments) {
      if (seen.has(env)) continue;
      seen.add(env);
      const own = exports.find((e) => e.value === env);
      const file = own?.file ?? svc.file;
      const path: Path = own ? [own.exportName] : ['environments', env.name];
      const report = reporter(file, diagnostics);
      checkNamespace(report, [...path, 'namespace'], env.namespace);
      checkKubernetesLabels(report, [...path, 'ruleSelectorLabels'], env.ruleSelectorLabels);
      const parsed = shape.safeParse(env.kubernetes ?? {});
      if (!parsed.success) {
        reportIssues(report, parsed.error.issues, { at: [...path, 'kubernetes'] });
        continue;
      }
      const k = parsed.data;
      const at: Path = [...path, 'kubernetes'];
      if (k.dashboardFolder !== undefined) checkFolder(report, [...at, 'dashboardFolder'], k.dashboardFolder);
      if (k.dashboardNamespace !== undefined)
        checkNamespace(report, [...at, 'dashboardNamespace'], k.dashboardNamespace);
      checkKubernetesLabels(report, [...at, 'alertmanagerConfigLabels'], k.alertmanagerConfigLabels);
      checkKubernetesLabels(
        report,
        [...at, 'grafanaOperator', 'instanceSelector'],
        k.grafanaOperator?.instanceSelector,
      );
      const secretsDirOk = k.secretsDir === undefined || k.secretsDir.startsWith('/');
      if (!secretsDirOk)
        report(
          'kubernetes/secrets-dir',
          [...at, 'secretsDir'],
          `${JSON.stringify(k.secretsDir)} is not an absolute path`,
          'give the directory Alertmanager mounts Secrets under, such as /etc/alertmanager/secrets',
        );
      if (env.alerting && !seen.has(env.alerting)) {
        seen.add(env.alerting);
        const origin = originOf(env.alerting, env as Environment, svc, exports);
        checkRoutingForKubernetes(
          reporter(origin.file, diagnostics),
          origin.path,
          env.alerting,
          // An invalid directory is reported above; the files are checked against the default.
          (secretsDirOk ? k.secretsDir : undefined) ?? KUBERNETES.secretsDir,
        );
      }
    }
  return diagnostics;
}

/**
 * Offline checks of generated Kubernetes objects: ajv against the CRD schemas copied into
 * test/schemas/kubernetes (and core v1 ConfigMap's fields), metadata the API server would refuse, and the route tree converted back into a plain Alertmanager configuration.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { ROOT, tool } from './tools.ts';

const SCHEMAS = join(ROOT, 'test', 'schemas', 'kubernetes');
const CRDS = [
  'monitoring.coreos.com_prometheusrules.yaml',
  'monitoring.coreos.com_alertmanagerconfigs.yaml',
  'grafana.integreatly.org_grafanadashboards.yaml',
  'argoproj.io_analysistemplates.yaml',
  'flagger.app_crds.yaml',
];

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

/** CRD patterns are Go (RE2) expressions: `(?i)` (here only at the start) is JavaScript's `i` flag. */
const goRegExp = Object.assign(
  (pattern: string, flags: string): RegExp =>
    pattern.includes('(?i)')
      ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: 'goRegExp' },
);

/**
 * core v1 ConfigMap as the API server's OpenAPI document describes it (io.k8s.api.core.v1.ConfigMap):
 * string values only, no field it does not know (the server prunes unknown fields in strict mode).
 */
const CONFIG_MAP_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'ConfigMap' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    data: { type: 'object', additionalProperties: { type: 'string' } },
    binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    immutable: { type: 'boolean' },
  },
};

/** ajv validators of the CRDs' served versions (and core v1 ConfigMap), by `apiVersion/kind`. */
export function crdValidators(): Map<string, ValidateFunction> {
  // CRD schemas are OpenAPI v3 with Kubernetes' own x-kubernetes-* keywords: not strict.
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  const validators = new Map<string, ValidateFunction>();
  for (const file of CRDS) {
    // YAML 1.2 (the package's default): the AlertmanagerConfig CRD has unquoted `=` enum values.
    // Flagger ships every CRD in one multi-document file.
    for (const doc of YAML.parseAllDocuments(readFileSync(join(SCHEMAS, file), 'utf8'))) {
      const crd = doc.toJS() as {
        spec: {
          group: string;
          names: { kind: string };
          versions: { name: string; served: boolean; schema: { openAPIV3Schema: object } }[];
        };
      };
      for (const version of crd.spec.versions.filter((v) => v.served))
        validators.set(
          `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`,
          ajv.compile(version.schema.openAPIV3Schema),
        );
    }
  }
  validators.set('v1/ConfigMap', ajv.compile(CONFIG_MAP_SCHEMA));
  return validators;
}

/** Problems of one object against its schema (empty when valid). */
export function crdProblems(validators: Map<string, ValidateFunction>, object: KubeObject): string[] {
  const validate = validators.get(`${object.apiVersion}/${object.kind}`);
  if (!validate) return [`no CRD schema for ${object.apiVersion}/${object.kind}`];
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const keyOk = (key: string): boolean => {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  return (slash < 0 || DNS_SUBDOMAIN.test(prefix)) && name.length <= 63 && QUALIFIED.test(name);
};

/** What the API server's metadata validation would refuse (names, namespace, labels, annotations). */
export function metadataProblems(object: KubeObject): string[] {
  const m = object.metadata;
  const problems: string[] = [];
  if (m.name.length > 253 || !DNS_SUBDOMAIN.test(m.name)) problems.push(`name ${m.name}`);
  if (m.namespace === undefined || m.namespace.length > 63 || !DNS_LABEL.test(m.namespace))
    problems.push(`namespace ${m.namespace}`);
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (!keyOk(k)) problems.push(`label key ${k}`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`label ${k}=${v}`);
  }
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(m.annotations ?? {})) {
    if (!keyOk(k)) problems.push(`annotation key ${k}`);
    if (typeof v !== 'string') problems.push(`annotation ${k} is not a string`);
    annotationBytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (annotationBytes > 256 * 1024) problems.push('annotations over 256 KiB');
  return problems;
}

/** Writes a rendered tree into `dir`. */
export async function writeRendered(dir: string, tree: ReadonlyMap<string, string>): Promise<void> {
  for (const [path, text] of tree) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** Parses YAML as Go's YAML 1.1 readers do (`y`, `on`, `no` would be booleans if unquoted). */
export const parse11 = (text: string): unknown => YAML.parse(text, { version: '1.1' });

/** `kubectl kustomize dir`: exit code, stderr and the printed objects, parsed as YAML 1.1. */
export async function kustomize(
  dir: string,
): Promise<{ code: number; stderr: string; objects: KubeObject[] }> {
  const result = await tool('kubectl', ['kustomize', dir]);
  const objects =
    result.code === 0
      ? YAML.parseAllDocuments(result.stdout, { version: '1.1' }).map((d) => d.toJS() as KubeObject)
      : [];
  return { code: result.code, stderr: result.stderr, objects };
}

export const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

type Route = Record<string, unknown> & { routes?: Route[] };
type Matcher = { name: string; value?: string; matchType?: string };

const quoteValue = (v: string): string =>
  `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
const matcherText = (m: Matcher): string => `${m.name}${m.matchType ?? '='}${quoteValue(m.value ?? '')}`;

/** An AlertmanagerConfig route in alertmanager.yaml's fields, receiver names passed through `rename`. */
function plainRoute(route: Route, rename: (name: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { receiver: rename(String(route.receiver)) };
  if (route.matchers) out.matchers = (route.matchers as Matcher[]).map(matcherText);
  if (route.groupBy) out.group_by = route.groupBy;
  if (route.groupWait) out.group_wait = route.groupWait;
  if (route.groupInterval) out.group_interval = route.groupInterval;
  if (route.repeatInterval) out.repeat_interval = route.repeatInterval;
  if (route.continue) out.continue = true;
  if (route.muteTimeIntervals) out.mute_time_intervals = (route.muteTimeIntervals as string[]).map(rename);
  if (route.activeTimeIntervals)
    out.active_time_intervals = (route.activeTimeIntervals as string[]).map(rename);
  if (route.routes) out.routes = route.routes.map((r) => plainRoute(r, rename));
  return out;
}

type SecretRef = { name: string; key: string };
const keyValues = (list: { key: string; value: string }[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, kv.value]));

/**
 * The AlertmanagerConfig's spec as a plain Alertmanager configuration, the way the operator
 * merges it: `strategy: 'None'` takes the tree as it is; `'OnNamespace'` (the operator's default)
 * hangs it under a root that sends everything else to `null`, adds a `namespace` matcher to its
 * top route and to both sides of every inhibit rule, forces `continue` on the top route and
 * prefixes receiver and time interval names with `<namespace>/<name>/`. Secret references become
 * the files `<secretsDir>/<secret>/<key>`, as the operator's Alertmanager mounts `spec.secrets`.
 */
export function plainAlertmanagerConfig(
  resource: KubeObject,
  strategy: 'None' | 'OnNamespace',
  secretsDir = '/etc/alertmanager/secrets',
): Record<string, unknown> {
  const spec = resource.spec as {
    route: Route;
    receivers: Record<string, unknown>[];
    inhibitRules?: { sourceMatch: Matcher[]; targetMatch: Matcher[]; equal: string[] }[];
    muteTimeIntervals?: { name: string; timeIntervals: Record<string, unknown>[] }[];
  };
  const ns = resource.metadata.namespace ?? '';
  const prefix = strategy === 'None' ? '' : `${ns}/${resource.metadata.name}/`;
  const rename = (name: string): string => `${prefix}${name}`;
  const file = (ref: SecretRef): string => `${secretsDir}/${ref.name}/${ref.key}`;
  const nsMatcher: Matcher = { name: 'namespace', value: ns, matchType: '=' };
  const global: Record<string, unknown> = {};
  const receivers = spec.receivers.map((r) => {
    const out: Record<string, unknown> = { name: rename(String(r.name)) };
    const slack = r.slackConfigs as Record<string, unknown>[] | undefined;
    if (slack)
      out.slack_configs = slack.map((c) => ({
        api_url_file: file(c.apiURL as SecretRef),
        channel: c.channel,
        send_resolved: c.sendResolved,
        title: c.title,
        text: c.text,
        color: c.color,
      }));
    const pd = r.pagerdutyConfigs as Record<string, unknown>[] | undefined;
    if (pd)
      out.pagerduty_configs = pd.map((c) => ({
        routing_key_file: file(c.routingKey as SecretRef),
        send_resolved: c.sendResolved,
        description: c.description,
        details: keyValues(c.details as never),
      }));
    const email = r.emailConfigs as Record<string, unknown>[] | undefined;
    if (email)
      out.email_configs = email.map((c) => {
        // SMTP settings are global in alertmanager.yaml.
        Object.assign(global, {
          smtp_smarthost: c.smarthost,
          smtp_from: c.from,
          // A server without login has neither.
          ...(c.authUsername ? { smtp_auth_username: c.authUsername } : {}),
          ...(c.authPassword ? { smtp_auth_password_file: file(c.authPassword as SecretRef) } : {}),
          smtp_require_tls: c.requireTLS,
        });
        return {
          to: c.to,
          send_resolved: c.sendResolved,
          headers: keyValues(c.headers as never),
          html: c.html,
        };
      });
    const hooks = r.webhookConfigs as Record<string, unknown>[] | undefined;
    if (hooks)
      out.webhook_configs = hooks.map((c) => {
        const auth = (
          c.httpConfig as { authorization?: { type: string; credentials: SecretRef } } | undefined
        )?.authorization;
        return {
          url: c.url,
          send_resolved: c.sendResolved,
          ...(auth
            ? {
                http_config: { authorization: { type: auth.type, credentials_file: file(auth.credentials) } },
              }
            : {}),
        };
      });
    return out;
  });
  const top = plainRoute(spec.route, rename);
  const inhibit = (spec.inhibitRules ?? []).map((rule) => ({
    source_matchers: [...rule.sourceMatch, ...(strategy === 'None' ? [] : [nsMatcher])].map(matcherText),
    target_matchers: [...rule.targetMatch, ...(strategy === 'None' ? [] : [nsMatcher])].map(matcherText),
    equal: rule.equal,
  }));
  const intervals = (spec.muteTimeIntervals ?? []).map((i) => ({
    name: rename(i.name),
    time_intervals: i.timeIntervals.map((t) => {
      const out: Record<string, unknown> = {};
      if (t.weekdays) out.weekdays = t.weekdays;
      if (t.times)
        out.times = (t.times as { startTime: string; endTime: string }[]).map((x) => ({
          start_time: x.startTime,
          end_time: x.endTime,
        }));
      if (t.daysOfMonth)
        out.days_of_month = (t.daysOfMonth as { start: number; end: number }[]).map((d) =>
          d.start === d.end ? `${d.start}` : `${d.start}:${d.end}`,
        );
      if (t.months) out.months = t.months;
      out.location = 'UTC';
      return out;
    }),
  }));
  const route =
    strategy === 'None'
      ? top
      : {
          receiver: 'null',
          routes: [
            {
              ...top,
              matchers: [...((top.matchers as string[] | undefined) ?? []), matcherText(nsMatcher)],
              continue: true,
            },
          ],
        };
  return {
    global,
    route,
    inhibit_rules: inhibit,
    receivers: strategy === 'None' ? receivers : [{ name: 'null' }, ...receivers],
    ...(intervals.length > 0 ? { time_intervals: intervals } : {}),
  };
}

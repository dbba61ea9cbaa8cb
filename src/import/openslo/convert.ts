/**
 * A set of OpenSLO objects (every file read together) into the authoring model: the same
 * defineService / defineSlo values TypeScript definitions produce, so validation and every compiler
 * are reused unchanged.
 *
 * Names are unique per kind across the set; references (indicatorRef, alertPolicyRef,
 * conditionRef, targetRef, and metricSourceRef when the type is not given inline) must resolve in
 * it. SLOs are grouped into services by `spec.service`; a Service object of that name is optional
 * and adds the description and the obsgen annotations. OpenSLO has no environments: every imported
 * service gets the environments it is given.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DEFAULT_EVALUATION_INTERVAL, DEFAULT_SCRAPE_INTERVAL, OPENSLO } from '../../conventions.ts';
import type { Diagnostic, Path } from '../../model/diagnostic.ts';
import { defineMetrics, type MetricContract, type MetricSpec } from '../../model/metrics.ts';
import { defineService, type Environment } from '../../model/service.ts';
import { defineSlo, type Slo, type SloAlerting } from '../../model/slo.ts';
import {
  type Duration,
  div,
  formatSeconds,
  parseDurationMs,
  rational,
  rationalOf,
  sub,
  toNumber,
} from '../../model/units.ts';
import { baseWindow, burnWindowPairs } from '../../model/windows.ts';
import { type LoadedService, validateService } from '../../validate/service.ts';
import { type AttachedPolicy, mapAlerting, shorthandSeconds } from './alerts.ts';
import {
  type Indicator,
  placeholdersOf,
  type SliProblem,
  type Source,
  sliFromIndicator,
} from './indicator.ts';
import { type OpenSloObject, type V1alphaObject, type V1Object, validateObject } from './objects.ts';
import { metricsRead as metricsReadOf, parsePromql } from './promql.ts';
import { objectPath, type RawObject } from './read.ts';
import type { MetricSourceV1alpha, MetricSpecV1, SliSpecV1 } from './schema.ts';

export interface ImportOptions {
  /** Environments every imported service is generated for. */
  readonly environments: readonly Environment[];
}

export interface ImportResult {
  /** Services that converted and validated; ready for validateProject. */
  readonly services: LoadedService[];
  readonly diagnostics: Diagnostic[];
  /** Valid objects read, by kind. */
  readonly objects: Readonly<Record<string, number>>;
}

type Report = (file: string, path: Path, code: string, message: string, hint?: string) => void;

interface ServiceContext {
  readonly name: string;
  readonly object?: OpenSloObject;
  readonly team: string;
  readonly description: string;
  readonly contract?: MetricContract;
  readonly scrapeInterval?: Duration;
  readonly evaluationInterval?: Duration;
}

interface SloOrigin {
  readonly file: string;
  readonly at: string;
  readonly objective: number;
  readonly indicator: Path;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SERVICE_ANNOTATIONS = new Set<string>([
  OPENSLO.annotation.team,
  OPENSLO.annotation.metrics,
  OPENSLO.annotation.scrapeInterval,
  OPENSLO.annotation.evaluationInterval,
]);
const SLO_ANNOTATIONS = new Set<string>([
  OPENSLO.annotation.groupBy,
  OPENSLO.annotation.rawSli,
  OPENSLO.annotation.noData,
  OPENSLO.annotation.alertLabels,
  OPENSLO.annotation.alertAnnotations,
  OPENSLO.annotation.runbookUrl,
]);

const contractSchema = z.record(
  z.string(),
  z.strictObject({
    type: z.enum(['counter', 'gauge', 'histogram', 'summary']),
    labels: z.array(z.string()),
    help: z.string(),
    buckets: z.array(z.number()).optional(),
    unit: z.string().optional(),
    constLabels: z.record(z.string(), z.string()).optional(),
    values: z.record(z.string(), z.array(z.string())).optional(),
  }),
);
const stringRecord = z.record(z.string(), z.string());

const key = (kind: string, name: string): string => `${kind}/${name}`;

/** Converts every object read together; see the module comment. */
export function importObjects(raws: readonly RawObject[], options: ImportOptions): ImportResult {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (file, path, code, message, hint) =>
    diagnostics.push({ code, severity: 'error', file, path, message, ...(hint ? { hint } : {}) });

  const objects: OpenSloObject[] = [];
  for (const raw of raws) {
    const result = validateObject(raw);
    diagnostics.push(...result.diagnostics);
    if (result.object) objects.push(result.object);
  }

  // An identical copy (the same Service repeated in each file) is read once; a differing one is
  // an error and is not read further.
  const registry = new Map<string, OpenSloObject>();
  const copies = new Set<OpenSloObject>();
  for (const object of objects) {
    const k = key(object.kind, object.metadata.name);
    const first = registry.get(k);
    if (!first) registry.set(k, object);
    else if (
      isDeepStrictEqual(
        { apiVersion: first.apiVersion, metadata: first.metadata, spec: first.spec },
        { apiVersion: object.apiVersion, metadata: object.metadata, spec: object.spec },
      )
    )
      copies.add(object);
    else {
      copies.add(object);
      report(
        object.file,
        [objectPath(object.index), 'metadata', 'name'],
        'openslo/duplicate',
        `${object.kind} ${JSON.stringify(object.metadata.name)} is also defined, differently, in ${first.file} (${objectPath(first.index)})`,
        'names are unique per kind across the files read together; rename one or remove the copy',
      );
    }
  }
  objects.splice(0, objects.length, ...objects.filter((o) => !copies.has(o)));
  const lookup = <K extends OpenSloObject['kind']>(kind: K, name: string) =>
    registry.get(key(kind, name)) as Extract<OpenSloObject, { kind: K }> | undefined;

  const unresolved = (file: string, path: Path, kind: string, name: string) =>
    report(
      file,
      path,
      'openslo/unresolved-reference',
      `${kind} ${JSON.stringify(name)} is referenced but defined in none of the files read`,
      `add the ${kind} object, or pass the file that defines it`,
    );

  // Top-level alert policies: their references must resolve even when no SLO uses them.
  for (const object of objects) {
    if (object.apiVersion !== 'openslo/v1' || object.kind !== 'AlertPolicy') continue;
    resolvePolicyParts(object.spec, object.file, [objectPath(object.index), 'spec'], lookup, unresolved);
  }

  // SLI objects: data source and syntax are checked once, whether or not an SLO uses them.
  const indicators = new Map<string, Indicator | undefined>();
  for (const object of objects) {
    if (object.apiVersion !== 'openslo/v1' || object.kind !== 'SLI') continue;
    indicators.set(
      object.metadata.name,
      indicatorV1(object.spec, object.file, [objectPath(object.index), 'spec'], lookup, report, options),
    );
  }

  const services = new Map<string, ServiceContext>();
  for (const object of objects) {
    if (object.kind !== 'Service') continue;
    services.set(object.metadata.name, serviceContext(object, report));
  }

  const slosByService = new Map<
    string,
    { slos: Slo[]; origins: Map<string, SloOrigin>; first: OpenSloObject }
  >();
  for (const object of objects) {
    if (object.kind !== 'SLO') continue;
    const name = object.spec.service;
    const at = objectPath(object.index);
    if (!DNS_LABEL.test(name)) {
      report(
        object.file,
        [at, 'spec', 'service'],
        'openslo/name',
        `service ${JSON.stringify(name)} is not a DNS-1123 label; obsgen uses it as the service label and in file names`,
      );
      continue;
    }
    const service = services.get(name) ?? { name, team: OPENSLO.defaultTeam, description: '' };
    const entry = slosByService.get(name) ?? {
      slos: [] as Slo[],
      origins: new Map<string, SloOrigin>(),
      first: object,
    };
    slosByService.set(name, entry);
    const converted =
      object.apiVersion === 'openslo/v1'
        ? convertSloV1(object, service, { lookup, indicators, report, unresolved, options })
        : convertSloV1alpha(object, service, report, options);
    for (const { slo, origin } of converted) {
      entry.slos.push(slo);
      entry.origins.set(slo.id, origin);
    }
  }

  const loaded: LoadedService[] = [];
  for (const [name, entry] of [...slosByService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (entry.slos.length === 0) continue;
    const service = services.get(name) ?? { name, team: OPENSLO.defaultTeam, description: '' };
    const origin = service.object ?? entry.first;
    const value = defineService({
      name,
      team: service.team,
      ...(service.description ? { description: service.description } : {}),
      environments: options.environments,
      metrics: service.contract ?? inferredContract(entry.slos),
      slos: entry.slos,
      ...(service.scrapeInterval ? { scrapeInterval: service.scrapeInterval } : {}),
      ...(service.evaluationInterval ? { evaluationInterval: service.evaluationInterval } : {}),
    });
    const item: LoadedService = {
      file: origin.file,
      exportName: `OpenSLO ${objectPath(origin.index)}`,
      value,
    };
    const checked = validateService(item);
    if (checked.diagnostics.length > 0) {
      diagnostics.push(...checked.diagnostics.map((d) => remap(d, entry.origins, origin)));
      continue;
    }
    loaded.push(item);
  }

  const counts: Record<string, number> = {};
  for (const object of objects) counts[object.kind] = (counts[object.kind] ?? 0) + 1;
  return { services: loaded, diagnostics: ordered(dedupe(diagnostics)), objects: counts };
}

const indexOf = (d: Diagnostic): number => Number(/^documents\[(\d+)\]$/.exec(String(d.path[0]))?.[1] ?? -1);

/** By file, then by object position; the order of the checks within an object is kept. */
const ordered = (diagnostics: readonly Diagnostic[]): Diagnostic[] =>
  [...diagnostics].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : indexOf(a) - indexOf(b)));

function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const k = JSON.stringify(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A model diagnostic of an imported service, pointed at the OpenSLO object it came from. */
function remap(d: Diagnostic, origins: ReadonlyMap<string, SloOrigin>, service: OpenSloObject): Diagnostic {
  const head = d.path[0];
  const origin = typeof head === 'string' ? origins.get(head) : undefined;
  if (!origin) return { ...d, file: service.file, path: [objectPath(service.index), ...d.path] };
  const [field, ...rest] = d.path.slice(1);
  const fields: Record<string, Path> = {
    id: ['metadata', 'name'],
    description: ['spec', 'description'],
    objective: ['spec', 'objectives', origin.objective],
    period: ['spec', 'timeWindow', 0, 'duration'],
    sli: origin.indicator,
    groupBy: ['metadata', 'annotations', OPENSLO.annotation.groupBy],
    alerting: ['spec', 'alertPolicies'],
  };
  const mapped = typeof field === 'string' ? fields[field] : undefined;
  return {
    ...d,
    file: origin.file,
    path: [
      origin.at,
      ...(mapped ?? ['spec', ...(field === undefined ? [] : [field])]),
      ...(mapped ? [] : rest),
    ],
  };
}

type Lookup = <K extends OpenSloObject['kind']>(
  kind: K,
  name: string,
) => Extract<OpenSloObject, { kind: K }> | undefined;
type Unresolved = (file: string, path: Path, kind: string, name: string) => void;

/** Resolves a policy's condition and checks its notification targets resolve. */
function resolvePolicyParts(
  spec: AttachedPolicy['spec'],
  file: string,
  path: Path,
  lookup: Lookup,
  unresolved: Unresolved,
): AttachedPolicy['condition'] {
  for (const [i, target] of spec.notificationTargets.entries())
    if (target.ref !== undefined && !lookup('AlertNotificationTarget', target.ref))
      unresolved(
        file,
        [...path, 'notificationTargets', i, 'targetRef'],
        'AlertNotificationTarget',
        target.ref,
      );
  const item = spec.conditions[0];
  if (!item) return undefined;
  if (item.inline) return { name: item.inline.metadata.name, spec: item.inline.spec };
  const found = lookup('AlertCondition', item.ref);
  if (found?.apiVersion !== 'openslo/v1') {
    unresolved(file, [...path, 'conditions', 0, 'conditionRef'], 'AlertCondition', item.ref);
    return undefined;
  }
  return { name: found.metadata.name, spec: found.spec };
}

function annotationsOf(
  object: OpenSloObject,
  allowed: ReadonlySet<string>,
  report: Report,
): Record<string, string> {
  const annotations = object.apiVersion === 'openslo/v1' ? (object.metadata.annotations ?? {}) : {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) {
    if (!k.startsWith(OPENSLO.annotation.prefix)) continue;
    if (!allowed.has(k)) {
      report(
        object.file,
        [objectPath(object.index), 'metadata', 'annotations', k],
        'openslo/annotation',
        `unknown annotation ${JSON.stringify(k)} on a ${object.kind}`,
        `obsgen reads ${[...allowed].join(', ')} here`,
      );
      continue;
    }
    out[k] = v;
  }
  return out;
}

function serviceContext(object: Extract<OpenSloObject, { kind: 'Service' }>, report: Report): ServiceContext {
  const a = annotationsOf(object, SERVICE_ANNOTATIONS, report);
  const at: Path = [objectPath(object.index), 'metadata', 'annotations'];
  const bad = (k: string, message: string) => report(object.file, [...at, k], 'openslo/annotation', message);
  let contract: MetricContract | undefined;
  const metricsText = a[OPENSLO.annotation.metrics];
  if (metricsText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(metricsText);
    } catch (error) {
      bad(OPENSLO.annotation.metrics, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const checked = parsed === undefined ? undefined : contractSchema.safeParse(parsed);
    if (checked && !checked.success)
      for (const issue of checked.error.issues)
        bad(OPENSLO.annotation.metrics, `${issue.path.join('.') || 'contract'}: ${issue.message}`);
    if (checked?.success) contract = defineMetrics(checked.data as Record<string, MetricSpec>);
  }
  const interval = (k: string): Duration | undefined => {
    const v = a[k];
    if (v === undefined) return undefined;
    if (parseDurationMs(v) === undefined)
      bad(k, `${JSON.stringify(v)} is not a Prometheus duration (30s, 1m)`);
    return v as Duration;
  };
  const teamLabel = object.apiVersion === 'openslo/v1' ? object.metadata.labels?.team : undefined;
  const team =
    a[OPENSLO.annotation.team] ??
    (teamLabel === undefined ? undefined : Array.isArray(teamLabel) ? teamLabel.join(', ') : teamLabel);
  const scrapeInterval = interval(OPENSLO.annotation.scrapeInterval);
  const evaluationInterval = interval(OPENSLO.annotation.evaluationInterval);
  return {
    name: object.metadata.name,
    object,
    team: team && team.trim() !== '' ? team : OPENSLO.defaultTeam,
    description: object.spec.description ?? '',
    ...(contract ? { contract } : {}),
    ...(scrapeInterval ? { scrapeInterval } : {}),
    ...(evaluationInterval ? { evaluationInterval } : {}),
  };
}

/** Checks a query's placeholders against the environments; true when usable. */
function checkPlaceholders(source: Source, report: Report, options: ImportOptions): boolean {
  const { vars, unknown } = placeholdersOf(source.query);
  let ok = true;
  for (const text of unknown) {
    ok = false;
    report(
      source.file,
      source.path,
      'openslo/placeholder',
      `unknown placeholder ${text}`,
      'obsgen fills {{.window}}, {{.namespace}} and {{.vars.NAME}} (NAME from the environment vars)',
    );
  }
  for (const name of new Set(vars))
    for (const env of options.environments)
      if (env.vars?.[name] === undefined) {
        ok = false;
        report(
          source.file,
          source.path,
          'openslo/placeholder',
          `{{.vars.${name}}}: environment ${env.name} has no vars.${name}`,
          `add vars: { ${name}: '...' } to the ${env.name} environment`,
        );
      }
  return ok;
}

/** The Prometheus query of a v1 metric source; reports why there is none. */
function promqlV1(
  metric: MetricSpecV1,
  file: string,
  path: Path,
  lookup: Lookup,
  report: Report,
  options: ImportOptions,
): Source | undefined {
  const ms = metric.metricSource;
  const at: Path = [...path, 'metricSource'];
  const ref = ms.metricSourceRef === undefined ? undefined : lookup('DataSource', ms.metricSourceRef);
  const refType = ref?.apiVersion === 'openslo/v1' ? ref.spec.type : undefined;
  if (ms.type !== undefined && refType !== undefined && ms.type.toLowerCase() !== refType.toLowerCase()) {
    report(
      file,
      [...at, 'type'],
      'openslo/data-source-mismatch',
      `type ${ms.type} differs from the type ${refType} of DataSource ${ms.metricSourceRef}`,
    );
    return undefined;
  }
  const type = ms.type ?? refType;
  if (type === undefined) {
    if (ms.metricSourceRef !== undefined)
      report(
        file,
        [...at, 'metricSourceRef'],
        'openslo/unresolved-reference',
        `DataSource ${JSON.stringify(ms.metricSourceRef)} is referenced but defined in none of the files read, and metricSource.type is not given`,
        'add the DataSource object, or write type: Prometheus on the metric source',
      );
    else
      report(
        file,
        at,
        'openslo/unsupported-data-source',
        'the metric source names no type and no metricSourceRef, so its query language is unknown',
        'write type: Prometheus',
      );
    return undefined;
  }
  if (type.toLowerCase() !== 'prometheus') {
    report(
      file,
      [...at, ms.type !== undefined ? 'type' : 'metricSourceRef'],
      'openslo/unsupported-data-source',
      `data source type ${type} is not supported; obsgen compiles Prometheus queries only`,
    );
    return undefined;
  }
  const fields = Object.keys(ms.spec);
  const extra = fields.filter((f) => f !== 'query' && f !== 'promql');
  for (const f of extra)
    report(
      file,
      [...at, 'spec', f],
      'openslo/unsupported-metric-source-field',
      `${f} is not supported on a Prometheus metric source; obsgen reads query (or promql)`,
    );
  const named = fields.filter((f) => f === 'query' || f === 'promql');
  if (named.length !== 1) {
    report(
      file,
      [...at, 'spec'],
      'openslo/exactly-one',
      named.length === 0
        ? 'a Prometheus metric source needs spec.query (or spec.promql)'
        : 'query and promql are mutually exclusive; set only one',
    );
    return undefined;
  }
  const field = named[0] as string;
  const query = ms.spec[field];
  if (typeof query !== 'string' || query.trim() === '') {
    report(file, [...at, 'spec', field], 'openslo/type', 'the query must be a non-empty string');
    return undefined;
  }
  if (extra.length > 0) return undefined;
  const source: Source = { query, file, path: [...at, 'spec', field] };
  const parsed = parsePromql(query);
  if (!parsed.ok) {
    report(file, source.path, 'openslo/promql', parsed.message);
    return undefined;
  }
  return checkPlaceholders(source, report, options) ? source : undefined;
}

/** The indicator of a v1 SLI spec, or undefined (with diagnostics) when it cannot be compiled. */
function indicatorV1(
  spec: SliSpecV1,
  file: string,
  path: Path,
  lookup: Lookup,
  report: Report,
  options: ImportOptions,
): Indicator | undefined {
  const q = (m: MetricSpecV1 | undefined, field: string[]) =>
    m === undefined ? undefined : promqlV1(m, file, [...path, ...field], lookup, report, options);
  if (spec.thresholdMetric) {
    const metric = q(spec.thresholdMetric, ['thresholdMetric']);
    return metric ? { kind: 'threshold', metric } : undefined;
  }
  const r = spec.ratioMetric;
  if (!r) return undefined;
  if (r.raw) {
    const raw = q(r.raw, ['ratioMetric', 'raw']);
    return raw && r.rawType ? { kind: 'raw', rawType: r.rawType, raw } : undefined;
  }
  const total = q(r.total, ['ratioMetric', 'total']);
  const good = q(r.good, ['ratioMetric', 'good']);
  const bad = q(r.bad, ['ratioMetric', 'bad']);
  if (!total || (r.good && !good) || (r.bad && !bad)) return undefined;
  return {
    kind: 'ratio',
    counter: r.counter === true,
    total,
    ...(good ? { good } : {}),
    ...(bad ? { bad } : {}),
  };
}

interface SloContext {
  readonly lookup: Lookup;
  readonly indicators: ReadonlyMap<string, Indicator | undefined>;
  readonly report: Report;
  readonly unresolved: Unresolved;
  readonly options: ImportOptions;
}

/** SLO-level annotations: grouping, alert labels and links, the raw-SLI marker. */
function sloOptions(object: OpenSloObject, report: Report) {
  const a = annotationsOf(object, SLO_ANNOTATIONS, report);
  const at: Path = [objectPath(object.index), 'metadata', 'annotations'];
  const bad = (k: string, message: string) => report(object.file, [...at, k], 'openslo/annotation', message);
  const json = (k: string): Record<string, string> | undefined => {
    const text = a[k];
    if (text === undefined) return undefined;
    try {
      const checked = stringRecord.safeParse(JSON.parse(text));
      if (checked.success) return checked.data;
    } catch {}
    bad(k, 'must be a JSON object of strings');
    return undefined;
  };
  const flag = (k: string): boolean | undefined => {
    const text = a[k];
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') bad(k, 'must be "true" or "false"');
    return text === 'true';
  };
  const groupText = a[OPENSLO.annotation.groupBy];
  return {
    groupBy: groupText === undefined ? [] : groupText.split(',').map((s) => s.trim()),
    verbatim: flag(OPENSLO.annotation.rawSli) === true,
    noData: flag(OPENSLO.annotation.noData),
    labels: json(OPENSLO.annotation.alertLabels),
    annotations: json(OPENSLO.annotation.alertAnnotations),
    runbookUrl: a[OPENSLO.annotation.runbookUrl],
  };
}

interface Converted {
  readonly slo: Slo;
  readonly origin: SloOrigin;
}

/** Windows of an SLO period in a service: the derived pairs and the base window. */
function windowsOf(periodSeconds: number, service: ServiceContext, objective?: number) {
  const seconds = (d: string) => (parseDurationMs(d) ?? 30_000) / 1000;
  const scrape = seconds(service.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL);
  const evaluation = seconds(service.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL);
  // The base window depends on the period only; long windows also on the objective (see
  // src/model/windows.ts), so alert conditions are matched per objective.
  const pairs = burnWindowPairs({
    period: periodSeconds,
    scrapeInterval: scrape,
    evaluationInterval: evaluation,
    errorBudget: objective === undefined ? rational(1n, 1000n) : sub(rational(1n), rationalOf(objective)),
  });
  return { pairs, base: baseWindow(pairs), evaluation };
}

function alertingOf(
  mapped: { page: boolean; ticket: boolean; noData: boolean },
  extra: ReturnType<typeof sloOptions>,
): SloAlerting | undefined {
  const alerting: { -readonly [K in keyof SloAlerting]: SloAlerting[K] } = {};
  if (!mapped.page) alerting.page = false;
  if (!mapped.ticket) alerting.ticket = false;
  const noData = extra.noData ?? mapped.noData;
  if (!noData) alerting.noData = false;
  if (extra.labels) alerting.labels = extra.labels;
  if (extra.annotations) alerting.annotations = extra.annotations;
  if (extra.runbookUrl !== undefined) alerting.runbookUrl = extra.runbookUrl;
  return Object.keys(alerting).length > 0 ? alerting : undefined;
}

function problemDiagnostics(
  problems: readonly SliProblem[],
  fallback: { file: string; path: Path },
  report: Report,
) {
  for (const p of problems)
    report(p.source?.file ?? fallback.file, p.source?.path ?? fallback.path, p.code, p.message, p.hint);
}

const describeSlo = (object: Extract<OpenSloObject, { kind: 'SLO' }>, objective?: string): string =>
  object.spec.description?.trim() ||
  object.metadata.displayName?.trim() ||
  objective?.trim() ||
  `SLO ${object.metadata.name} of service ${object.spec.service}.`;

const targetOf = (o: { target?: number | undefined; targetPercent?: number | undefined }): number =>
  o.target ?? toNumber(div(rationalOf(o.targetPercent ?? 0), rational(100n)));

function convertSloV1(
  object: Extract<V1Object, { kind: 'SLO' }>,
  service: ServiceContext,
  ctx: SloContext,
): Converted[] {
  const { report, lookup } = ctx;
  const at = objectPath(object.index);
  const spec = object.spec;
  const file = object.file;
  let ok = true;
  const window = spec.timeWindow[0];
  if (window?.calendar) {
    ok = false;
    report(
      file,
      [at, 'spec', 'timeWindow', 0, 'calendar'],
      'openslo/unsupported-calendar',
      'calendar-aligned time windows are not supported; obsgen SLO periods are rolling windows',
      `write isRolling: true without calendar (a rolling ${window.duration} window)`,
    );
  }
  if (spec.objectives.some((o) => o.indicator !== undefined || o.indicatorRef !== undefined)) {
    report(
      file,
      [at, 'spec', 'objectives'],
      'openslo/unsupported-composite',
      'composite SLOs (an indicator per objective) are not supported',
      'write one SLO per indicator',
    );
    return [];
  }
  let indicator: Indicator | undefined;
  let indicatorPath: Path = ['spec', 'indicator'];
  if (spec.indicator) {
    indicator = indicatorV1(
      spec.indicator.spec,
      file,
      [at, 'spec', 'indicator', 'spec'],
      lookup,
      report,
      ctx.options,
    );
    ok &&= indicator !== undefined;
  } else if (spec.indicatorRef !== undefined) {
    indicatorPath = ['spec', 'indicatorRef'];
    if (!ctx.indicators.has(spec.indicatorRef)) {
      ctx.unresolved(file, [at, 'spec', 'indicatorRef'], 'SLI', spec.indicatorRef);
      ok = false;
    } else {
      indicator = ctx.indicators.get(spec.indicatorRef);
      ok &&= indicator !== undefined;
    }
  }
  const policies: AttachedPolicy[] = [];
  for (const [i, item] of (spec.alertPolicies ?? []).entries()) {
    const path: Path = [at, 'spec', 'alertPolicies', i];
    if (item.inline) {
      const condition = resolvePolicyParts(item.inline.spec, file, [...path, 'spec'], lookup, ctx.unresolved);
      policies.push({
        name: item.inline.metadata.name,
        spec: item.inline.spec,
        path,
        ...(condition ? { condition } : {}),
      });
      continue;
    }
    const found = lookup('AlertPolicy', item.ref);
    if (found?.apiVersion !== 'openslo/v1') {
      ctx.unresolved(file, [...path, 'alertPolicyRef'], 'AlertPolicy', item.ref);
      ok = false;
      continue;
    }
    // Its references were checked where it is defined; an unresolved condition leaves it out here.
    const condition = resolvePolicyParts(found.spec, found.file, [], lookup, () => {});
    policies.push({ name: found.metadata.name, spec: found.spec, path, ...(condition ? { condition } : {}) });
  }
  const extra = sloOptions(object, report);
  if (!ok || !indicator || !window) return [];

  const periodSeconds = shorthandSeconds(window.duration);
  const period = formatSeconds(periodSeconds) as Duration;
  const { base, evaluation } = windowsOf(periodSeconds, service);

  const out: Converted[] = [];
  for (const [k, o] of spec.objectives.entries()) {
    const target = targetOf(o);
    const objectivePath: Path = [at, 'spec', 'objectives', k];
    if (!(target > 0)) {
      report(
        file,
        [...objectivePath, o.target !== undefined ? 'target' : 'targetPercent'],
        'openslo/unsupported-target',
        'a target of 0 leaves the whole period as error budget: nothing to alert on',
        'write the target as a fraction in (0, 1): 0.999 for 99.9%',
      );
      continue;
    }
    const result = sliFromIndicator(indicator, {
      budgeting: spec.budgetingMethod,
      ...(o.op !== undefined ? { op: o.op } : {}),
      ...(o.value !== undefined ? { value: o.value } : {}),
      ...(o.timeSliceTarget !== undefined ? { timeSliceTarget: o.timeSliceTarget } : {}),
      ...(o.timeSliceWindow !== undefined ? { timeSliceWindow: shorthandSeconds(o.timeSliceWindow) } : {}),
      groupBy: extra.groupBy,
      evaluationInterval: evaluation,
      baseWindow: base,
      ...(service.contract ? { contract: service.contract } : {}),
      verbatim: extra.verbatim,
    });
    if ('problems' in result) {
      problemDiagnostics(result.problems, { file, path: objectivePath }, report);
      continue;
    }
    const { pairs } = windowsOf(periodSeconds, service, target);
    const mapped = mapAlerting(policies, pairs, period);
    for (const p of mapped.problems) report(file, p.path, p.code, p.message, p.hint);
    if (mapped.problems.length > 0) return [];
    const alerting = alertingOf(mapped.alerting, extra);
    const id = spec.objectives.length === 1 ? object.metadata.name : `${object.metadata.name}-${k}`;
    out.push({
      slo: defineSlo({
        id,
        description: describeSlo(object, o.displayName),
        objective: target,
        period,
        sli: result.sli,
        ...(extra.groupBy.length > 0 ? { groupBy: extra.groupBy } : {}),
        ...(alerting ? { alerting } : {}),
      }),
      origin: { file, at, objective: k, indicator: indicatorPath },
    });
  }
  return out;
}

const V1ALPHA_UNIT_SECONDS: Record<string, number> = {
  Second: 1,
  Day: 86_400,
  Week: 604_800,
  Month: 30 * 86_400,
  Quarter: 90 * 86_400,
};

function sourceV1alpha(
  m: MetricSourceV1alpha,
  file: string,
  path: Path,
  report: Report,
  options: ImportOptions,
): Source | undefined {
  if (!['prometheus', 'sloth'].includes(m.source.toLowerCase())) {
    report(
      file,
      [...path, 'source'],
      'openslo/unsupported-data-source',
      `source ${m.source} is not supported; obsgen compiles Prometheus queries only`,
    );
    return undefined;
  }
  if (m.queryType.toLowerCase() !== 'promql') {
    report(
      file,
      [...path, 'queryType'],
      'openslo/unsupported-data-source',
      `queryType ${m.queryType} is not supported; obsgen reads promql`,
    );
    return undefined;
  }
  const source: Source = { query: m.query, file, path: [...path, 'query'] };
  const parsed = parsePromql(m.query);
  if (!parsed.ok) {
    report(file, source.path, 'openslo/promql', parsed.message);
    return undefined;
  }
  return checkPlaceholders(source, report, options) ? source : undefined;
}

/** v1alpha: one model SLO per objective, each objective with its own ratio queries (as Sloth reads it). */
function convertSloV1alpha(
  object: Extract<V1alphaObject, { kind: 'SLO' }>,
  service: ServiceContext,
  report: Report,
  options: ImportOptions,
): Converted[] {
  const at = objectPath(object.index);
  const spec = object.spec;
  const file = object.file;
  const window = spec.timeWindows[0];
  let ok = true;
  if (window?.calendar) {
    ok = false;
    report(
      file,
      [at, 'spec', 'timeWindows', 0, 'calendar'],
      'openslo/unsupported-calendar',
      'calendar-aligned time windows are not supported; obsgen SLO periods are rolling windows',
      'write isRolling: true without calendar',
    );
  }
  if (spec.budgetingMethod === 'Timeslices') {
    ok = false;
    report(
      file,
      [at, 'spec', 'budgetingMethod'],
      'openslo/unsupported-time-slices',
      'v1alpha Timeslices names no slice window, so the slices cannot be computed',
      'use budgetingMethod Occurrences, or openslo/v1 with timeSliceWindow',
    );
  }
  const threshold = spec.indicator
    ? sourceV1alpha(
        spec.indicator.thresholdMetric,
        file,
        [at, 'spec', 'indicator', 'thresholdMetric'],
        report,
        options,
      )
    : undefined;
  const extra = sloOptions(object, report);
  if (!ok || !window || (spec.indicator && !threshold)) return [];
  const periodSeconds = window.count * (V1ALPHA_UNIT_SECONDS[window.unit] ?? 0);
  const period = formatSeconds(periodSeconds) as Duration;
  const { base, evaluation } = windowsOf(periodSeconds, service);
  // v1alpha has no alert policies: no burn alerts, as Sloth reads it.
  const alerting = alertingOf({ page: false, ticket: false, noData: false }, extra);
  const out: Converted[] = [];
  for (const [k, o] of spec.objectives.entries()) {
    const objectivePath: Path = [at, 'spec', 'objectives', k];
    let indicator: Indicator | undefined;
    if (o.ratioMetrics) {
      const good = sourceV1alpha(
        o.ratioMetrics.good,
        file,
        [...objectivePath, 'ratioMetrics', 'good'],
        report,
        options,
      );
      const total = sourceV1alpha(
        o.ratioMetrics.total,
        file,
        [...objectivePath, 'ratioMetrics', 'total'],
        report,
        options,
      );
      if (good && total)
        indicator = { kind: 'ratio', counter: o.ratioMetrics.incremental !== false, good, total };
    } else if (threshold) indicator = { kind: 'threshold', metric: threshold };
    if (!indicator) continue;
    if (!(o.target > 0)) {
      report(
        file,
        [...objectivePath, 'target'],
        'openslo/unsupported-target',
        'a target of 0 leaves the whole period as error budget: nothing to alert on',
      );
      continue;
    }
    const result = sliFromIndicator(indicator, {
      budgeting: 'Occurrences',
      ...(o.op !== undefined ? { op: o.op } : {}),
      ...(o.value !== undefined ? { value: o.value } : {}),
      groupBy: extra.groupBy,
      evaluationInterval: evaluation,
      baseWindow: base,
      ...(service.contract ? { contract: service.contract } : {}),
      verbatim: extra.verbatim,
    });
    if ('problems' in result) {
      problemDiagnostics(result.problems, { file, path: objectivePath }, report);
      continue;
    }
    const id = spec.objectives.length === 1 ? object.metadata.name : `${object.metadata.name}-${k}`;
    out.push({
      slo: defineSlo({
        id,
        description: describeSlo(object, o.displayName),
        objective: o.target,
        period,
        sli: result.sli,
        ...(extra.groupBy.length > 0 ? { groupBy: extra.groupBy } : {}),
        ...(alerting ? { alerting } : {}),
      }),
      origin: {
        file,
        at,
        objective: k,
        indicator: o.ratioMetrics ? ['spec', 'objectives', k] : ['spec', 'indicator'],
      },
    });
  }
  return out;
}

/**
 * Without a declared contract, the contract lists what the queries read: each metric with the
 * labels they match on and the SLO's grouping labels (its queries keep them), a counter when read
 * through rate()/increase(), a gauge otherwise.
 */
function inferredContract(slos: readonly Slo[]): MetricContract {
  const found = new Map<string, { rated: boolean; labels: Set<string> }>();
  for (const slo of slos) {
    if (slo.sli.kind !== 'raw') continue;
    for (const text of [slo.sli.bad, slo.sli.total])
      for (const m of metricsReadOf(text)) {
        const entry = found.get(m.name) ?? { rated: false, labels: new Set<string>() };
        entry.rated ||= m.rated;
        for (const l of [...m.labels, ...(slo.groupBy ?? [])]) if (l !== '__name__') entry.labels.add(l);
        found.set(m.name, entry);
      }
  }
  const specs: Record<string, MetricSpec> = {};
  for (const [name, entry] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    specs[name] = {
      type: entry.rated ? 'counter' : 'gauge',
      labels: [...entry.labels].sort(),
      help: 'Read by the OpenSLO indicators of this service (type inferred from the queries).',
    };
  return defineMetrics(specs);
}

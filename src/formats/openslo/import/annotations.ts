/**
 * The obsgen.dev/ annotations of OpenSLO objects: what the model needs and OpenSLO cannot say
 * (team, metric contract, intervals on a Service; grouping, alert labels and links, the raw-SLI
 * marker on an SLO). Annotations of other prefixes are left alone; unknown obsgen.dev/ ones are
 * refused so a misspelt one does not go unnoticed.
 */
import { z } from 'zod';
import { defineMetrics, type MetricContract, type MetricSpec } from '../../../model/metrics.ts';
import { type Duration, parseDurationMs } from '../../../model/units.ts';
import { OPENSLO } from '../names.ts';
import { type FileReport, issueLine, objectPath, type Path } from './diagnostics.ts';
import type { OpenSloObject } from './objects.ts';

/** What an imported service takes from its Service object, or the defaults without one. */
export interface ServiceContext {
  readonly name: string;
  readonly object?: OpenSloObject;
  readonly team: string;
  readonly description: string;
  readonly contract?: MetricContract;
  readonly scrapeInterval?: Duration;
  readonly evaluationInterval?: Duration;
}

/** What an SLO's annotations add to it. */
export interface SloOptions {
  readonly groupBy: string[];
  /** The queries are the model's raw SLI verbatim. */
  readonly verbatim: boolean;
  /** Overrides the alert policies' alertWhenNoData. */
  readonly noData: boolean | undefined;
  readonly labels: Record<string, string> | undefined;
  readonly annotations: Record<string, string> | undefined;
  readonly runbookUrl: string | undefined;
}

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

/** The obsgen.dev/ annotations of an object that `allowed` names; reports the others. */
function annotationsOf(
  object: OpenSloObject,
  allowed: ReadonlySet<string>,
  report: FileReport,
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

export function serviceContext(
  object: Extract<OpenSloObject, { kind: 'Service' }>,
  report: FileReport,
): ServiceContext {
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
      for (const issue of checked.error.issues) bad(OPENSLO.annotation.metrics, issueLine(issue, 'contract'));
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

/** The context of a service that has no Service object. */
export const unannotatedService = (name: string): ServiceContext => ({
  name,
  team: OPENSLO.defaultTeam,
  description: '',
});

export function sloOptions(object: OpenSloObject, report: FileReport): SloOptions {
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

/**
 * The model as OpenSLO v1: one Service, one SLO per model SLO (indicator and alert policies
 * inline), and the notification targets the policies name. Pure: model in, plain objects out; the
 * emitter writes them.
 *
 * Queries are written in the shapes the importer reads back as the same typed SLIs, over the
 * `{{.window}}` placeholder, with every label matcher the compiler adds (`job` from the contract,
 * `namespace="{{.namespace}}"`, `{{.vars.NAME}}` for environment values), so each query reads what
 * the generated rules read. What OpenSLO cannot hold travels in `obsgen.dev/` annotations: the
 * team, the metric contract, grouping labels, extra alert labels. Burn-rate alerts become one
 * policy per window pair (OpenSLO allows one condition per policy).
 */
import { DEFAULT_EVALUATION_INTERVAL, DEFAULT_SCRAPE_INTERVAL } from '../../../conventions.ts';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import type { MatcherValue, Selector } from '../../../model/metrics.ts';
import type { ResolvedService, ResolvedSlo } from '../../../model/resolved.ts';
import { durationSeconds, formatRational, formatSeconds } from '../../../model/units.ts';
import type { BurnTier, WindowPair } from '../../../model/windows.ts';
import { quote, sumBy } from '../../../promql/index.ts';
import { shorthand } from '../durations.ts';
import { OPENSLO } from '../names.ts';

const API_VERSION = 'openslo/v1';
const WINDOW = '{{.window}}';

type Json = Record<string, unknown>;

function matcherText(label: string, value: MatcherValue): string {
  if (typeof value === 'string') return `${label}=${quote(value)}`;
  if ('re' in value) return `${label}=~${quote(value.re)}`;
  if ('ne' in value) return `${label}!=${quote(value.ne)}`;
  if ('nre' in value) return `${label}!~${quote(value.nre)}`;
  return `${label}=${quote(`{{.vars.${value.env}}}`)}`;
}

/** The selector with every matcher the compiler adds, environment values as placeholders. */
function selectorText(
  sel: Selector,
  name: string,
  extra: Readonly<Record<string, MatcherValue>> = {},
): string {
  const matchers: Record<string, MatcherValue> = {
    ...(sel.metric.constLabels ?? {}),
    ...(sel.metric.labels.includes('namespace') ? { namespace: '{{.namespace}}' } : {}),
    ...sel.matchers,
    ...extra,
  } as Record<string, MatcherValue>;
  const parts = Object.keys(matchers)
    .sort()
    .map((label) => matcherText(label, matchers[label] as MatcherValue));
  return `${name}{${parts.join(',')}}`;
}

const metricSource = (query: string): Json => ({ metricSource: { type: 'Prometheus', spec: { query } } });

interface Indicator {
  readonly spec: Json;
  readonly objective: Json;
  readonly annotations: Record<string, string>;
}

function indicatorOf(slo: ResolvedSlo): Indicator {
  const g = slo.groupBy;
  const sli = slo.sli;
  switch (sli.kind) {
    case 'ratio': {
      const rate = (sel: Selector) => sumBy(g, `rate(${selectorText(sel, sel.metric.name)}[${WINDOW}])`);
      const part = sli.bad
        ? { bad: metricSource(rate(sli.bad)) }
        : { good: metricSource(rate(sli.good ?? sli.total)) };
      return {
        spec: { ratioMetric: { counter: true, ...part, total: metricSource(rate(sli.total)) } },
        objective: {},
        annotations: {},
      };
    }
    case 'latency': {
      const h = sli.histogram;
      const name = h.metric.name;
      const good = sumBy(
        g,
        `rate(${selectorText(h, `${name}_bucket`, { le: String(sli.threshold) })}[${WINDOW}])`,
      );
      const total = sumBy(g, `rate(${selectorText(h, `${name}_count`)}[${WINDOW}])`);
      return {
        spec: { ratioMetric: { counter: true, good: metricSource(good), total: metricSource(total) } },
        objective: {},
        annotations: {},
      };
    }
    case 'probe': {
      const series = selectorText(sli.gauge, sli.gauge.metric.name);
      return {
        spec: {
          ratioMetric: {
            counter: false,
            good: metricSource(sumBy(g, `sum_over_time(${series}[${WINDOW}])`)),
            total: metricSource(sumBy(g, `count_over_time(${series}[${WINDOW}])`)),
          },
        },
        objective: {},
        annotations: {},
      };
    }
    case 'freshness':
      return {
        spec: {
          thresholdMetric: metricSource(`time() - ${selectorText(sli.timestamp, sli.timestamp.metric.name)}`),
        },
        objective: { op: 'lte', value: durationSeconds(sli.maxAge) },
        annotations: {},
      };
    case 'threshold':
      return {
        spec: { thresholdMetric: metricSource(selectorText(sli.gauge, sli.gauge.metric.name)) },
        objective: { op: 'lt', value: sli.below },
        annotations: {},
      };
    case 'raw':
      return {
        spec: { ratioMetric: { counter: true, bad: metricSource(sli.bad), total: metricSource(sli.total) } },
        objective: {},
        annotations: { [OPENSLO.annotation.rawSli]: 'true' },
      };
  }
}

const TIER_WORD: Record<BurnTier, string> = { page: 'Page', ticket: 'Open a ticket' };

function policyOf(svc: ResolvedService, slo: ResolvedSlo, pair: WindowPair, lookback: string): Json {
  const name = `${slo.id}-${pair.tier}-${lookback}`;
  const alertAfter = shorthand(pair.forSeconds);
  const factor = formatRational(pair.factor);
  return {
    kind: 'AlertPolicy',
    metadata: { name },
    spec: {
      description: `${TIER_WORD[pair.tier]} when ${svc.name} ${slo.id} burns its error budget faster than ${factor}x the sustainable rate over ${formatSeconds(pair.long)} and ${formatSeconds(pair.short)}.`,
      alertWhenBreaching: true,
      alertWhenNoData: slo.alerting.noData,
      conditions: [
        {
          kind: 'AlertCondition',
          metadata: { name },
          spec: {
            severity: pair.severity,
            condition: {
              kind: 'burnrate',
              op: 'gt',
              threshold: Number(factor),
              lookbackWindow: lookback,
              ...(alertAfter ? { alertAfter } : {}),
            },
          },
        },
      ],
      notificationTargets: [{ targetRef: OPENSLO.notificationTarget[pair.tier].name }],
    },
  };
}

/** The metric contract as JSON, one metric per line (fields in MetricSpec order) so a diff shows which one changed. */
function contractJson(svc: ResolvedService): string {
  const lines = Object.entries(svc.metrics).map(([key, m]) => {
    const spec = {
      type: m.type,
      labels: m.labels,
      help: m.help,
      ...(m.buckets !== undefined ? { buckets: m.buckets } : {}),
      ...(m.unit !== undefined ? { unit: m.unit } : {}),
      ...(m.constLabels !== undefined ? { constLabels: m.constLabels } : {}),
      ...(m.values !== undefined ? { values: m.values } : {}),
    };
    return `  ${JSON.stringify(key)}: ${JSON.stringify(spec)}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

const nonEmpty = (record: Readonly<Record<string, string>>): boolean => Object.keys(record).length > 0;

/** The OpenSLO documents of one service; diagnostics name what OpenSLO cannot express. */
export function toOpenSloDocuments(svc: ResolvedService): { documents: Json[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (path: (string | number)[], message: string) =>
    diagnostics.push({ code: 'export/openslo', severity: 'error', file: svc.file, path, message });
  const tiers = new Set<BurnTier>();
  const slos: Json[] = [];
  for (const slo of svc.slos) {
    const duration = shorthand(slo.period);
    if (!duration)
      fail([slo.id, 'period'], `period ${formatSeconds(slo.period)} has no OpenSLO duration (m, h or d)`);
    const policies: Json[] = [];
    for (const pair of slo.windows) {
      if (!(pair.tier === 'page' ? slo.alerting.page : slo.alerting.ticket)) continue;
      const lookback = shorthand(pair.long);
      if (!lookback) {
        fail(
          [slo.id, 'alerting', pair.tier],
          `window ${formatSeconds(pair.long)} has no OpenSLO duration (m, h or d)`,
        );
        continue;
      }
      tiers.add(pair.tier);
      policies.push(policyOf(svc, slo, pair, lookback));
    }
    const indicator = indicatorOf(slo);
    const annotations: Record<string, string> = { ...indicator.annotations };
    if (slo.groupBy.length > 0) annotations[OPENSLO.annotation.groupBy] = slo.groupBy.join(',');
    if (policies.length === 0 && slo.alerting.noData) annotations[OPENSLO.annotation.noData] = 'true';
    if (nonEmpty(slo.alerting.labels))
      annotations[OPENSLO.annotation.alertLabels] = JSON.stringify(slo.alerting.labels);
    if (nonEmpty(slo.alerting.annotations))
      annotations[OPENSLO.annotation.alertAnnotations] = JSON.stringify(slo.alerting.annotations);
    if (slo.alerting.runbookUrl !== undefined)
      annotations[OPENSLO.annotation.runbookUrl] = slo.alerting.runbookUrl;
    slos.push({
      apiVersion: API_VERSION,
      kind: 'SLO',
      metadata: { name: slo.id, ...(nonEmpty(annotations) ? { annotations } : {}) },
      spec: {
        description: slo.description,
        service: svc.name,
        indicator: { metadata: { name: slo.id }, spec: indicator.spec },
        budgetingMethod: 'Occurrences',
        timeWindow: [{ duration: duration ?? '', isRolling: true }],
        objectives: [{ target: Number(formatRational(slo.objective)), ...indicator.objective }],
        ...(policies.length > 0 ? { alertPolicies: policies } : {}),
      },
    });
  }
  const annotations: Record<string, string> = {
    [OPENSLO.annotation.team]: svc.team,
    [OPENSLO.annotation.metrics]: contractJson(svc),
  };
  if (svc.scrapeInterval !== durationSeconds(DEFAULT_SCRAPE_INTERVAL))
    annotations[OPENSLO.annotation.scrapeInterval] = formatSeconds(svc.scrapeInterval);
  if (svc.evaluationInterval !== durationSeconds(DEFAULT_EVALUATION_INTERVAL))
    annotations[OPENSLO.annotation.evaluationInterval] = formatSeconds(svc.evaluationInterval);
  const service: Json = {
    apiVersion: API_VERSION,
    kind: 'Service',
    metadata: { name: svc.name, annotations },
    spec: svc.description ? { description: svc.description } : {},
  };
  const targets = (['page', 'ticket'] as const)
    .filter((t) => tiers.has(t))
    .map((t) => ({
      apiVersion: API_VERSION,
      kind: 'AlertNotificationTarget',
      metadata: { name: OPENSLO.notificationTarget[t].name },
      spec: {
        description: `Receives the ${t === 'page' ? 'paging (critical)' : 'ticket (warning)'} SLO burn-rate alerts.`,
        target: OPENSLO.notificationTarget[t].target,
      },
    }));
  return { documents: [service, ...slos, ...targets], diagnostics };
}

/** Path of a service's OpenSLO file inside the export directory. */
export const openSloFilePath = (svc: ResolvedService): string => `${svc.name}.openslo.yaml`;

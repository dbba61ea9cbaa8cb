/**
 * Pyrra `ServiceLevelObjective`s (`pyrra.dev/v1alpha1`) into the model, as TypeScript definitions
 * would write them, so validation, every compiler, check and proof applies.
 *
 * Indicators become typed SLIs over a metric contract inferred from their selectors (ratio ->
 * ratioSli, latency -> latencySli at the bucket's `le`, bool_gauge -> probeSli), each with
 * Pyrra's `grouping` as groupBy. Alerts keep Pyrra's shape exactly: its four window pairs for the
 * objective's window (14x 1h/5m for 2m, 7x 6h/30m for 15m, 2x 1d/2h for 1h, 1x 4d/6h for 3h at
 * 28 days, scaled to other windows and rounded to minutes as Pyrra does) are written as explicit
 * `alerting.windows`, with Pyrra's severities. Refused by name: `latencyNative` (native
 * histograms; obsgen reads classic buckets) and severities other than critical and warning.
 */
import { z } from 'zod';
import { DEFAULT_SCRAPE_INTERVAL } from '../../conventions.ts';
import type { LoadedService } from '../../load/loaded.ts';
import { type Diagnostic, errorAt, type Path, warningAt } from '../../model/diagnostic.ts';
import {
  defineMetrics,
  type MatcherValue,
  type Metric,
  type MetricSpec,
  type Selector,
} from '../../model/metrics.ts';
import { defineService, type Environment } from '../../model/service.ts';
import {
  defineSlo,
  type ExplicitBurnWindow,
  latencySli,
  probeSli,
  ratioSli,
  type Sli,
  type SloAlerting,
} from '../../model/slo.ts';
import { type Duration, durationSeconds, formatSeconds, parseDurationMs } from '../../model/units.ts';
import { MIN_WINDOW_SCRAPES } from '../../model/windows.ts';
import type { LabelMatcher } from '../../promql/index.ts';
import { validateService } from '../../validate/service.ts';
import { fittingSloId } from '../ids.ts';
import { type RawObject, readOpenSloFile } from '../openslo/import/documents.ts';
import { shownPath } from '../openslo/import/files.ts';
import { summedWindowSelector } from '../openslo/import/query-rewrite.ts';
import type { FormatImportResult } from '../sloth/index.ts';
import { fractionOfPercent } from '../sloth/index.ts';

const metricField = z.strictObject({ metric: z.string().min(1) });
const grouping = z.array(z.string()).optional();
const severity = z.string();
const spec = z.strictObject({
  apiVersion: z.literal('pyrra.dev/v1alpha1'),
  kind: z.literal('ServiceLevelObjective'),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
  spec: z.strictObject({
    description: z.string().optional(),
    target: z.union([z.string(), z.number()]),
    window: z.string(),
    indicator: z.strictObject({
      ratio: z.strictObject({ errors: metricField, total: metricField, grouping }).optional(),
      latency: z.strictObject({ success: metricField, total: metricField, grouping }).optional(),
      latencyNative: z.looseObject({}).optional(),
      bool_gauge: z.strictObject({ metric: z.string().min(1), grouping }).optional(),
    }),
    alerting: z
      .strictObject({
        disabled: z.boolean().optional(),
        name: z.string().optional(),
        burnrates: z.boolean().optional(),
        absent: z.boolean().optional(),
        absentName: z.string().optional(),
        severities: z
          .strictObject({
            fastBurn: severity.optional(),
            mediumBurn: severity.optional(),
            slowBurn: severity.optional(),
            longTermBurn: severity.optional(),
            absent: severity.optional(),
          })
          .optional(),
      })
      .optional(),
    partial_response_strategy: z.string().optional(),
    performanceOverAccuracy: z.boolean().optional(),
    ruleOutput: z.looseObject({}).optional(),
  }),
});
type PyrraSlo = z.infer<typeof spec>;

export interface PyrraImportOptions {
  /** Environments every imported service is generated for. */
  readonly environments: readonly Environment[];
  /** Service name of every objective. @default the objective's namespace, else `pyrra` */
  readonly service?: string;
}

/** Pyrra's four pairs at 28 days: divisors of the window for `for`, long and short, its factor and severity key. */
const PYRRA_WINDOWS = [
  {
    key: 'fastBurn',
    severity: 'critical',
    factor: 14,
    forDiv: 28 * 24 * 30,
    longDiv: 28 * 24,
    shortDiv: 28 * 24 * 12,
  },
  {
    key: 'mediumBurn',
    severity: 'critical',
    factor: 7,
    forDiv: 28 * 24 * 4,
    longDiv: 28 * 4,
    shortDiv: 28 * 24 * 2,
  },
  { key: 'slowBurn', severity: 'warning', factor: 2, forDiv: 28 * 24, longDiv: 28, shortDiv: 28 * 12 },
  { key: 'longTermBurn', severity: 'warning', factor: 1, forDiv: 28 * 8, longDiv: 7, shortDiv: 28 * 4 },
] as const;

/** Go's Duration.Round(time.Minute): to the nearest minute, halves away from zero. */
const roundMinute = (seconds: number): number => Math.round(seconds / 60) * 60;

/** Pyrra's window pairs for an objective window of `period` seconds, as obsgen explicit windows. */
export function pyrraWindows(
  period: number,
  severities: Readonly<Record<string, string | undefined>> = {},
): ExplicitBurnWindow[] {
  return PYRRA_WINDOWS.map((w) => ({
    long: formatSeconds(roundMinute(period / w.longDiv)) as Duration,
    short: formatSeconds(roundMinute(period / w.shortDiv)) as Duration,
    factor: w.factor,
    severity: (severities[w.key] ?? w.severity) as 'critical' | 'warning',
    for: formatSeconds(roundMinute(period / w.forDiv)) as Duration,
  }));
}

const error = errorAt;
const warning = warningAt;

/** A Pyrra metric field as a selector: name and matchers, or undefined when it is not one selector. */
function selectorOf(text: string): { name: string; matchers: readonly LabelMatcher[] } | undefined {
  const read = summedWindowSelector(`sum(rate(${text}[{{.window}}]))`, 'rate');
  return read && read.by.length === 0 ? read : undefined;
}

const matcherValue = (m: LabelMatcher): MatcherValue =>
  m.op === '='
    ? m.value
    : m.op === '=~'
      ? { re: m.value }
      : m.op === '!='
        ? { ne: m.value }
        : { nre: m.value };

/** Contract entries collected while reading one service's objectives. */
class Contract {
  private readonly entries = new Map<
    string,
    { type: MetricSpec['type']; labels: Set<string>; buckets: Set<number>; values: Map<string, Set<string>> }
  >();
  use(
    name: string,
    type: MetricSpec['type'],
    labels: readonly string[],
    matchers: readonly LabelMatcher[],
    bucket?: number,
  ): void {
    const e = this.entries.get(name) ?? {
      type,
      labels: new Set<string>(),
      buckets: new Set<number>(),
      values: new Map<string, Set<string>>(),
    };
    for (const l of labels) e.labels.add(l);
    if (bucket !== undefined) e.buckets.add(bucket);
    // A value each regex matcher selects, so generated tests and drills can draw series from it.
    for (const m of matchers) {
      if (m.op !== '=~' || m.label === 'le') continue;
      const sample = sampleOf(m.value);
      if (sample !== undefined) e.values.set(m.label, (e.values.get(m.label) ?? new Set()).add(sample));
    }
    this.entries.set(name, e);
  }
  build(): Record<string, Metric> {
    const specs: Record<string, MetricSpec> = {};
    for (const [name, e] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : 1)))
      specs[name] = {
        type: e.type,
        labels: [...e.labels].sort(),
        help: 'Read by the Pyrra objectives of this service (inferred from their selectors).',
        ...(e.type === 'histogram' ? { buckets: [...e.buckets].sort((a, b) => a - b) } : {}),
        ...(e.values.size > 0
          ? {
              values: Object.fromEntries(
                [...e.values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([l, v]) => [l, [...v].sort()]),
              ),
            }
          : {}),
      };
    return defineMetrics(specs) as Record<string, Metric>;
  }
}

/**
 * A string the (fully anchored) regex matches, for simple patterns: the first alternative, the
 * first character of a class, `.` as 0, `.*` as nothing, `.+` as x. Undefined when the guess does
 * not match (then no value is declared).
 */
export function sampleOf(pattern: string): string | undefined {
  let s = pattern;
  for (let i = 0; i < 5 && /\(([^()|]*)\|[^()]*\)/.test(s); i++)
    s = s.replace(/\(([^()|]*)\|[^()]*\)/g, '$1');
  s = s.split('|')[0] ?? '';
  s = s
    .replace(/\[\^?([^\]])[^\]]*\]/g, '$1')
    .replace(/\.\*/g, '')
    .replace(/\.\+/g, 'x')
    .replace(/\./g, '0')
    .replace(/\\(.)/g, '$1')
    .replace(/[()?*+^$]/g, '');
  try {
    return new RegExp(`^(?:${pattern})$`).test(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every file; the objectives of all of them are grouped into services. */
export async function importPyrraFiles(
  root: string,
  files: readonly string[],
  options: PyrraImportOptions,
): Promise<FormatImportResult> {
  const raws: RawObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const read = await readOpenSloFile(file, shownPath(root, file));
    raws.push(...read.objects);
    diagnostics.push(...read.diagnostics);
  }
  const result = importPyrraObjects(raws, options);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

interface Pending {
  readonly raw: RawObject;
  readonly slo: PyrraSlo;
}

/** Converts Pyrra objects already parsed; objectives are grouped into services by namespace. */
export function importPyrraObjects(
  raws: readonly RawObject[],
  options: PyrraImportOptions,
): FormatImportResult {
  const diagnostics: Diagnostic[] = [];
  const byService = new Map<string, Pending[]>();
  for (const raw of raws) {
    const at = `documents[${raw.index}]`;
    const parsed = spec.safeParse(raw.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = [at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
        diagnostics.push(
          issue.code === 'unrecognized_keys'
            ? error(
                raw.file,
                path,
                'pyrra/unknown-field',
                `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`,
              )
            : error(raw.file, path, 'pyrra/invalid', issue.message),
        );
      }
      continue;
    }
    const service = options.service ?? parsed.data.metadata.namespace ?? 'pyrra';
    byService.set(service, [...(byService.get(service) ?? []), { raw, slo: parsed.data }]);
  }
  const services: LoadedService[] = [];
  const notes = new Map<string, Map<string, string[]>>();
  for (const [service, pending] of [...byService].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const contract = new Contract();
    const before = diagnostics.length;
    const converted = pending.map((p) => convertObjective(p, contract, diagnostics));
    if (diagnostics.slice(before).some((d) => d.severity === 'error')) continue;
    const metrics = contract.build();
    const taken = new Set<string>();
    const slos = converted
      .filter((c) => c !== undefined)
      .map((c) => {
        const id = fittingSloId(c.slo.id, taken);
        taken.add(id);
        if (id !== c.slo.id)
          c.notes.push(
            `Pyrra objective ${c.slo.id}: the id is shortened so its alert names fit 40 characters.`,
          );
        return defineSlo({ ...c.slo, id, sli: c.sli(metrics) });
      });
    const first = pending[0] as Pending;
    const item: LoadedService = {
      file: first.raw.file,
      exportName: `Pyrra ${service}`,
      value: defineService({
        name: service,
        team: service,
        description: `Imported from Pyrra ServiceLevelObjectives (namespace ${service}).`,
        environments: options.environments,
        metrics,
        slos,
      }),
    };
    const checked = validateService(item);
    if (checked.diagnostics.length > 0) {
      diagnostics.push(...checked.diagnostics);
      continue;
    }
    services.push(item);
    notes.set(
      service,
      new Map(
        slos.map((slo, i) => [slo.id, converted.filter((c) => c !== undefined)[i]?.notes ?? []] as const),
      ),
    );
  }
  return { services, diagnostics, notes };
}

interface Converted {
  readonly slo: {
    readonly id: string;
    readonly description: string;
    readonly objective: number;
    readonly period: Duration;
    readonly groupBy?: readonly string[];
    readonly alerting?: SloAlerting;
  };
  /** The SLI, once the service's contract is complete. */
  readonly sli: (metrics: Record<string, Metric>) => Sli;
  readonly notes: string[];
}

function convertObjective(
  { raw, slo }: Pending,
  contract: Contract,
  diagnostics: Diagnostic[],
): Converted | undefined {
  const at: Path = [`documents[${raw.index}]`, 'spec'];
  const file = raw.file;
  const s = slo.spec;
  const fail = (path: Path, code: string, message: string, hint?: string) => {
    diagnostics.push(error(file, [...at, ...path], code, message, hint));
    return undefined;
  };
  const target = Number(s.target);
  if (!(target > 0 && target < 100))
    return fail(
      ['target'],
      'pyrra/target',
      `target must be a percentage in (0, 100), got ${JSON.stringify(s.target)}`,
    );
  const ms = parseDurationMs(s.window);
  if (ms === undefined || ms <= 0)
    return fail(['window'], 'pyrra/window', `${JSON.stringify(s.window)} is not a duration`);
  const period = ms / 1000;
  const kinds = Object.keys(s.indicator).filter(
    (k) => (s.indicator as Record<string, unknown>)[k] !== undefined,
  );
  if (kinds.length !== 1)
    return fail(
      ['indicator'],
      'pyrra/indicator',
      `an indicator needs exactly one of ratio, latency, latencyNative, bool_gauge; got ${kinds.join(', ') || 'none'}`,
    );
  if (s.indicator.latencyNative)
    return fail(
      ['indicator', 'latencyNative'],
      'pyrra/unsupported-latency-native',
      'latencyNative reads native histograms (histogram_fraction); obsgen latency SLIs read classic histogram buckets',
      'expose classic buckets and write a latency indicator with the bucket at your threshold',
    );
  for (const key of ['partial_response_strategy', 'performanceOverAccuracy', 'ruleOutput'] as const)
    if (s[key] !== undefined)
      diagnostics.push(
        warning(
          file,
          [...at, key],
          'pyrra/field-dropped',
          `${key} tunes Pyrra's own rule output and is not carried over`,
        ),
      );
  const notes: string[] = [];
  const groupBy =
    s.indicator.ratio?.grouping ?? s.indicator.latency?.grouping ?? s.indicator.bool_gauge?.grouping ?? [];
  let sli: Converted['sli'];
  const read = (path: Path, text: string) => {
    const sel = selectorOf(text);
    if (!sel) fail(path, 'pyrra/selector', `${JSON.stringify(text)} is not one PromQL selector`);
    return sel;
  };
  const labelsOf = (m: readonly LabelMatcher[], skip: string[] = []) => [
    ...m.map((x) => x.label).filter((l) => l !== '__name__' && !skip.includes(l)),
    ...groupBy,
  ];
  const matchersOf = (m: readonly LabelMatcher[], skip: string[] = []): Record<string, MatcherValue> =>
    Object.fromEntries(
      m
        .filter((x) => x.label !== '__name__' && !skip.includes(x.label))
        .map((x) => [x.label, matcherValue(x)]),
    );
  const selectFrom = (
    metrics: Record<string, Metric>,
    name: string,
    matchers: Record<string, MatcherValue>,
  ): Selector => Object.freeze({ metric: metrics[name] as Metric, matchers });
  if (s.indicator.ratio) {
    const errors = read(['indicator', 'ratio', 'errors', 'metric'], s.indicator.ratio.errors.metric);
    const total = read(['indicator', 'ratio', 'total', 'metric'], s.indicator.ratio.total.metric);
    if (!errors || !total) return undefined;
    contract.use(errors.name, 'counter', labelsOf(errors.matchers), errors.matchers);
    contract.use(total.name, 'counter', labelsOf(total.matchers), total.matchers);
    sli = (metrics) =>
      ratioSli({
        bad: selectFrom(metrics, errors.name, matchersOf(errors.matchers)),
        total: selectFrom(metrics, total.name, matchersOf(total.matchers)),
      });
  } else if (s.indicator.latency) {
    const success = read(['indicator', 'latency', 'success', 'metric'], s.indicator.latency.success.metric);
    const total = read(['indicator', 'latency', 'total', 'metric'], s.indicator.latency.total.metric);
    if (!success || !total) return undefined;
    const le = success.matchers.find((m) => m.label === 'le');
    const base = total.name.replace(/_count$/, '');
    const sameSeries =
      JSON.stringify(matchersOf(success.matchers, ['le'])) === JSON.stringify(matchersOf(total.matchers));
    if (
      le?.op !== '=' ||
      !Number.isFinite(Number(le.value)) ||
      success.name !== `${base}_bucket` ||
      !total.name.endsWith('_count') ||
      !sameSeries
    )
      return fail(
        ['indicator', 'latency'],
        'pyrra/latency-shape',
        'a latency indicator must read <histogram>_bucket{...,le="<bound>"} over <histogram>_count{...} with the same other matchers',
      );
    const threshold = Number(le.value);
    contract.use(base, 'histogram', labelsOf(total.matchers), total.matchers, threshold);
    sli = (metrics) =>
      latencySli({
        histogram: selectFrom(metrics, base, matchersOf(total.matchers)) as Selector<
          Metric<string, string, 'histogram'>
        >,
        threshold,
      });
  } else {
    const gauge = s.indicator.bool_gauge as { metric: string };
    const sel = read(['indicator', 'bool_gauge', 'metric'], gauge.metric);
    if (!sel) return undefined;
    contract.use(sel.name, 'gauge', labelsOf(sel.matchers), sel.matchers);
    sli = (metrics) => probeSli({ gauge: selectFrom(metrics, sel.name, matchersOf(sel.matchers)) });
  }
  const a = s.alerting;
  const severities = a?.severities ?? {};
  for (const [key, value] of Object.entries(severities))
    if (value !== undefined && key !== 'absent' && value !== 'critical' && value !== 'warning')
      return fail(
        ['alerting', 'severities', key],
        'pyrra/severity',
        `severity ${JSON.stringify(value)} is not one obsgen routes: burn alerts are critical (page) or warning (ticket)`,
      );
  if (a?.severities?.absent !== undefined)
    diagnostics.push(
      warning(
        file,
        [...at, 'alerting', 'severities', 'absent'],
        'pyrra/field-dropped',
        "obsgen's no-data alert is always severity warning",
      ),
    );
  const objective = fractionOfPercent(target);
  // Pyrra writes a pair even when its threshold is above 100% errors; such a rule can never fire.
  const all = pyrraWindows(period, severities);
  const windows = all.filter((w) => w.factor * (1 - objective) < 1);
  for (const w of all.filter((x) => !windows.includes(x)))
    diagnostics.push(
      warning(
        file,
        [...at, 'target'],
        'pyrra/unreachable-pair',
        `Pyrra's ${w.factor}x pair over ${w.long}/${w.short} needs an error ratio of ${Number((w.factor * (1 - objective)).toPrecision(6))} at target ${s.target}%, which can never be reached; it is left out`,
      ),
    );
  // obsgen reads no window shorter than four scrape intervals (a rate needs several samples); Pyrra
  // scales its 5m short window down to 1m for a 7 day objective. Such a window is raised.
  const floor = MIN_WINDOW_SCRAPES * durationSeconds(DEFAULT_SCRAPE_INTERVAL);
  const raised = windows.map((w) => {
    const short = durationSeconds(w.short ?? w.long);
    const long = durationSeconds(w.long);
    if (short >= floor && long >= floor) return w;
    diagnostics.push(
      warning(
        file,
        [...at, 'window'],
        'pyrra/window-raised',
        `Pyrra's ${w.factor}x pair over ${w.long}/${w.short} for a ${s.window} window reads fewer than ${MIN_WINDOW_SCRAPES} scrapes; obsgen raises it to ${formatSeconds(Math.max(long, floor))}/${formatSeconds(Math.max(short, floor))}`,
      ),
    );
    return {
      ...w,
      long: formatSeconds(Math.max(long, floor)) as Duration,
      short: formatSeconds(Math.max(short, floor)) as Duration,
    };
  });
  const alerting: { -readonly [K in keyof SloAlerting]: SloAlerting[K] } = { windows: raised };
  if (a?.disabled || a?.burnrates === false) {
    alerting.page = false;
    alerting.ticket = false;
  }
  if (a?.disabled || a?.absent === false) alerting.noData = false;
  if (a?.name) notes.push(`Pyrra alert ${a.name} is one obsgen burn alert per window pair here.`);
  const name = slo.metadata.name;
  return {
    slo: {
      id: name,
      description: s.description?.replace(/\s+/g, ' ').trim() || `${name} (Pyrra ServiceLevelObjective).`,
      objective,
      // As written (4w stays 4w): Pyrra and obsgen read the same Prometheus durations.
      period: s.window as Duration,
      ...(groupBy.length > 0 ? { groupBy } : {}),
      alerting,
    },
    sli,
    notes,
  };
}

/**
 * What one Prometheus spends on its rule groups, from its own metrics: every evaluation's
 * `prometheus_rule_group_last_duration_seconds` (collected per group by the evaluation timestamp,
 * so each evaluation counts once), process CPU, memory and allocation, and per rule the samples a
 * query of its expression loads (`stats=all`).
 */
import type { RunningPrometheus } from '../../src/runtime/prometheus.ts';

export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of a Prometheus text exposition (enough of format 0.0.4 for Prometheus' own metrics). */
export function parseExposition(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = brace >= 0 ? line.indexOf(' ', line.lastIndexOf('}')) : line.indexOf(' ');
    const name = line.slice(0, brace >= 0 ? brace : space);
    const labels: Record<string, string> = {};
    if (brace >= 0)
      for (const m of line.slice(brace, space).matchAll(LABEL_RE))
        labels[m[1] as string] = (m[2] as string).replaceAll('\\"', '"').replaceAll('\\\\', '\\');
    samples.push({ name, labels, value: Number(line.slice(space + 1).split(' ')[0]) });
  }
  return samples;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

interface ProcessPoint {
  readonly at: number;
  /** Rules evaluated so far, all groups together (`prometheus_rule_evaluations_total`). */
  readonly ruleEvaluations: number;
  readonly cpu: number;
  readonly rss: number;
  readonly heapInuse: number;
  readonly allocated: number;
}

export interface PhaseMeasurement {
  /** Seconds per evaluation, per rule group name, after the warm-up evaluations. */
  readonly durations: ReadonlyMap<string, number[]>;
  /** Scheduled evaluations the groups missed because the previous one was still running. */
  readonly missed: number;
  /** Wall seconds of the measured span (after warm-up). */
  readonly seconds: number;
  /**
   * Rules evaluated in the measured span divided by the number of rules: how many times the whole
   * rule set ran in it, in fractions of a round when groups are slower than their interval.
   */
  readonly rounds: number;
  /** Process CPU seconds spent in the measured span. */
  readonly cpuSeconds: number;
  /** Bytes allocated by the Go runtime in the measured span. */
  readonly allocatedBytes: number;
  /** Largest resident set seen, bytes. */
  readonly maxRss: number;
  /** Median and largest Go heap in use, bytes. */
  readonly heapInuse: { readonly median: number; readonly max: number };
}

const groupName = (ruleGroup: string): string => ruleGroup.slice(ruleGroup.indexOf(';') + 1);

/**
 * Polls `/metrics` until every group has `warmup + evaluations` evaluations (or `timeoutMs`
 * passes) and returns the measured evaluations and process figures after the warm-up.
 */
export async function measureRuleGroups(
  prometheus: RunningPrometheus,
  options: {
    /** Rule groups loaded (0 for a server without rules). */
    readonly groups: number;
    /** Rules in those groups. */
    readonly rules: number;
    readonly evaluations: number;
    readonly warmup: number;
    readonly pollMs: number;
    readonly timeoutMs: number;
    /** Measure at least this long after the warm-up (for a server without rules). @default 0 */
    readonly minSeconds?: number;
    /** Stop measuring after this long even if some groups had fewer evaluations. @default unlimited */
    readonly maxSeconds?: number;
    /** Start measuring after this long even if some groups are not warm yet. @default unlimited */
    readonly maxWarmupSeconds?: number;
  },
): Promise<PhaseMeasurement> {
  const seen = new Map<string, Map<number, number>>();
  const points: ProcessPoint[] = [];
  let missed = 0;
  let warmMissed: number | undefined;
  let warmIndex: number | undefined;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const text = await (await fetch(`${prometheus.url}/metrics`)).text();
    const samples = parseExposition(text);
    const value = (name: string) => samples.find((s) => s.name === name)?.value ?? Number.NaN;
    const last = new Map<string, { ts?: number; duration?: number }>();
    missed = 0;
    let ruleEvaluations = 0;
    for (const s of samples) {
      if (s.name === 'prometheus_rule_evaluations_total') ruleEvaluations += s.value;
      const group = s.labels.rule_group;
      if (group === undefined) continue;
      if (s.name === 'prometheus_rule_group_iterations_missed_total') missed += s.value;
      const entry = last.get(group) ?? {};
      if (s.name === 'prometheus_rule_group_last_evaluation_timestamp_seconds') entry.ts = s.value;
      if (s.name === 'prometheus_rule_group_last_duration_seconds') entry.duration = s.value;
      last.set(group, entry);
    }
    for (const [group, { ts, duration }] of last) {
      if (ts === undefined || duration === undefined || ts <= 0) continue;
      const byTime = seen.get(group) ?? new Map<number, number>();
      byTime.set(ts, duration);
      seen.set(group, byTime);
    }
    points.push({
      at: Date.now() / 1000,
      ruleEvaluations,
      cpu: value('process_cpu_seconds_total'),
      rss: value('process_resident_memory_bytes'),
      heapInuse: value('go_memstats_heap_inuse_bytes'),
      allocated: value('go_memstats_alloc_bytes_total'),
    });
    const counts = [...seen.values()].map((m) => m.size);
    const fewest = seen.size < options.groups ? 0 : Math.min(Number.POSITIVE_INFINITY, ...counts);
    const startedAt = points[0]?.at ?? Date.now() / 1000;
    const warmTooLong =
      Date.now() / 1000 - startedAt >= (options.maxWarmupSeconds ?? Number.POSITIVE_INFINITY);
    if (warmIndex === undefined && (options.groups === 0 || fewest >= options.warmup || warmTooLong)) {
      warmIndex = points.length - 1;
      warmMissed = missed;
    }
    const elapsed = warmIndex === undefined ? 0 : Date.now() / 1000 - (points[warmIndex]?.at ?? 0);
    const done = options.groups === 0 || fewest >= options.warmup + options.evaluations;
    const capped = warmIndex !== undefined && elapsed >= (options.maxSeconds ?? Number.POSITIVE_INFINITY);
    if (((done && elapsed >= (options.minSeconds ?? 0)) || capped) && points.length - 1 > (warmIndex ?? 0))
      break;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  const from = points[warmIndex ?? 0] as ProcessPoint;
  const to = points.at(-1) as ProcessPoint;
  const measured = points.slice(warmIndex ?? 0);
  const durations = new Map<string, number[]>();
  for (const [group, byTime] of seen) {
    const ordered = [...byTime.entries()].sort(([a], [b]) => a - b).map(([, d]) => d);
    durations.set(groupName(group), ordered.slice(options.warmup));
  }
  return {
    durations,
    missed: missed - (warmMissed ?? 0),
    seconds: to.at - from.at,
    rounds: options.rules > 0 ? (to.ruleEvaluations - from.ruleEvaluations) / options.rules : 0,
    cpuSeconds: to.cpu - from.cpu,
    allocatedBytes: to.allocated - from.allocated,
    maxRss: Math.max(...measured.map((p) => p.rss)),
    heapInuse: {
      median: median(measured.map((p) => p.heapInuse)),
      max: Math.max(...measured.map((p) => p.heapInuse)),
    },
  };
}

/** Samples loaded by an instant query of `expr` at `time` (Prometheus' query statistics). */
export async function querySamples(
  prometheus: RunningPrometheus,
  expr: string,
  time: number,
): Promise<number> {
  const data = (await prometheus.api('query', { query: expr, time: String(time), stats: 'all' })) as {
    stats?: { samples?: { totalQueryableSamples?: number } };
  };
  const samples = data.stats?.samples?.totalQueryableSamples;
  if (samples === undefined) throw new Error('this Prometheus returns no query sample statistics');
  return samples;
}

/**
 * How much later an engine that evaluates rules through remote write fires an alert than the
 * Prometheus `explain` reasons about. Prometheus evaluates a group's rules in order, each reading
 * the results of the ones before it at once, and its own samples are searchable at once. vmalert
 * writes every recorded result to VictoriaMetrics and reads it back: each level of recording rules
 * an alert reads through costs an evaluation interval (the next evaluation sees it), the remote
 * write flush, VictoriaMetrics' ingestion (rows searchable once a second) and its latency offset
 * (queries near now read that far back); the alert's own query pays the last two once more. Pure.
 */
import { isAlertingRule, type RuleFile } from '../../compile/prometheus/types.ts';
import { parseDurationMs } from '../../model/units.ts';
import { selectedMetricNames } from '../../promql/index.ts';
import { VM_DRILL_DELAYS } from '../../runtime/victoria-metrics.ts';

/** The engines a drill runs. */
export const DRILL_ENGINES = ['prometheus', 'vmalert'] as const;
export type DrillEngine = (typeof DRILL_ENGINES)[number];

/** An alert's extra time on an engine, and why. */
export interface EngineDelay {
  readonly seconds: number;
  readonly why: string;
}

/**
 * Levels of recording rules between the scraped series and an alert's expression: 0 when it reads
 * raw series only, 2 for raw -> bad/total -> windowed ratio -> alert.
 */
export function recordingDepth(rules: RuleFile, alert: string): number {
  const records = new Map<string, string[]>();
  for (const rule of rules.groups.flatMap((g) => g.rules))
    if (!isAlertingRule(rule)) records.set(rule.record, [...(records.get(rule.record) ?? []), rule.expr]);
  const memo = new Map<string, number>();
  const depthOf = (expr: string, seen: ReadonlySet<string>): number =>
    Math.max(
      0,
      ...selectedMetricNames(expr).map((name) => {
        if (!records.has(name) || seen.has(name)) return 0;
        const known = memo.get(name);
        if (known !== undefined) return known;
        const depth =
          1 + Math.max(0, ...(records.get(name) ?? []).map((e) => depthOf(e, new Set([...seen, name]))));
        memo.set(name, depth);
        return depth;
      }),
    );
  const exprs = rules.groups
    .flatMap((g) => g.rules)
    .filter((r) => isAlertingRule(r) && r.alert === alert)
    .map((r) => r.expr);
  return Math.max(0, ...exprs.map((e) => depthOf(e, new Set())));
}

const intervalSeconds = (interval: string | undefined): number =>
  interval ? (parseDurationMs(interval) ?? 0) / 1000 : 1;

/**
 * The delay of each alert of `rules` (the drill's, time compressed) on `engine`. Each level of
 * recording rules costs the evaluation interval of the group reading it (its next evaluation is
 * the first to see the result) plus flush, ingestion and latency offset.
 */
export function engineDelay(engine: DrillEngine, rules: RuleFile): (alert: string) => EngineDelay {
  if (engine === 'prometheus') return () => ({ seconds: 0, why: '' });
  const {
    latencyOffsetSeconds: offset,
    remoteWriteFlushSeconds: flush,
    ingestSeconds: ingest,
  } = VM_DRILL_DELAYS;
  const records = new Map<string, { expr: string; interval: number }[]>();
  const alerts = new Map<string, { expr: string; interval: number }[]>();
  for (const group of rules.groups)
    for (const rule of group.rules) {
      const into = isAlertingRule(rule) ? alerts : records;
      const name = isAlertingRule(rule) ? rule.alert : rule.record;
      into.set(name, [
        ...(into.get(name) ?? []),
        { expr: rule.expr, interval: intervalSeconds(group.interval) },
      ]);
    }
  // Seconds the recorded series an expression reads arrive late, read by a group of `interval`.
  const late = (expr: string, interval: number, seen: ReadonlySet<string>): number =>
    Math.max(
      0,
      ...selectedMetricNames(expr).flatMap((name) =>
        records.has(name) && !seen.has(name)
          ? (records.get(name) ?? []).map(
              (r) => interval + flush + ingest + offset + late(r.expr, r.interval, new Set([...seen, name])),
            )
          : [],
      ),
    );
  return (alert) => {
    const depth = recordingDepth(rules, alert);
    const seconds =
      Math.max(0, ...(alerts.get(alert) ?? []).map((a) => late(a.expr, a.interval, new Set()))) +
      ingest +
      offset;
    const own = `${ingest}s ingestion + ${offset}s latency offset for the alert's own query`;
    return {
      seconds,
      why:
        depth === 0
          ? `vmalert ${seconds}s: ${own}`
          : `vmalert ${seconds}s: ${depth} level${depth === 1 ? '' : 's'} of recording rules, each read back by the reading group's next evaluation (its interval) after ${flush}s remote-write flush + ${ingest}s ingestion + ${offset}s latency offset, then ${own}`,
    };
  };
}

/** Text of a drill: the plan, the live progress line, the timeline and the verdict. Pure. */
import { formatDurationMs } from '../../model/units.ts';
import type { DrillPlan, DrillReport, DrillStatus, TimelineEvent } from './run.ts';

const secs = (s: number): string => `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(1)}s`;

/** What the drill is about to do and what it expects. */
export function formatDrillPlan(plan: DrillPlan): string {
  const { expectations: e, factor } = plan;
  const f = factor.factor;
  const lines = [
    `drill ${e.scenario.name}: ${plan.service} in ${plan.environment}: ${e.scenario.summary}`,
    `  time factor ${f}: every window and \`for\` divided by ${f} (1h -> ${formatDurationMs((3_600_000 / f) | 0)}, 5m -> ${formatDurationMs((300_000 / f) | 0)}); shortest range ${formatDurationMs(factor.shortestRangeSeconds * 1000)} -> ${formatDurationMs((factor.shortestRangeSeconds * 1000) / f)}, scraped every 1s`,
    `  synthetic service: ${plan.series} series; ${plan.engine === 'vmalert' ? `vmalert ${plan.prometheus} on VictoriaMetrics` : `Prometheus ${plan.prometheus}`}; Alertmanager ${plan.alertmanager} (receivers -> webhook sink)`,
    `  warm-up ${plan.warmupSeconds}s healthy, then the fault; gives up ${e.deadlineSeconds}s after it${e.observeSeconds > 0 ? `, watches at least ${e.observeSeconds}s` : ''}`,
    '  expects:',
    ...e.expected.map(
      (x) =>
        `    ${x.alertname}${Object.keys(x.labels).length > 0 ? ` (${Object.values(x.labels).join(', ')})` : ''} -> ${x.receivers.join(', ')} within ${x.deadlineSeconds}s: ${x.reason}`,
    ),
    `  may also fire: ${e.allowed.length > 0 ? e.allowed.join(', ') : 'nothing else'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** One line of progress while the drill waits. */
export function formatDrillStatus(s: DrillStatus): string {
  const where = s.phase === 'warm-up' ? `warm-up ${secs(s.at)}` : `fault ${secs(s.at)} of ${s.deadline}s`;
  return `${where}  pending ${s.pending}  firing ${s.firing}  delivered ${s.delivered}/${s.deliveries}`;
}

function eventText(e: TimelineEvent): string {
  switch (e.kind) {
    case 'warm-up':
    case 'fault':
      return `-- ${e.kind === 'fault' ? 'fault starts' : 'warm-up'}: ${e.note ?? ''}`;
    case 'notified':
      return `${e.alert}  notified ${e.receivers?.join(', ') ?? ''}`;
    default:
      return `${e.alert}  ${e.kind}${e.note ? ` (${e.note})` : ''}`;
  }
}

/**
 * The warm-up in one line: before the fault Alertmanager is not connected, and what fires then
 * (on an empty database: no scrape yet, no history to compare with) reaches nobody.
 */
function warmupLine(report: DrillReport): string | undefined {
  const marker = report.timeline.find((e) => e.kind === 'warm-up');
  if (!marker) return undefined;
  const before = report.timeline.filter((e) => e.at < 0 && e.alert !== '');
  const fired = [...new Set(before.filter((e) => e.kind === 'firing').map((e) => e.alert))];
  const pendingOnly = new Set(
    before.filter((e) => e.kind === 'pending' && !fired.includes(e.alert)).map((e) => e.alert),
  );
  return `  ${secs(marker.at).padStart(8)}  -- warm-up: healthy, Alertmanager not connected yet${fired.length > 0 ? `; fired meanwhile (sent to nobody): ${fired.join(', ')}` : ''}${pendingOnly.size > 0 ? `; ${pendingOnly.size} more went pending only` : ''}`;
}

/** The timeline from the fault's start, the pipeline's health and the verdict. */
export function formatDrillReport(report: DrillReport): string {
  const f = report.plan.factor.factor;
  const warmup = warmupLine(report);
  const lines = [
    `timeline (drill seconds from the fault's start; model time is ${f} times longer):`,
    ...(warmup ? [warmup] : []),
    ...report.timeline.filter((e) => e.at >= 0).map((e) => `  ${secs(e.at).padStart(8)}  ${eventText(e)}`),
  ];
  const p = report.pipeline;
  lines.push(
    `pipeline: ${p.scrapes - p.failedScrapes} of ${p.scrapes} scrapes ok (slowest ${p.slowestScrapeMs} ms), ${p.missedEvaluations} rule evaluations missed.`,
  );
  if (report.passed)
    lines.push(
      `ok: every expected alert reached its receivers and nothing else did (${report.faultSeconds.toFixed(0)}s after the fault).`,
    );
  else {
    lines.push('FAILED:');
    for (const m of report.missing) lines.push(`  missing: ${m}`);
    for (const u of report.unexpected) lines.push(`  unexpected: ${u}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * SLO sanity beyond what validation (src/validate/service.ts) already refuses (objective outside
 * (0, 1), unreachable burn thresholds, windows longer than the period, grouping labels missing on
 * typed SLIs): every burn window spans at least four scrape intervals, and the recorded SLI series
 * keep every grouping label (a raw SLI's `by` clause must keep them, or all groups share one
 * budget and `$labels.<label>` renders empty).
 */
import { RECORD } from '../conventions.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { formatSeconds } from '../model/units.ts';
import { MIN_WINDOW_SCRAPES } from '../model/windows.ts';
import type { LintContext } from './context.ts';
import { labelFlow } from './labels.ts';

export function lintSloSanity(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const svc of ctx.project.services)
    for (const slo of svc.slos) {
      const report = (code: string, path: (string | number)[], message: string, hint: string) =>
        out.push({ code, severity: 'error', file: svc.file, path: [slo.id, ...path], message, hint });
      const floor = MIN_WINDOW_SCRAPES * svc.scrapeInterval;
      const tooShort = [...new Set(slo.windows.flatMap((p) => [p.short, p.long]).filter((w) => w < floor))];
      if (tooShort.length > 0)
        report(
          'slo/window-scrapes',
          ['period'],
          `burn windows ${tooShort.map(formatSeconds).join(', ')} span fewer than ${MIN_WINDOW_SCRAPES} scrape intervals (${formatSeconds(floor)})`,
          'a rate needs several samples: lengthen the windows (the period) or scrape more often',
        );
      if (slo.groupBy.length === 0) continue;
      const base = formatSeconds(slo.baseWindow);
      for (const env of svc.environments) {
        const catalog = ctx.catalog(svc, env);
        for (const ref of ctx.rules) {
          if (ref.service !== svc || ref.env !== env || !ref.parsed.ok) continue;
          if (
            (ref.name !== RECORD.bad(base) && ref.name !== RECORD.total(base)) ||
            ref.origin?.path[0] !== slo.id
          )
            continue;
          const kept = labelFlow(ref.parsed.root, (s) =>
            s.name ? catalog.get(s.name)?.labels : undefined,
          ).labels;
          if (kept === 'any') continue;
          for (const [i, label] of slo.groupBy.entries())
            if (!kept.has(label))
              report(
                'slo/group-label',
                ['groupBy', i],
                `the SLI's ${ref.name === RECORD.bad(base) ? 'bad' : 'total'} events (${ref.name}) do not keep the grouping label ${label} (they keep: ${[...kept].sort().join(', ') || 'no labels'})`,
                `aggregate by the grouping labels: sum by (${slo.groupBy.join(', ')}) (...)`,
              );
        }
      }
    }
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = JSON.stringify([d.path, d.code, d.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

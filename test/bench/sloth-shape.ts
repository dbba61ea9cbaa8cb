/**
 * Sloth-shaped rules for the same SLOs, written from the rule shape Sloth publishes in its generated
 * examples (slok/sloth, examples/_gen/getting-started.yml):
 *
 * - `sloth-slo-sli-recordings-<service>-<slo>`: `slo:sli_error:ratio_rate<w>` for every alert window,
 *   each `(error_query) / (total_query)` with the window filled into the user's raw-series query,
 *   plus `slo:sli_error:ratio_rate<period>` as `sum_over_time(ratio_rate5m[period]) / ignoring
 *   (sloth_window) count_over_time(ratio_rate5m[period])` (an average of the base window ratios);
 * - `sloth-slo-meta-recordings-<service>-<slo>`: objective, budget, period, burn rates, budget
 *   remaining (divided `on(...) group_left` by the recorded budget) and `sloth_slo_info`;
 * - `sloth-slo-alerts-<service>-<slo>`: one page and one ticket alert, each two window pairs OR'd.
 *
 * Sloth's groups carry no `interval`: they run at the global evaluation interval. Windows and burn
 * factors are the SLO's own (`slo.windows`), so both rule sets decide on the same pairs; for a
 * 30 day SLO they are Sloth's 5m, 30m, 1h, 2h, 6h, 1d, 3d.
 */
import { eventExprs } from '../../src/compile/prometheus/sli.ts';
import { alertWindows } from '../../src/compile/prometheus/slo-rules.ts';
import type { RuleFile, RuleGroup } from '../../src/compile/prometheus/types.ts';
import type { ResolvedService, ResolvedSlo } from '../../src/model/resolved.ts';
import type { Environment } from '../../src/model/service.ts';
import { formatRational, formatSeconds, rational } from '../../src/model/units.ts';
import { renderSelector, selectorMatchers, sumBy } from '../../src/promql/index.ts';

/**
 * The SLI as a Sloth user writes it (`error_query` / `total_query` with `{{.window}}`). Ratio SLIs
 * are plain `sum(rate(...))` of each counter, as in Sloth's examples (no guard for an absent
 * failure counter, which would read the total counter a second time); other kinds use the same
 * expressions as the generated rules.
 */
function slothEvents(svc: ResolvedService, slo: ResolvedSlo, env: Environment, window: string) {
  const sli = slo.sli;
  if (sli.kind !== 'ratio') return eventExprs(svc, slo, env, window);
  const rate = (sel: NonNullable<typeof sli.bad>) =>
    sumBy(
      slo.groupBy,
      `rate(${renderSelector(sel.metric.name, selectorMatchers(sel, env), env)}[${window}])`,
    );
  const total = rate(sli.total);
  if (sli.bad) return { bad: rate(sli.bad), total };
  return { bad: `${total} - ${rate(sli.good ?? sli.total)}`, total };
}

const slothLabels = (svc: ResolvedService, slo: ResolvedSlo) => ({
  sloth_id: `${svc.name}-${slo.id}`,
  sloth_service: svc.name,
  sloth_slo: slo.id,
});

const slothSelector = (svc: ResolvedService, slo: ResolvedSlo): string =>
  `{sloth_id="${svc.name}-${slo.id}", sloth_service="${svc.name}", sloth_slo="${slo.id}"}`;

function sliGroup(svc: ResolvedService, slo: ResolvedSlo, env: Environment): RuleGroup {
  const labels = slothLabels(svc, slo);
  const sel = slothSelector(svc, slo);
  const base = formatSeconds(slo.baseWindow);
  const period = formatSeconds(slo.period);
  return {
    name: `sloth-slo-sli-recordings-${svc.name}-${slo.id}`,
    rules: [
      ...alertWindows(slo).map((seconds) => {
        const w = formatSeconds(seconds);
        const events = slothEvents(svc, slo, env, w);
        return {
          record: `slo:sli_error:ratio_rate${w}`,
          expr: `(${events.bad})\n/\n(${events.total})\n`,
          labels: { ...labels, sloth_window: w },
        };
      }),
      {
        record: `slo:sli_error:ratio_rate${period}`,
        expr: `sum_over_time(slo:sli_error:ratio_rate${base}${sel}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate${base}${sel}[${period}])\n`,
        labels: { sloth_window: period },
      },
    ],
  };
}

function metaGroup(svc: ResolvedService, slo: ResolvedSlo): RuleGroup {
  const labels = slothLabels(svc, slo);
  const sel = slothSelector(svc, slo);
  const base = formatSeconds(slo.baseWindow);
  const period = formatSeconds(slo.period);
  const byBudget = `/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${sel}`;
  return {
    name: `sloth-slo-meta-recordings-${svc.name}-${slo.id}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${formatRational(slo.objective)})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(1-${formatRational(slo.objective)})`, labels },
      {
        record: 'slo:time_period:days',
        expr: `vector(${formatRational(rational(BigInt(slo.period), 86_400n))})`,
        labels,
      },
      {
        record: 'slo:current_burn_rate:ratio',
        expr: `slo:sli_error:ratio_rate${base}${sel}\n${byBudget}\n`,
        labels,
      },
      {
        record: 'slo:period_burn_rate:ratio',
        expr: `slo:sli_error:ratio_rate${period}${sel}\n${byBudget}\n`,
        labels,
      },
      {
        record: 'slo:period_error_budget_remaining:ratio',
        expr: `1 - slo:period_burn_rate:ratio${sel}`,
        labels,
      },
      {
        record: 'sloth_slo_info',
        expr: 'vector(1)',
        labels: {
          ...labels,
          sloth_mode: 'cli-gen-prom',
          sloth_spec: 'prometheus/v1',
          sloth_version: 'bench',
        },
      },
    ],
  };
}

function alertGroup(svc: ResolvedService, slo: ResolvedSlo): RuleGroup | undefined {
  const sel = slothSelector(svc, slo);
  const tiers = (['page', 'ticket'] as const).filter((tier) =>
    tier === 'page' ? slo.alerting.page : slo.alerting.ticket,
  );
  const rules = tiers.map((tier) => {
    const pairs = slo.windows.filter((p) => p.tier === tier);
    const condition = pairs
      .map((p) => {
        const threshold = `(${formatRational(p.factor)} * ${formatRational(slo.errorBudget)})`;
        return [
          '(',
          `    (slo:sli_error:ratio_rate${formatSeconds(p.short)}${sel} > ${threshold})`,
          '    and ignoring (sloth_window)',
          `    (slo:sli_error:ratio_rate${formatSeconds(p.long)}${sel} > ${threshold})`,
          ')',
        ].join('\n');
      })
      .join('\nor ignoring (sloth_window)\n');
    return {
      alert: `${slo.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}SLO`,
      expr: `${condition}\n`,
      labels: { sloth_severity: tier, severity: tier === 'page' ? 'critical' : 'warning' },
      annotations: {
        summary: `${svc.name} ${slo.id} SLO error budget burn rate is too fast.`,
        title: `(${tier}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
      },
    };
  });
  return rules.length > 0 ? { name: `sloth-slo-alerts-${svc.name}-${slo.id}`, rules } : undefined;
}

/** Sloth-shaped rule groups for every SLO of a service in an environment. */
export function toSlothRuleFile(svc: ResolvedService, env: Environment): RuleFile {
  return {
    groups: svc.slos.flatMap((slo) => {
      const alerts = alertGroup(svc, slo);
      return [sliGroup(svc, slo, env), metaGroup(svc, slo), ...(alerts ? [alerts] : [])];
    }),
  };
}

/** The one Sloth recording read over a range (by the period average): the base window ratio. */
export const slothBaseRecord = (slo: ResolvedSlo): string =>
  `slo:sli_error:ratio_rate${formatSeconds(slo.baseWindow)}`;

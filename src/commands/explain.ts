/** `obsgen explain`: the burn-rate table of every SLO, from the same math the rules use. */
import { burnAlertName } from '../conventions.ts';
import type { Project, ResolvedService, ResolvedSlo } from '../model/resolved.ts';
import { alertsAcrossClusters, clusterLabelOf, type Environment } from '../model/service.ts';
import {
  formatPercent,
  formatPeriod,
  formatRational,
  formatSeconds,
  humanizeSeconds,
  rational,
  rationalOf,
  sub,
  toNumber,
} from '../model/units.ts';
import {
  burnWindowPairs,
  errorRatioThreshold,
  explainPairs,
  firstPage,
  MIN_WINDOW_SCRAPES,
  type PairExplanation,
  type WindowPair,
} from '../model/windows.ts';

export interface ExplainRow {
  readonly service: string;
  readonly environment: string;
  readonly slo: string;
  readonly objective: string;
  readonly period: string;
  /** The window policy: `workbook` or `scaled`. */
  readonly policy: string;
  readonly alert: string;
  readonly severity: string;
  readonly tier: string;
  readonly enabled: boolean;
  readonly longWindow: string;
  /** Which rule chose the long window, and why. */
  readonly longWindowRule: string;
  readonly shortWindow: string;
  /** Which rule chose the short window, and why. */
  readonly shortWindowRule: string;
  readonly burnFactor: string;
  readonly errorRatioThreshold: string;
  /** The threshold as a percentage, for reading. */
  readonly errorRatioThresholdPercent: string;
  readonly for: string;
  /** Why the rule waits `for` that long. */
  readonly forRule: string;
  /** Seconds from the start of a total outage until both windows exceed the threshold. */
  readonly conditionAfterSeconds: number | null;
  /** conditionAfterSeconds plus `for`. */
  readonly firesAfterSeconds: number | null;
  /** Share of the period's budget spent by then, as a fraction. */
  readonly budgetSpent: number | null;
  /** The same pair of the Workbook table (its windows, no `for`) for this objective and period. */
  readonly workbook: {
    readonly windows: string;
    readonly firesAfterSeconds: number | null;
    readonly budgetSpent: number | null;
  };
  /**
   * Where the alert looks in an environment spanning clusters: `per-cluster` (each cluster's own
   * ratio; the outage figures are of one cluster) or `global` (all clusters' events together; an
   * outage of one cluster of several weighs by its share of the traffic). Absent without clusters.
   */
  readonly clusters?: { readonly label: string; readonly aggregate: 'per-cluster' | 'global' };
}

const windowsText = (pair: WindowPair): string => `${formatSeconds(pair.long)}/${formatSeconds(pair.short)}`;

/** The Workbook's pairs for this objective and period: its windows, no `for` (it uses none). */
function workbookPairs(svc: ResolvedService, slo: ResolvedSlo): WindowPair[] {
  return burnWindowPairs({
    period: slo.period,
    scrapeInterval: svc.scrapeInterval,
    evaluationInterval: svc.evaluationInterval,
    errorBudget: slo.errorBudget,
    samples: 'requests',
    policy: 'workbook',
  }).map((pair) => ({ ...pair, forSeconds: 0 }));
}

/** Why the long window is what it is. */
function longRuleText(svc: ResolvedService, slo: ResolvedSlo, pair: WindowPair): string {
  if (pair.longRule === 'sample-floor')
    return `one-bad-sample floor: more than 1/${formatPercent(errorRatioThreshold(pair, slo.errorBudget))} samples of ${formatSeconds(Math.max(svc.scrapeInterval, svc.evaluationInterval))}, so one failed probe never fires`;
  if (pair.longRule === 'scrape-floor')
    return `${MIN_WINDOW_SCRAPES} scrapes of ${formatSeconds(svc.scrapeInterval)}`;
  if (pair.policy === 'explicit') return 'written out by the SLO (alerting.windows)';
  return pair.policy === 'workbook'
    ? 'workbook table'
    : `workbook window scaled to the ${formatPeriod(slo.period)} period`;
}

function shortRuleText(svc: ResolvedService, pair: WindowPair): string {
  if (pair.shortRule === 'scrape-floor')
    return `${MIN_WINDOW_SCRAPES} scrapes of ${formatSeconds(svc.scrapeInterval)}`;
  if (pair.policy === 'explicit') return 'written out by the SLO, or its long window / 12';
  return pair.policy === 'workbook' ? 'workbook table (long/12)' : 'scaled long window / 12';
}

const FOR_RULE =
  'one evaluation: the short window already shows the burn is current, and one bad evaluation alone never notifies';

/** Why the pair's `for` is what it is. */
const forRuleText = (svc: ResolvedService, pair: WindowPair): string =>
  pair.policy === 'explicit' && pair.forSeconds !== svc.evaluationInterval
    ? 'written out by the SLO'
    : FOR_RULE;

const spent = (e: PairExplanation | undefined): number | null =>
  e?.budgetSpent === undefined ? null : Number(e.budgetSpent.toFixed(6));

export interface ExplainOptions {
  /** Only this SLO: its id, or `service/id` to tell two services' SLOs of one id apart. */
  readonly slo?: string;
  /** Only the SLOs of this service. */
  readonly service?: string;
  /** Only this environment. */
  readonly env?: string;
}

/** Whether an SLO is the one `--slo` names (`latency` or `malaria-predictor-api/latency`). */
const sloMatches = (wanted: string | undefined, service: string, slo: string): boolean =>
  wanted === undefined || wanted === slo || wanted === `${service}/${slo}`;

const clustersOf = (env: Environment): Pick<ExplainRow, 'clusters'> => {
  const label = clusterLabelOf(env);
  if (label === undefined) return {};
  return { clusters: { label, aggregate: alertsAcrossClusters(env) ? 'global' : 'per-cluster' } };
};

/** One row per SLO, environment and window pair. */
export function explain(project: Project, options: ExplainOptions = {}): ExplainRow[] {
  return project.services
    .filter((svc) => options.service === undefined || svc.name === options.service)
    .flatMap((svc) =>
      svc.environments
        .filter((env) => options.env === undefined || env.name === options.env)
        .flatMap((env) =>
          svc.slos
            .filter((slo) => sloMatches(options.slo, svc.name, slo.id))
            .flatMap((slo) => {
              const reference = explainPairs(workbookPairs(svc, slo), slo.errorBudget, slo.period);
              return explainPairs(slo.windows, slo.errorBudget, slo.period).map((row, i) => ({
                service: svc.name,
                environment: env.name,
                slo: slo.id,
                objective: formatPercent(slo.objective),
                period: formatPeriod(slo.period),
                policy: row.pair.policy,
                alert: burnAlertName(slo.id),
                severity: row.pair.severity,
                tier: row.pair.tier,
                enabled: row.pair.tier === 'page' ? slo.alerting.page : slo.alerting.ticket,
                longWindow: formatSeconds(row.pair.long),
                longWindowRule: longRuleText(svc, slo, row.pair),
                shortWindow: formatSeconds(row.pair.short),
                shortWindowRule: shortRuleText(svc, row.pair),
                burnFactor: formatRational(row.pair.factor),
                errorRatioThreshold: formatRational(row.threshold),
                errorRatioThresholdPercent: formatPercent(row.threshold),
                for: formatSeconds(row.pair.forSeconds),
                forRule: forRuleText(svc, row.pair),
                conditionAfterSeconds: row.conditionSeconds ?? null,
                firesAfterSeconds: row.firesAfterSeconds ?? null,
                budgetSpent: spent(row),
                ...clustersOf(env),
                workbook: {
                  windows: reference[i] ? windowsText(reference[i].pair) : '-',
                  firesAfterSeconds: reference[i]?.firesAfterSeconds ?? null,
                  budgetSpent: spent(reference[i]),
                },
              }));
            }),
        ),
    );
}

const pad = (cells: string[], widths: number[]): string =>
  cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();

const firesText = (seconds: number | null): string => (seconds === null ? 'never' : humanizeSeconds(seconds));
const spentText = (share: number | null): string => (share === null ? '-' : `${(share * 100).toFixed(2)}%`);

/** Plain-text tables, one per SLO and environment, each followed by why its windows are what they are. */
export function formatExplain(rows: readonly ExplainRow[]): string {
  const blocks = new Map<string, ExplainRow[]>();
  for (const row of rows) {
    const clusters = row.clusters
      ? row.clusters.aggregate === 'global'
        ? `; alerts on all clusters together (${row.clusters.label} summed away): a total outage of every cluster`
        : `; alerts per cluster (label ${row.clusters.label}): a total outage of one cluster`
      : '';
    const key = `${row.service} / ${row.environment} / ${row.slo}  (objective ${row.objective} over ${row.period}, ${row.policy} windows${clusters})`;
    blocks.set(key, [...(blocks.get(key) ?? []), row]);
  }
  const head = [
    'severity',
    'windows',
    'burn',
    'error ratio >',
    'for',
    'total outage fires after',
    'budget spent',
    'workbook (no for)',
  ];
  return [...blocks]
    .map(([title, block]) => {
      const body = block.map((r) => [
        `${r.severity}${r.enabled ? '' : ' (off)'}`,
        `${r.longWindow}/${r.shortWindow}`,
        `${r.burnFactor}x`,
        r.errorRatioThresholdPercent,
        r.for,
        firesText(r.firesAfterSeconds),
        spentText(r.budgetSpent),
        `${r.workbook.windows}: ${firesText(r.workbook.firesAfterSeconds)}, ${spentText(r.workbook.budgetSpent)}`,
      ]);
      const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
      const why = block.map(
        (r) =>
          `  ${r.longWindow}/${r.shortWindow}: long window by ${r.longWindowRule}; short window by ${r.shortWindowRule}`,
      );
      const forLine = block[0] ? [`  for ${block[0].for}: ${block[0].forRule}`] : [];
      return [title, pad(head, widths), ...body.map((cells) => pad(cells, widths)), ...why, ...forLine].join(
        '\n',
      );
    })
    .join('\n\n');
}

/** Objectives of the README's detection table. */
export const TABLE_OBJECTIVES = [0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999] as const;

/**
 * The README's table: for each objective, policy and kind of SLI sample, over 28 days with 30s
 * scrapes and evaluations, when a total outage and a 10x burn first page and the share of the
 * period's budget spent by then. Computed by the same math as the rules and `explain`.
 */
export function detectionTable(): string {
  const period = 28 * 86_400;
  const head = [
    '| objective | windows | SLI | page pairs | total outage pages after | budget spent | 10x burn pages after | budget spent |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const rows = TABLE_OBJECTIVES.flatMap((objective) =>
    (['workbook', 'scaled'] as const).flatMap((policy) =>
      (['requests', 'time'] as const).map((samples) => {
        const errorBudget = sub(rational(1n), rationalOf(objective));
        const pairs = burnWindowPairs({
          period,
          scrapeInterval: 30,
          evaluationInterval: 30,
          errorBudget,
          samples,
          policy,
        });
        const outage = firstPage(pairs, errorBudget, period);
        const burn = firstPage(pairs, errorBudget, period, 10 * toNumber(errorBudget));
        const pageWindows = pairs
          .filter((p) => p.tier === 'page')
          .map(windowsText)
          .join(', ');
        return `| ${formatPercent(rationalOf(objective))} | ${policy} | ${samples === 'time' ? 'probe' : 'request'} | ${pageWindows} | ${firesText(outage?.firesAfterSeconds ?? null)} | ${spentText(spent(outage))} | ${firesText(burn?.firesAfterSeconds ?? null)} | ${spentText(spent(burn))} |`;
      }),
    ),
  );
  return [...head, ...rows].join('\n');
}
